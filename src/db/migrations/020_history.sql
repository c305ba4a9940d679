-- Service-request history imported from another system (issue 13). An imported case is history:
-- it never gets a next check time (the sweep never looks at it), it is in no work queue, no
-- message is ever written for it, and staff cannot change it.

-- A system the City's history comes from, and the rule its times were read by.
create table import_source (
  id integer generated always as identity primary key,
  code text not null unique,
  format text not null,
  -- 'local' (floating local time), 'utc', 'offset' (the offset written with each time) or
  -- 'shifted' (local time shifted by the zone's offset once more)
  time_rule text not null,
  time_zone text not null,
  created_at timestamptz not null
);

-- One run of `citydesk import`: what it read, how far it got, and its summary. A run stopped
-- before the end is continued by the next run of the same file.
create table import_run (
  id bigint generated always as identity primary key,
  source_id integer not null references import_source (id),
  file_name text not null,
  -- The file's size and a hash of its first megabyte: the same file, to continue a stopped run.
  file_identity text not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  status text not null check (status in ('running', 'stopped', 'finished', 'failed')),
  -- Records read and committed so far: a rerun of a stopped run skips this many.
  records_done bigint not null default 0,
  summary jsonb not null default '{}'
);
create index import_run_resume on import_run (source_id, file_identity, started_at desc);

-- The administrator's lookup tables: a source's type, agency and channel values and what they
-- mean in this City. Values not listed are reported with their counts, never guessed.
create table import_mapping (
  source_id integer not null references import_source (id),
  kind text not null check (kind in ('type', 'agency', 'channel')),
  source_value text not null,
  target_code text not null,
  updated_at timestamptz not null,
  primary key (source_id, kind, source_value)
);

alter table service_case
  add column import_source_id integer references import_source (id),
  -- Where the resolution target came from: the source's own due date, the City's DST for the
  -- mapped type counted from the receipt, or neither (no target).
  add column resolve_by_basis text check (resolve_by_basis in ('source_due_date', 'city_dst', 'none')),
  -- An imported case's channel may be one the City has no name for (reported, never guessed).
  alter column channel drop not null,
  add constraint service_case_channel_recorded check (channel is not null or import_source_id is not null),
  add constraint service_case_history_is_not_due check (import_source_id is null or (next_check_at is null and next_due_at is null));

-- Each source row, verbatim, beside the case made from it; the source and its row id are unique,
-- so importing a file again changes nothing and a newer export updates the rows that changed.
create table imported_row (
  case_id bigint primary key references service_case (id),
  source_id integer not null references import_source (id),
  source_row_id text not null,
  row_hash text not null,
  raw text not null,
  -- Anomalies the import flagged on this row (never silently fixed).
  anomalies text[] not null default '{}',
  imported_at timestamptz not null,
  updated_at timestamptz not null,
  unique (source_id, source_row_id)
);
create index service_case_imported on service_case (import_source_id, division_id) where import_source_id is not null;
