-- The sweep's queue (issue #11, "the sweep's cost, as a ratio"): when each case must next be
-- looked at, in a narrow table of its own. service_case carries many indexes, so moving a time on
-- the case's own row rewrites every one of them; here a sweep moving 10,000 checks on rewrites a
-- small row and two index entries each. Intake and every case change write it in the same
-- transaction as the case; the sweep moves it on (to the case's next deadline still ahead, or the
-- next step of its escalation). A case with nothing left to check has no time here (null).
-- service_case.next_check_at stays as the case's own next check, set by intake and each change.
create table case_due (
  case_id bigint primary key references service_case (id) on delete cascade,
  next_check_at timestamptz
);
insert into case_due (case_id, next_check_at)
  select id, next_check_at from service_case where next_check_at is not null;
create index case_due_next_check on case_due (next_check_at) where next_check_at is not null;
drop index service_case_next_check;
