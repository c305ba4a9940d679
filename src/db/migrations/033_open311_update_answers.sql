-- The division's answers to residents' "not fixed" (issue 20) are updates too: the index on the
-- time of the public events covers them.
drop index if exists case_event_public_update_at;
create index case_event_public_update_at on case_event (at)
  where type in ('acknowledged', 'updated', 'transfer_confirmed', 'reclassified', 'escalated', 'resolved', 'reopened', 'customer_update_answered');
