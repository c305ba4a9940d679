-- Each intake statement leaves a row here with its own token and the ids of the cases it wrote.
-- When the connection breaks while a statement is in flight, nobody can tell from the error
-- whether it committed; the writer then claims the same token on a new connection. The primary
-- key lets exactly one of the two win: if the claim wins, the statement did not and never will
-- commit (the create is answered 503, not written); if the token is already there, the cases were
-- written and are answered 201. Rows are kept a day, long after any statement could be in flight.
create table intake_fence (
  token uuid primary key,
  at timestamptz not null,
  case_ids bigint[] not null default '{}'
);
