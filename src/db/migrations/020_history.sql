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

-- The tallies of 015_performance.sql, unchanged but for one thing: an imported case whose channel
-- the City has no name for counts under the channel '' (not recorded).
create or replace function citydesk_kpi_contribution(c service_case, sign integer) returns void language plpgsql as $$
declare
  zone text := citydesk_time_zone();
  fcr boolean := c.first_contact_resolution;
  is_request boolean := c.kind = 'service_request';
  acked timestamptz := coalesce(c.acknowledged_at, case when c.acknowledgment_recorded then c.resolved_at end);
  resolved boolean := c.resolved_at is not null;
  a_on integer := case when fcr or (acked is not null and acked <= c.acknowledge_by) then sign else 0 end;
  a_late integer := case when not fcr and acked is not null and acked > c.acknowledge_by then sign else 0 end;
  a_nr integer := case when not fcr and acked is null and not c.acknowledgment_recorded then sign else 0 end;
  r_on integer := case when is_request and c.resolve_by is not null and (fcr or (resolved and c.resolved_at <= c.resolve_by)) then sign else 0 end;
  r_late integer := case when is_request and c.resolve_by is not null and not fcr and resolved and c.resolved_at > c.resolve_by then sign else 0 end;
  v_on integer := case when c.revised_resolve_by is not null and resolved and c.resolved_at <= c.revised_resolve_by then sign else 0 end;
  v_late integer := case when c.revised_resolve_by is not null and resolved and c.resolved_at > c.revised_resolve_by then sign else 0 end;
  bdays integer := case when resolved then coalesce(c.completion_business_days, case when fcr then 0 end) end;
  cdays integer := case when resolved then greatest(0, (c.resolved_at at time zone zone)::date - (c.received_at at time zone zone)::date) end;
  esc integer := case when is_request and c.escalation_level > 0 then sign else 0 end;
  open_n integer := case when c.status = 'open' then sign else 0 end;
begin
  insert into kpi_delta (basis, month, kind, division_id, request_type_id, channel, cases, open_cases, ack_on_time, ack_late, ack_not_recorded,
                         res_on_time, res_late, revised_on_time, revised_late, escalated, completed, business_days, calendar_days)
  values ('received', date_trunc('month', c.received_at at time zone zone)::date, c.kind, c.division_id, coalesce(c.request_type_id, 0), coalesce(c.channel, ''),
          sign, open_n, a_on, a_late, a_nr, r_on, r_late, v_on, v_late, esc, case when resolved then sign else 0 end, bdays, cdays);
  if resolved then
    insert into kpi_delta (basis, month, kind, division_id, request_type_id, channel, cases, open_cases, ack_on_time, ack_late, ack_not_recorded,
                           res_on_time, res_late, revised_on_time, revised_late, escalated, completed, business_days, calendar_days)
    values ('closed', date_trunc('month', c.resolved_at at time zone zone)::date, c.kind, c.division_id, coalesce(c.request_type_id, 0), coalesce(c.channel, ''),
            sign, 0, a_on, a_late, a_nr, r_on, r_late, v_on, v_late, esc, sign, bdays, cdays);
  end if;
end $$;
