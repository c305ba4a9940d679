-- Breaches, the escalation pathway, escalation requests and customer feedback (issue 4, CSS §5).

alter table service_case
  -- When the sweep must next look at this case: its earliest deadline or escalation step. A sweep
  -- reads only the cases whose time has come.
  add column next_check_at timestamptz,
  add column escalation_level integer not null default 0 check (escalation_level between 0 and 3),
  add column escalated_at timestamptz,
  -- When the promised date (revised_resolve_by / committed_by) was last set.
  add column revised_at timestamptz;

create index service_case_next_check on service_case (next_check_at) where next_check_at is not null;

-- A deadline missed: recorded once per case, kind and deadline, never changed or removed.
create table case_breach (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  kind text not null check (kind in ('acknowledgment', 'resolution', 'update', 'transfer_receipt')),
  deadline timestamptz not null,
  detected_at timestamptz not null,
  division_id integer not null references division (id),
  unique (case_id, kind, deadline)
);
create index case_breach_detected on case_breach (detected_at);
create trigger case_breach_history before update or delete on case_breach
  for each row execute function citydesk_refuse_change();

-- §5.2: level 1 Division Head, level 2 Department Head, level 3 CAO. Once per case and level.
create table escalation (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  level integer not null check (level between 1 and 3),
  escalated_at timestamptz not null,
  reason text not null,
  division_id integer not null references division (id),
  department_id integer not null references department (id),
  -- 'sweep', 'staff', 'public' or 'manager' (from the review list)
  initiated_by text not null,
  initiated_by_staff_id integer references staff_user (id),
  unique (case_id, level)
);
create index escalation_open on escalation (level, division_id, department_id);
create trigger escalation_history before update or delete on escalation
  for each row execute function citydesk_refuse_change();

-- A head's review of an escalation: findings, the revised timeline, the update to the customer.
create table escalation_review (
  id bigint generated always as identity primary key,
  escalation_id bigint not null references escalation (id),
  reviewed_at timestamptz not null,
  reviewer_id integer not null references staff_user (id),
  findings text not null,
  revised_timeline timestamptz not null
);
create index escalation_review_escalation on escalation_review (escalation_id);
create trigger escalation_review_history before update or delete on escalation_review
  for each row execute function citydesk_refuse_change();

-- Two weeks after an escalation, a request that is updated and within its revised timeline but
-- still unresolved waits here for the Manager of Customer Service to escalate it or say why not.
create table review_list_entry (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  escalation_id bigint not null references escalation (id) unique,
  listed_at timestamptz not null,
  decided_at timestamptz,
  decision text check (decision in ('escalated', 'not_escalated')),
  decision_reason text,
  decided_by integer references staff_user (id)
);
create index review_list_open on review_list_entry (listed_at) where decided_at is null;

-- Every request to escalate (public or staff) and the answer given at once (§5.3).
create table escalation_request (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  requested_at timestamptz not null,
  requested_by text not null,
  requested_by_staff_id integer references staff_user (id),
  grounds text not null check (grounds in ('missed_target', 'disagree_with_outcome')),
  outcome text not null check (outcome in ('accepted', 'declined')),
  answer text not null,
  escalation_id bigint references escalation (id)
);
create trigger escalation_request_history before update or delete on escalation_request
  for each row execute function citydesk_refuse_change();

create table customer_feedback (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  received_at timestamptz not null,
  kind text not null,
  text text not null
);

-- One-time codes the public receives at the contact on file to ask for an escalation.
create table escalation_code (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  code_hash text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  attempts integer not null default 0
);
create index escalation_code_case on escalation_code (case_id, created_at);

-- Cases recorded before this migration start with their next check at their next deadline.
update service_case set next_check_at = next_due_at where status = 'open';

alter table case_message drop constraint case_message_kind_check;
alter table case_message add constraint case_message_kind_check
  check (kind in ('receipt', 'acknowledgment', 'update', 'transfer', 'resolution', 'escalation', 'reopened', 'escalation_code', 'escalation_answer'));
