-- A customer message's outbox row points at the message instead of carrying a second copy of its
-- subject and text (half the text written per message). Mail that is not a case message (staff
-- notices) keeps its own text.
alter table outbox alter column subject drop not null;
alter table outbox alter column body drop not null;
alter table outbox add constraint outbox_has_text check (case_message_id is not null or (subject is not null and body is not null));

-- The mail as it goes out: its own text, or its case message's.
create view outbox_mail as
  select o.id, o.message_id, o.case_message_id, o.to_address,
         coalesce(o.subject, m.subject) as subject, coalesce(o.body, m.body) as body,
         o.status, o.attempts, o.next_attempt_at, o.last_error, o.sent_at, o.created_at
  from outbox o left join case_message m on m.id = o.case_message_id;
