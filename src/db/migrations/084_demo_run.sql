-- One run of `citydesk demo` (issue 13): what it was asked for and, when it was stopped part-way
-- (Ctrl-C), its checkpoint, so that the next `citydesk demo` continues it where it stopped and
-- ends with the year an uninterrupted run would have made.
create table demo_run (
  id bigint generated always as identity primary key,
  year integer not null,
  seed bigint not null,
  cases_per_year integer not null,
  -- Where the simulation ends, and the --until it was asked for (null: the real time then).
  until timestamptz not null,
  until_asked timestamptz,
  -- running: going on (or killed without a checkpoint); stopped: has a checkpoint to continue from;
  -- finished; failed (an error ended it); abandoned (another year was started on top with --force).
  status text not null check (status in ('running', 'stopped', 'finished', 'failed', 'abandoned')),
  -- Real times, of the run's start and of its last change.
  started_at timestamptz not null,
  updated_at timestamptz not null,
  -- The database's own cases when the run began: a continued run checks nobody added any since.
  own_cases_before integer not null,
  -- The checkpoint: the simulated time reached, the random sequence's state, the steps done, the
  -- remaining agenda (its steps name their case plans by number), the plans, the demo's people
  -- (staff ids by role) and the summary so far. Cleared when the run finishes.
  reached_at timestamptz,
  random_state bigint,
  steps_done integer not null default 0,
  agenda jsonb,
  plans jsonb,
  people jsonb,
  summary jsonb
);
-- At most one run is unfinished: the one the next `citydesk demo` continues (or reports).
create unique index demo_run_one_open on demo_run ((true)) where status in ('running', 'stopped');
