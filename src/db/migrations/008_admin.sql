-- Administration (issue 6, staff console part 3): every change an administrator makes to the
-- directory (staff accounts, closure days, Division Service Targets, Open311 API keys) leaves an
-- event here: who, when, what. Never changed or deleted.
create table directory_event (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  actor_id integer references staff_user (id),
  actor_label text not null,
  type text not null,
  data jsonb not null default '{}'
);
create index directory_event_at on directory_event (at desc, id desc);
create trigger directory_event_history before update or delete on directory_event
  for each row execute function citydesk_refuse_change();
