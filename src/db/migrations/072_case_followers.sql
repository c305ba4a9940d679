-- Following a request by e-mail (issue 19). Anyone may follow any request; the address is confirmed
-- by a signed link before anything is sent to it, and unfollowing keeps the row (unfollowed_at) so
-- a stale sweep never writes to it again. Followers are not customers: the case never shows them,
-- and no follower learns of another.
create table case_follower (
  id bigint generated always as identity primary key,
  case_id bigint not null references service_case (id),
  email text not null,
  requested_at timestamptz not null,
  confirmed_at timestamptz,
  unfollowed_at timestamptz,
  unique (case_id, email)
);
create index case_follower_following on case_follower (case_id) where confirmed_at is not null and unfollowed_at is null;

-- One notice per follower and public update: the primary key makes a second sweeper's insert a
-- no-op, and the mail is written only for a row this sweep inserted.
create table follower_notice (
  follower_id bigint not null references case_follower (id),
  event_id bigint not null references case_event (id),
  sent_at timestamptz not null,
  primary key (follower_id, event_id)
);
