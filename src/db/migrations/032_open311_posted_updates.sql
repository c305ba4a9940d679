-- Residents' updates from Open311 clients (the mySociety extension's POST servicerequestupdates,
-- issue 20). Each is a customer message on its case (a case_event of type customer_update); this
-- row makes a client's update_id one update however often it is sent (per api key, since two
-- clients number their updates on their own), and holds whether it waits for the division: a
-- resident saying a resolved request is not fixed waits until the division reopens the case or
-- answers.
create table open311_update (
  id bigint generated always as identity primary key,
  api_key_id integer not null references api_key (id),
  update_id text not null,
  case_id bigint not null references service_case (id),
  case_event_id bigint references case_event (id),
  status text not null,
  received_at timestamptz not null,
  attention_at timestamptz,
  attended_at timestamptz,
  attended_by integer references staff_user (id),
  unique (api_key_id, update_id)
);
create index open311_update_waiting on open311_update (attention_at) where attention_at is not null and attended_at is null;
create index open311_update_case on open311_update (case_id);
