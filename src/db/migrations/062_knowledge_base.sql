-- The knowledge base (issue 18): articles per division for general inquiries, versioned (an edit
-- is a new version; old ones are kept), searched by PostgreSQL's full-text search (PGlite has it too).
create table kb_article (
  id integer generated always as identity primary key,
  slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  division_id integer not null references division (id),
  current_version integer not null default 1,
  -- Published articles are on the portal; unpublished ones are for staff only.
  published boolean not null default true,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table kb_article_version (
  article_id integer not null references kb_article (id),
  version integer not null check (version >= 1),
  title text not null check (length(title) between 1 and 200),
  body text not null check (length(body) between 1 and 20000),
  keywords text not null default '',
  edited_at timestamptz not null,
  edited_by integer references staff_user (id),
  search tsvector generated always as (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', keywords), 'B') || setweight(to_tsvector('english', body), 'C')
  ) stored,
  primary key (article_id, version)
);
create index kb_article_version_search on kb_article_version using gin (search);
create trigger kb_article_version_history before update or delete on kb_article_version
  for each row execute function citydesk_refuse_change();

-- An inquiry answered from an article: the version given, so the record says what the customer read.
create table kb_answer (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  article_id integer not null,
  version integer not null,
  at timestamptz not null,
  staff_user_id integer references staff_user (id),
  foreign key (article_id, version) references kb_article_version (article_id, version)
);
create index kb_answer_case on kb_answer (case_id);
create index kb_answer_article on kb_answer (article_id, version);
