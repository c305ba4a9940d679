-- Performance monitoring (issue 12, CSS §6.2): the settled facts of every case, kept current in
-- the same transaction as each change, so dashboards read a table that stays small whatever the
-- history. Definitions: src/standard/performance-indicators.ts and docs/performance.md.

alter table service_case
  -- False for imported history whose source never recorded an acknowledgment: "not recorded",
  -- counted neither on time nor missed (INTERPRETATION §7).
  add column acknowledgment_recorded boolean not null default true,
  -- Completion time in business days (receipt business day to the date of resolution), written by
  -- whoever resolves the case: the closure calendar lives in the application, not in SQL.
  add column completion_business_days integer check (completion_business_days >= 0);

-- The City's time zone decides the month a case counts in: the municipality's calendar setting.
create function citydesk_time_zone() returns text language sql stable as $$
  select coalesce((select settings #>> '{calendar,timeZone}' from municipality where id = 1), 'America/Toronto')
$$;

-- A case's contribution to the tallies, signed: +1 rows when a case arrives or changes to a state,
-- -1 rows for the state it leaves. Insert-only, so intake and the sweep never wait on a hot row;
-- compactKpiDeltas folds them into kpi_month. basis: 'received' (the month of receipt),
-- 'closed' (the month of resolution), 'escalated' (an escalation, in the month it was made).
create table kpi_delta (
  id bigint generated always as identity primary key,
  basis text not null,
  month date not null,
  kind text not null,
  division_id integer not null,
  request_type_id integer not null,
  channel text not null,
  cases integer not null default 0,
  open_cases integer not null default 0,
  ack_on_time integer not null default 0,
  ack_late integer not null default 0,
  ack_not_recorded integer not null default 0,
  res_on_time integer not null default 0,
  res_late integer not null default 0,
  revised_on_time integer not null default 0,
  revised_late integer not null default 0,
  escalated integer not null default 0,
  completed integer not null default 0,
  business_days integer,
  calendar_days integer,
  esc_level integer,
  esc_reason text
);

-- The compacted tallies: one row per month, basis and group. Histograms of whole days (days → cases).
create table kpi_month (
  basis text not null,
  month date not null,
  kind text not null,
  division_id integer not null,
  request_type_id integer not null,
  channel text not null,
  cases bigint not null default 0,
  open_cases bigint not null default 0,
  ack_on_time bigint not null default 0,
  ack_late bigint not null default 0,
  ack_not_recorded bigint not null default 0,
  res_on_time bigint not null default 0,
  res_late bigint not null default 0,
  revised_on_time bigint not null default 0,
  revised_late bigint not null default 0,
  escalated bigint not null default 0,
  completed bigint not null default 0,
  business_days_known bigint not null default 0,
  business_days_sum bigint not null default 0,
  calendar_days_sum bigint not null default 0,
  business_days_histogram jsonb not null default '{}',
  calendar_days_histogram jsonb not null default '{}',
  esc_level_1 bigint not null default 0,
  esc_level_2 bigint not null default 0,
  esc_level_3 bigint not null default 0,
  esc_not_acknowledged bigint not null default 0,
  esc_not_resolved bigint not null default 0,
  esc_on_request bigint not null default 0,
  primary key (basis, month, division_id, request_type_id, channel, kind)
);

-- The settled facts of one case state (what no clock changes): the same reading as
-- acknowledgmentOutcome, resolutionOutcome and revisedTimelineOutcome for a case no longer open
-- to that target. Open cases' missed-or-pending is counted when a figure is computed. A case
-- with no channel (imported history whose channel the City has no name for, 020_history.sql)
-- counts under the channel '' (not recorded).
create function citydesk_kpi_contribution(c service_case, sign integer) returns void language plpgsql as $$
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

create function citydesk_kpi_case_change() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then perform citydesk_kpi_contribution(old, -1); end if;
  if tg_op in ('INSERT', 'UPDATE') then perform citydesk_kpi_contribution(new, 1); end if;
  return null;
end $$;

create trigger service_case_kpi after insert or delete on service_case
  for each row execute function citydesk_kpi_case_change();
-- Only changes to what a tally counts: a sweep moving next_check_at, or a message, costs nothing here.
create trigger service_case_kpi_update after update on service_case
  for each row when (
    old.status is distinct from new.status or old.kind is distinct from new.kind or old.channel is distinct from new.channel
    or old.division_id is distinct from new.division_id or old.request_type_id is distinct from new.request_type_id
    or old.received_at is distinct from new.received_at or old.acknowledge_by is distinct from new.acknowledge_by
    or old.resolve_by is distinct from new.resolve_by or old.acknowledged_at is distinct from new.acknowledged_at
    or old.resolved_at is distinct from new.resolved_at or old.revised_resolve_by is distinct from new.revised_resolve_by
    or old.first_contact_resolution is distinct from new.first_contact_resolution
    or old.acknowledgment_recorded is distinct from new.acknowledgment_recorded
    or old.completion_business_days is distinct from new.completion_business_days
    or (old.escalation_level > 0) is distinct from (new.escalation_level > 0)
  )
  execute function citydesk_kpi_case_change();

-- Escalations by level and reason, in the month made (escalations are never changed or deleted).
create function citydesk_kpi_escalation() returns trigger language plpgsql as $$
declare
  zone text := citydesk_time_zone();
  c service_case;
begin
  select * into c from service_case where id = new.case_id;
  insert into kpi_delta (basis, month, kind, division_id, request_type_id, channel, esc_level, esc_reason)
  values ('escalated', date_trunc('month', new.escalated_at at time zone zone)::date, c.kind, new.division_id, coalesce(c.request_type_id, 0), c.channel, new.level,
          case when new.initiated_by in ('public', 'staff') or new.reason = 'requested' then 'on_request'
               when new.reason in ('not_acknowledged', 'unacknowledged_two_weeks_after_escalation') then 'not_acknowledged'
               else 'not_resolved' end);
  return null;
end $$;

create trigger escalation_kpi after insert on escalation for each row execute function citydesk_kpi_escalation();

-- Adds two day histograms ({"3": 5} + {"3": 1, "4": 2} = {"3": 6, "4": 2}), dropping zeros.
create function citydesk_histogram_add(a jsonb, b jsonb) returns jsonb language sql immutable as $$
  select coalesce(jsonb_object_agg(k, n), '{}') from (
    select k, sum(v::bigint) as n from (select * from jsonb_each_text(coalesce(a, '{}')) union all select * from jsonb_each_text(coalesce(b, '{}'))) x(k, v)
    group by k having sum(v::bigint) <> 0
  ) y
$$;

-- Cases recorded before this migration: their tallies as of now.
do $$ declare r service_case; begin for r in select * from service_case loop perform citydesk_kpi_contribution(r, 1); end loop; end $$;
insert into kpi_delta (basis, month, kind, division_id, request_type_id, channel, esc_level, esc_reason)
select 'escalated', date_trunc('month', e.escalated_at at time zone citydesk_time_zone())::date, c.kind, e.division_id, coalesce(c.request_type_id, 0), c.channel, e.level,
       case when e.initiated_by in ('public', 'staff') or e.reason = 'requested' then 'on_request'
            when e.reason in ('not_acknowledged', 'unacknowledged_two_weeks_after_escalation') then 'not_acknowledged' else 'not_resolved' end
from escalation e join service_case c on c.id = e.case_id;
