-- Duplicates and merge (issue 18): a request staff mark as a duplicate of another closes pointing
-- at its parent; undoing it opens it again. Both are events in the case's history (audited).
alter table service_case
  add column duplicate_of_id bigint references service_case (id),
  add column merged_at timestamptz,
  add constraint service_case_not_own_duplicate check (duplicate_of_id is distinct from id);
-- The parent's timeline lists its duplicates; the KPIs skip them.
create index service_case_duplicate_of on service_case (duplicate_of_id) where duplicate_of_id is not null;

-- Merged requests count once (INTERPRETATION §7, issue 18): the tallies of 015/020, unchanged but
-- for one thing: a request merged into another contributes nothing; its parent carries the count.
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
  if c.duplicate_of_id is not null then return; end if;
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

-- The update trigger of 015, watching the merge too.
drop trigger service_case_kpi_update on service_case;
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
    or old.duplicate_of_id is distinct from new.duplicate_of_id
  )
  execute function citydesk_kpi_case_change();
