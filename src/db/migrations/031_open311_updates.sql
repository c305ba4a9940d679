-- The mySociety updates extension (issue 20). GET servicerequestupdates reads the public events of
-- a time window: an index on their time, for those types only.
create index case_event_public_update_at on case_event (at)
  where type in ('acknowledged', 'updated', 'transfer_confirmed', 'reclassified', 'escalated', 'resolved', 'reopened');
