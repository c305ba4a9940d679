-- Requests from Open311 clients (FixMyStreet and other apps) have their own channel, so the KPIs
-- can tell them from the City's own web portal (issue 20). config/channels.yaml names it; this row
-- makes it exist for a City whose configuration predates it.
insert into channel (code, name, hours, service_requests)
values ('open311', 'Reporting apps (FixMyStreet and others, through Open311)', 'always', true)
on conflict (code) do nothing;

-- Open311 discovery's changeset: when the services and their definitions took the form they have.
-- One row per form (a hash of what GET services and services/{code} answer), dated by the first
-- answer that showed it after another form, so the changeset moves exactly when they change.
create table open311_changeset (
  fingerprint text primary key,
  first_seen timestamptz not null
);
