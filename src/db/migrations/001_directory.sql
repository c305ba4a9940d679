-- The municipality, its organization and its Division Service Targets (issue 2).

create table municipality (
  id integer primary key default 1 check (id = 1),
  name text not null,
  -- Calendar rules, closure rules, contact, channels' emergency line, general-inquiry target:
  -- the parts of config/ that are settings rather than rows.
  settings jsonb not null,
  -- Bumped by every change to the closure calendar, so every server copy rebuilds its calendar.
  calendar_revision integer not null default 0,
  seeded_at timestamptz not null,
  updated_at timestamptz not null
);

create table department (
  id integer generated always as identity primary key,
  code text not null unique,
  name text not null,
  head_title text not null,
  is_cao_office boolean not null default false
);

create table division (
  id integer generated always as identity primary key,
  code text not null unique,
  department_id integer not null references department (id),
  name text not null,
  head_title text not null,
  contact_phone text,
  contact_email text,
  is_customer_service boolean not null default false
);

create table staff_role (
  code text primary key,
  name text not null
);

create table service_centre (
  id integer generated always as identity primary key,
  code text not null unique,
  name text not null,
  address text not null
);

create table channel (
  code text primary key,
  name text not null,
  hours text not null check (hours in ('administration', 'always', 'outside-administration')),
  phones text[] not null default '{}',
  email text,
  url text,
  service_requests boolean not null
);

-- Administrators' changes to the generated closure calendar: one row a date.
create table closure_change (
  closure_date date primary key,
  action text not null check (action in ('add', 'remove')),
  name text not null,
  reason text,
  changed_by text not null,
  changed_at timestamptz not null
);

create table request_type (
  id integer generated always as identity primary key,
  code text not null unique,
  name text not null,
  description text not null,
  division_id integer not null references division (id),
  attributes jsonb not null default '[]',
  after_hours_line boolean not null default false,
  active boolean not null default true
);

-- A division's Division Service Targets, versioned (CSS §4, §8.2). A version applies to requests
-- received on or after its effective date; a case keeps the version in force at its receipt.
create table dst_version (
  id integer generated always as identity primary key,
  division_id integer not null references division (id),
  version integer not null,
  effective_from date not null,
  created_at timestamptz not null,
  note text,
  unique (division_id, version),
  unique (division_id, effective_from)
);

create table dst_target (
  dst_version_id integer not null references dst_version (id),
  request_type_id integer not null references request_type (id),
  acknowledge_amount integer not null check (acknowledge_amount >= 0),
  acknowledge_unit text not null check (acknowledge_unit in ('business_days', 'business_hours', 'hours', 'calendar_days')),
  resolve_amount integer not null check (resolve_amount >= 0),
  resolve_unit text not null check (resolve_unit in ('business_days', 'business_hours', 'hours', 'calendar_days')),
  -- {"attribute": "road_class", "values": {"2": {"resolve": {"amount": 4, "unit": "calendar_days"}}}}
  targets_by jsonb,
  primary key (dst_version_id, request_type_id)
);

-- DST versions and their targets are history: a case points at the version it was measured by.
create function citydesk_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '% rows are history and cannot be changed or deleted', tg_table_name
    using errcode = 'restrict_violation';
end;
$$;

create trigger dst_version_history before update or delete on dst_version
  for each row execute function citydesk_refuse_change();
create trigger dst_target_history before update or delete on dst_target
  for each row execute function citydesk_refuse_change();

-- Credentials for the Open311 API. Only a SHA-256 hash of the key is kept.
create table api_key (
  id integer generated always as identity primary key,
  name text not null,
  key_hash text not null unique,
  key_prefix text not null,
  created_at timestamptz not null,
  revoked_at timestamptz
);
