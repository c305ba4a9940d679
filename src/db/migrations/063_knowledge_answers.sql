-- An inquiry answered at first contact from a knowledge-base article: its 'resolved' event names the
-- article's version (issue 18). The index of answers by article is filled from that event in the
-- same statement, so the two never disagree and intake stays one statement.
create function citydesk_kb_answer() returns trigger language plpgsql as $$
begin
  insert into kb_answer (case_id, article_id, version, at, staff_user_id)
  select new.case_id, a.id, (new.data #>> '{article,version}')::integer, new.at, new.actor_id
  from kb_article a where a.slug = new.data #>> '{article,slug}';
  return null;
end $$;

create trigger case_event_kb_answer after insert on case_event
  for each row when (new.type = 'resolved' and new.data ? 'article')
  execute function citydesk_kb_answer();
