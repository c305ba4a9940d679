-- Wrong passwords counted per e-mail address, whether or not an account has it, so that the
-- lock-out answers the same way for every address and tells no one who works at the City. The
-- address is kept only as a hash.
create table sign_in_throttle (
  email_key text primary key,
  failures integer not null default 0,
  locked_until timestamptz,
  updated_at timestamptz not null
);
