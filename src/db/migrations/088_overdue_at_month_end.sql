-- What was overdue at each month end (issue 12's "backlog and overdue over time"), kept in the
-- aggregates like every other tally, so the dashboard's cost follows what it shows, not the history.
--
-- A resolved case was overdue from its acknowledgment target until it was acknowledged (when that
-- was late), and from its resolution target until it was resolved (when that was late); the two
-- spans merge when they overlap. Each span adds +1 in the month it starts and -1 in the month it
-- ends (basis 'overdue', column `cases`), so the overdue resolved cases at the end of a month are
-- the sum of every earlier month's and its own. Open cases are counted from the open cases when a
-- figure is computed (their span has not ended). Same reading as the dashboard's "Overdue now":
-- an acknowledgment or a resolution target has passed (src/performance/kpi-tallies.ts).

create function citydesk_kpi_overdue_span(c service_case, starts timestamptz, ends timestamptz, sign integer, zone text) returns void language plpgsql as $$
declare
  m_start date := date_trunc('month', starts at time zone zone)::date;
  m_end date := date_trunc('month', ends at time zone zone)::date;
begin
  if starts is null or ends is null or ends <= starts or m_start = m_end then return; end if;
  insert into kpi_delta (basis, month, kind, division_id, request_type_id, channel, cases)
  values ('overdue', m_start, c.kind, c.division_id, coalesce(c.request_type_id, 0), coalesce(c.channel, ''), sign),
         ('overdue', m_end, c.kind, c.division_id, coalesce(c.request_type_id, 0), coalesce(c.channel, ''), -sign);
end $$;

create function citydesk_kpi_overdue(c service_case, sign integer) returns void language plpgsql as $$
declare
  zone text := citydesk_time_zone();
  acked timestamptz := coalesce(c.acknowledged_at, case when c.acknowledgment_recorded then c.resolved_at end);
  a_start timestamptz;
  a_end timestamptz;
  r_start timestamptz;
begin
  if c.resolved_at is null or c.first_contact_resolution then return; end if;
  if acked is not null and acked > c.acknowledge_by then a_start := c.acknowledge_by; a_end := least(acked, c.resolved_at); end if;
  if c.kind = 'service_request' and c.resolve_by is not null and c.resolved_at > c.resolve_by then r_start := c.resolve_by; end if;
  if a_start is not null and r_start is not null and a_end >= r_start then
    perform citydesk_kpi_overdue_span(c, a_start, c.resolved_at, sign, zone);
  else
    perform citydesk_kpi_overdue_span(c, a_start, a_end, sign, zone);
    perform citydesk_kpi_overdue_span(c, r_start, c.resolved_at, sign, zone);
  end if;
end $$;

create function citydesk_kpi_overdue_change() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then perform citydesk_kpi_overdue(old, -1); end if;
  if tg_op in ('INSERT', 'UPDATE') then perform citydesk_kpi_overdue(new, 1); end if;
  return null;
end $$;

-- Only resolved cases have spans: intake inserts nothing here, and the sweep changes none of these columns.
create trigger service_case_kpi_overdue after insert or delete on service_case
  for each row execute function citydesk_kpi_overdue_change();
create trigger service_case_kpi_overdue_update after update on service_case
  for each row when (
    old.status is distinct from new.status or old.kind is distinct from new.kind or old.channel is distinct from new.channel
    or old.division_id is distinct from new.division_id or old.request_type_id is distinct from new.request_type_id
    or old.acknowledge_by is distinct from new.acknowledge_by or old.resolve_by is distinct from new.resolve_by
    or old.acknowledged_at is distinct from new.acknowledged_at or old.resolved_at is distinct from new.resolved_at
    or old.first_contact_resolution is distinct from new.first_contact_resolution
    or old.acknowledgment_recorded is distinct from new.acknowledgment_recorded
  )
  execute function citydesk_kpi_overdue_change();

-- Cases resolved before this migration.
do $$ declare r service_case; begin for r in select * from service_case where resolved_at is not null loop perform citydesk_kpi_overdue(r, 1); end loop; end $$;
