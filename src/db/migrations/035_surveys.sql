-- Customer satisfaction surveys (issue 14, CSS §6.2, INTERPRETATION §7): an invitation after
-- resolution by the customer's preferred channel (a signed e-mail link, or the follow-up call
-- list), the answers, and the cases a "not resolved" answer puts back in front of their division.

-- A customer as the survey knows them: a normalized e-mail address ('email:dana@example.org') or
-- phone number ('phone:7055550142'). The row is locked while a sweep decides, so two sweepers
-- never both invite one customer within the limit; an opt-out is kept here for good.
create table survey_customer (
  customer_key text primary key,
  last_invited_at timestamptz,
  opted_out_at timestamptz
);

-- The one invitation a case can have (unique case_id: a second sweeper's insert is a no-op).
create table survey_invitation (
  id bigint generated always as identity primary key,
  case_id bigint not null unique references service_case (id),
  division_id integer not null references division (id),
  request_type_id integer references request_type (id),
  -- 'email': a personal link went out through the outbox; 'phone': an entry on the call list.
  channel text not null check (channel in ('email', 'phone')),
  -- The keys of the customer's contact details (survey_customer), e-mail and/or phone.
  customer_keys text[] not null,
  invited_at timestamptz not null,
  expires_at timestamptz not null,
  -- The call list: the last call's outcome when nobody answered the survey on it.
  call_outcome text check (call_outcome in ('no_answer', 'declined')),
  called_at timestamptz,
  called_by integer references staff_user (id),
  call_attempts integer not null default 0
);
create index survey_invitation_invited on survey_invitation (invited_at);
create index survey_invitation_calls on survey_invitation (invited_at) where channel = 'phone';

-- A resolved case the sweep decided not to survey, and why (so it is looked at once).
create table survey_skip (
  case_id bigint primary key references service_case (id),
  decided_at timestamptz not null,
  reason text not null check (reason in ('anonymous', 'do_not_contact', 'no_contact_method', 'opted_out', 'recently_invited'))
);

-- An answer: one per invitation (a second answer to the same link is refused by this key).
create table survey_answer (
  id bigint generated always as identity primary key,
  invitation_id bigint not null unique references survey_invitation (id),
  answered_at timestamptz not null,
  -- How it was given: 'web' (the e-mailed link) or 'phone' (a follow-up call).
  channel text not null check (channel in ('web', 'phone')),
  rating smallint not null check (rating between 1 and 5),
  resolved text not null check (resolved in ('yes', 'partly', 'no')),
  comment text check (char_length(comment) <= 4000),
  recorded_by integer references staff_user (id)
);
create index survey_answer_at on survey_answer (answered_at);
create trigger survey_answer_history before update or delete on survey_answer
  for each row execute function citydesk_refuse_change();

-- "No, it is not resolved" with a comment: the division looks at the case again and decides to
-- reopen it or reply. The customer is not told anything unless staff do one of those.
create table survey_recheck (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  answer_id bigint not null unique references survey_answer (id),
  division_id integer not null references division (id),
  listed_at timestamptz not null,
  decided_at timestamptz,
  decision text check (decision in ('reopened', 'replied', 'no_action')),
  decision_note text,
  decided_by integer references staff_user (id)
);
create index survey_recheck_open on survey_recheck (division_id, listed_at) where decided_at is null;

-- The key that signs survey links when SURVEY_LINK_SECRET is not set: made once, shared by every
-- copy of citydesk on this database.
create table app_secret (
  name text primary key,
  value text not null,
  created_at timestamptz not null
);

-- Resolved cases the sweep has not decided about yet are found by this index.
create index service_case_resolved_at on service_case (resolved_at) where status = 'resolved';
