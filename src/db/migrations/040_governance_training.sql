-- Training and governance, part 1 (issue 16, CSS §7, INTERPRETATION §8): the Standard's editions
-- as the City issued them, and each staff member's acknowledgment of the edition and of their
-- division's DST version, with the reminder and overdue notices sent about them.

-- An edition of the Standard, kept exactly as issued: its text never changes (a new text is a new
-- edition).
create table standard_edition (
  id integer generated always as identity primary key,
  edition text not null unique,
  title text not null,
  effective_from date not null,
  body text not null,
  body_sha256 text not null,
  source_file text not null,
  loaded_at timestamptz not null
);
create trigger standard_edition_history before update or delete on standard_edition
  for each row execute function citydesk_refuse_change();

-- A staff member read a document: the Standard's edition or their division's DST version.
create table training_acknowledgment (
  id bigint generated always as identity primary key,
  staff_user_id integer not null references staff_user (id),
  standard_edition_id integer references standard_edition (id),
  dst_version_id integer references dst_version (id),
  division_id integer references division (id),
  acknowledged_at timestamptz not null,
  check ((standard_edition_id is null) <> (dst_version_id is null)),
  unique nulls not distinct (staff_user_id, standard_edition_id, dst_version_id)
);
create trigger training_acknowledgment_history before update or delete on training_acknowledgment
  for each row execute function citydesk_refuse_change();

-- Each reminder and overdue notice is sent once per person and document (the sweep step inserts
-- with on conflict do nothing and writes mail only for rows it inserted).
create table training_notice (
  id bigint generated always as identity primary key,
  staff_user_id integer not null references staff_user (id),
  standard_edition_id integer references standard_edition (id),
  dst_version_id integer references dst_version (id),
  kind text not null check (kind in ('reminder', 'overdue')),
  due_at timestamptz not null,
  sent_at timestamptz not null,
  check ((standard_edition_id is null) <> (dst_version_id is null)),
  unique nulls not distinct (staff_user_id, standard_edition_id, dst_version_id, kind)
);

-- What the Working Group and the governance pages did: who, when, what. Never changed.
create table governance_event (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  actor_id integer references staff_user (id),
  actor_label text not null,
  type text not null,
  data jsonb not null default '{}'
);
create index governance_event_at on governance_event (at desc, id desc);
create trigger governance_event_history before update or delete on governance_event
  for each row execute function citydesk_refuse_change();
