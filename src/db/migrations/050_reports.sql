-- Reports of CSS §6.3 (issue 15): the bi-annual performance report to the Senior Management Team
-- and the Working Group, the annual update to Council and the customer-feedback analysis. Each
-- generation is a new version, kept exactly as generated: its figures, charts and text never
-- change (the trigger refuses updates and deletes, as for other history).

create table report (
  id integer generated always as identity primary key,
  kind text not null check (kind in ('biannual', 'annual', 'feedback')),
  -- The period's code: 2026-H1, 2026, 2026-Q3 (or 2026-01-01..2026-03-31 for any period).
  period text not null,
  period_from date not null,
  period_to date not null,
  version integer not null,
  generated_at timestamptz not null,
  -- Who generated it: a staff account, or the command line (generated_by null).
  generated_by integer references staff_user (id),
  generated_by_label text not null,
  formula_version text not null,
  -- Everything the report shows: figures, tables, charts (as SVG) and text, as generated.
  content jsonb not null,
  check (period_from <= period_to),
  unique (kind, period, version)
);
create index report_by_period on report (kind, period_to desc, version desc);

create trigger report_history before update or delete on report
  for each row execute function citydesk_refuse_change();

-- The Manager of Customer Service's comment on a scorecard row, written before the report is
-- issued. Once the version is issued its comments are part of it and cannot change.
create table report_comment (
  report_id integer not null references report (id),
  row_key text not null,
  comment text not null check (length(comment) between 1 and 2000),
  written_at timestamptz not null,
  written_by integer not null references staff_user (id),
  primary key (report_id, row_key)
);

-- A version issued to its audience: which version went to the Senior Management Team and the
-- Working Group, or to Council. Issuing is history too.
create table report_issue (
  id integer generated always as identity primary key,
  report_id integer not null references report (id),
  audience text not null check (audience in ('smt_working_group', 'council', 'working_group')),
  issued_at timestamptz not null,
  issued_by integer not null references staff_user (id),
  -- The recipients the link was sent to, as they were configured then.
  recipients text[] not null,
  unique (report_id, audience)
);
create index report_issue_by_report on report_issue (report_id);

create trigger report_issue_history before update or delete on report_issue
  for each row execute function citydesk_refuse_change();

create function citydesk_report_comment_open() returns trigger language plpgsql as $$
begin
  if exists (select 1 from report_issue where report_id = coalesce(new.report_id, old.report_id)) then
    raise exception 'report % is issued: its comments are part of the issued version and cannot change', coalesce(new.report_id, old.report_id)
      using errcode = 'restrict_violation';
  end if;
  return coalesce(new, old);
end;
$$;
create trigger report_comment_frozen before insert or update or delete on report_comment
  for each row execute function citydesk_report_comment_open();

-- Customer comments staff choose for the feedback section of a report, with personal information
-- taken out (the quote is what the report prints, never the comment as written).
create table report_quote (
  feedback_id bigint primary key references customer_feedback (id),
  quote text not null check (length(quote) between 1 and 600),
  chosen_at timestamptz not null,
  chosen_by integer not null references staff_user (id)
);
