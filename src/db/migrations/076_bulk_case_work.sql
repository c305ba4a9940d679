-- Bulk work from a queue (issue 18 point 5): several cases assigned or transferred at once. Each
-- case goes through the single-case use case (its own transaction, event and policy); this row
-- keeps what the one action did and refused, case by case, so the queue page can say so after its
-- redirect and the record shows who did it. It holds references, staff and division names and the
-- refusals' words: no customer's personal data.
create table bulk_case_work (
  id bigint generated always as identity primary key,
  staff_id integer not null references staff_user (id),
  at timestamptz not null,
  action text not null check (action in ('assign', 'transfer')),
  -- {"done": [{"reference", "what"}], "refused": [{"reference", "why"}]}
  outcome jsonb not null
);
create index bulk_case_work_staff on bulk_case_work (staff_id, id);
