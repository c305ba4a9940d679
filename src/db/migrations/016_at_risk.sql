-- At risk, before the breach (issue 12): each case is warned once per target (and due time), so a
-- digest never repeats a case a sweep already warned about.
create table at_risk_warning (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  target text not null check (target in ('acknowledgment', 'resolution')),
  due timestamptz not null,
  warned_at timestamptz not null,
  unique (case_id, target, due)
);
create index service_case_open_received on service_case (division_id, received_at) where status = 'open';
