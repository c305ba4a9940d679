-- Each server copy keeps the directory in memory (settings, calendar and closure days, channels,
-- Service Centres, divisions, request types, Division Service Targets) and reloads it when this
-- number moves. Seeding and closure-calendar changes bump it; a change made by hand in SQL must
-- bump it too (update municipality set directory_revision = directory_revision + 1).
alter table municipality add column directory_revision integer not null default 0;
