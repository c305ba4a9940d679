-- Training and governance, part 3 (issue 16, CSS §8.3, INTERPRETATION §8): proposed Division
-- Service Targets the Working Group drafts, replays against a past period (nothing is written to
-- any case) and accepts as new DST versions.
create table target_proposal (
  id integer generated always as identity primary key,
  title text not null,
  -- Per request type code, the proposed targets (src/standard/targets.ts ServiceTargets).
  targets jsonb not null,
  period_from date not null,
  period_to date not null,
  recommendation_id integer references wg_recommendation (id),
  status text not null default 'draft' check (status in ('draft', 'accepted')),
  created_by integer not null references staff_user (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- The last replay's result (summary and the first changed cases), kept with the proposal.
  replay jsonb,
  replayed_at timestamptz,
  accepted_at timestamptz,
  accepted_by integer references staff_user (id),
  effective_from date,
  dst_version_ids integer[],
  check (period_from <= period_to),
  check ((status = 'accepted') = (accepted_at is not null))
);
