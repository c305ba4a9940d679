-- Staff, sessions, cases, their audit events and messages, and the mail outbox (issue 3).

create table staff_user (
  id integer generated always as identity primary key,
  email text not null,
  name text not null,
  role text not null references staff_role (code),
  -- Where the person works: a division (division roles), a department (Department Head), or
  -- neither (corporate roles: CAO, Working Group, administrator).
  division_id integer references division (id),
  department_id integer references department (id),
  password_hash text not null,
  failed_sign_ins integer not null default 0,
  locked_until timestamptz,
  active boolean not null default true,
  created_at timestamptz not null
);
create unique index staff_user_email on staff_user (lower(email));

-- Sessions live in the database so every server copy shares them. Only the token's hash is kept.
create table staff_session (
  token_hash text primary key,
  user_id integer not null references staff_user (id),
  created_at timestamptz not null,
  expires_at timestamptz not null
);
create index staff_session_user on staff_session (user_id);

create sequence service_request_number;
create sequence general_inquiry_number;

create table service_case (
  id bigint generated always as identity primary key,
  -- SR-2026-000123 or GI-2026-000045: the year of receipt and a gap-tolerant sequence number.
  reference text not null unique,
  kind text not null check (kind in ('inquiry', 'service_request')),
  status text not null default 'open' check (status in ('open', 'resolved')),
  channel text not null references channel (code),
  service_centre_id integer references service_centre (id),
  request_type_id integer references request_type (id),
  division_id integer not null references division (id),
  owner_id integer references staff_user (id),
  customer_name text,
  customer_email text,
  customer_phone text,
  preferred_contact text not null default 'none' check (preferred_contact in ('email', 'phone', 'letter', 'in_person', 'none')),
  description text not null,
  summary text not null,
  address text,
  latitude double precision,
  longitude double precision,
  attributes jsonb not null default '{}',
  received_at timestamptz not null,
  recorded_at timestamptz not null,
  created_by integer references staff_user (id),
  -- Who recorded it when not a staff member: 'public' (portal) or 'api:<key name>' (Open311).
  created_via text,
  idempotency_key text,
  idempotency_hash text,
  -- The Division Service Targets in force at receipt, and the original targets (§5: compliance is
  -- always measured against these, never against a revised timeline).
  dst_version_id integer references dst_version (id),
  acknowledge_by timestamptz not null,
  resolve_by timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by integer references staff_user (id),
  -- The date promised to the customer: an inquiry's response timeline or a revised resolution
  -- timeline. When it passes with the case still open, an update is overdue.
  committed_by timestamptz,
  revised_resolve_by timestamptz,
  last_update_at timestamptz,
  transfer_to_division_id integer references division (id),
  transfer_requested_at timestamptz,
  transfer_requested_by integer references staff_user (id),
  transfer_follow_up_by timestamptz,
  resolved_at timestamptz,
  resolved_by integer references staff_user (id),
  resolution text,
  first_contact_resolution boolean not null default false,
  -- The next deadline of an open case (acknowledgment, promised date, resolution, transfer
  -- follow-up): queues sort by it.
  next_due_at timestamptz,
  version integer not null default 1,
  check ((kind = 'service_request') = (request_type_id is not null)),
  check (latitude is null or (latitude between -90 and 90)),
  check (longitude is null or (longitude between -180 and 180))
);
create unique index service_case_idempotency on service_case (coalesce(created_by, 0), coalesce(created_via, ''), idempotency_key)
  where idempotency_key is not null;
create index service_case_division_open on service_case (division_id, next_due_at) where status = 'open';
create index service_case_owner_open on service_case (owner_id, next_due_at) where status = 'open';
create index service_case_unacknowledged on service_case (division_id, acknowledge_by) where status = 'open' and acknowledged_at is null;
create index service_case_resolution_due on service_case (division_id, resolve_by) where status = 'open' and resolve_by is not null;
create index service_case_committed on service_case (division_id, committed_by) where status = 'open' and committed_by is not null;
create index service_case_transfer_in on service_case (transfer_to_division_id, transfer_follow_up_by) where transfer_to_division_id is not null;
create index service_case_transfer_out on service_case (division_id, transfer_follow_up_by) where transfer_to_division_id is not null;
create index service_case_customer_email on service_case (lower(customer_email)) where customer_email is not null;
create index service_case_customer_phone on service_case (customer_phone) where customer_phone is not null;

-- The audit trail: every change to a case, who made it and what changed. Never changed or deleted.
create table case_event (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  at timestamptz not null,
  actor_id integer references staff_user (id),
  actor_label text not null,
  type text not null,
  data jsonb not null default '{}'
);
create index case_event_case on case_event (case_id, at, id);
create trigger case_event_history before update or delete on case_event
  for each row execute function citydesk_refuse_change();

-- Every message to the customer, sent by e-mail or logged as a call, letter or visit.
create table case_message (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  at timestamptz not null,
  kind text not null check (kind in ('receipt', 'acknowledgment', 'update', 'transfer', 'resolution', 'escalation', 'reopened')),
  automated boolean not null,
  method text not null check (method in ('email', 'phone', 'letter', 'in_person', 'record')),
  sent_by integer references staff_user (id),
  subject text not null,
  body text not null
);
create index case_message_case on case_message (case_id, at, id);
create trigger case_message_history before update or delete on case_message
  for each row execute function citydesk_refuse_change();

-- Mail waiting to go out, written in the same transaction as the change that caused it.
create table outbox (
  id bigint generated always as identity primary key,
  message_id text not null unique,
  case_message_id bigint references case_message (id),
  to_address text not null,
  subject text not null,
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null
);
create index outbox_due on outbox (next_attempt_at) where status = 'pending';
