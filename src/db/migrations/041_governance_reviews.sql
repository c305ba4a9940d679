-- Training and governance, part 2 (issue 16, CSS §8.2, §8.3): each division's annual DST review
-- and the Standard's review once per Council term, and the Working Group's recommendations.

create table governance_review (
  id integer generated always as identity primary key,
  kind text not null check (kind in ('dst', 'standard')),
  division_id integer references division (id),
  -- The Council term the Standard's review belongs to (its first day).
  term_start date,
  due_on date not null,
  owner_id integer references staff_user (id),
  created_at timestamptz not null,
  completed_at timestamptz,
  completed_by integer references staff_user (id),
  findings text,
  outcome text check (outcome in ('no_change', 'proposed_change')),
  check ((kind = 'dst') = (division_id is not null)),
  check ((completed_at is null) = (outcome is null)),
  check ((completed_at is null) = (findings is null)),
  unique nulls not distinct (kind, division_id, due_on)
);
-- One open review per division, and one open review of the Standard.
create unique index governance_review_open on governance_review (kind, coalesce(division_id, 0)) where completed_at is null;

create table wg_recommendation (
  id integer generated always as identity primary key,
  review_id integer references governance_review (id),
  division_id integer references division (id),
  title text not null,
  detail text not null,
  status text not null default 'proposed' check (status in ('proposed', 'accepted', 'rejected', 'implemented')),
  proposed_at timestamptz not null,
  proposed_by integer not null references staff_user (id),
  decided_at timestamptz,
  decided_by integer references staff_user (id),
  decision_reason text,
  implemented_at timestamptz,
  implemented_by integer references staff_user (id),
  implementation_note text,
  dst_version_id integer references dst_version (id),
  standard_edition_id integer references standard_edition (id),
  check ((status = 'proposed') = (decided_at is null)),
  check ((status = 'implemented') = (implemented_at is not null)),
  check (status <> 'implemented' or dst_version_id is not null or standard_edition_id is not null)
);
create index wg_recommendation_review on wg_recommendation (review_id);
