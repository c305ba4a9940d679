-- Response templates (issue 18): ready-made words per division, request type and action, with
-- placeholders filled from the case. Heads and administrators manage them; staff edit the filled
-- text before it is sent.
create table response_template (
  id integer generated always as identity primary key,
  division_id integer not null references division (id),
  -- Null: every case of the division (its general inquiries among them).
  request_type_id integer references request_type (id),
  action text not null check (action in ('acknowledge', 'update', 'resolve', 'transfer')),
  name text not null check (length(name) between 1 and 120),
  body text not null check (length(body) between 1 and 4000),
  active boolean not null default true,
  -- Shipped in config/response-templates.yaml under this code; staff-made ones have none.
  config_code text unique,
  updated_at timestamptz not null,
  updated_by integer references staff_user (id)
);
create index response_template_offer on response_template (division_id, action) where active;
