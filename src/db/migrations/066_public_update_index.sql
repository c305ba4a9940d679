-- The public updates (open311-update-status.ts's updateEventTypes) grew: a duplicate marked and
-- undone (issue 18, 060) and the progress note without a new date (CSS §3.3, 065). The partial
-- index on their time must list every one of them, or the updates list and the followers' sweep,
-- which ask for all of them at once, can no longer use it.
drop index if exists case_event_public_update_at;
create index case_event_public_update_at on case_event (at)
  where type in ('acknowledged', 'updated', 'progress_note', 'transfer_confirmed', 'reclassified', 'escalated', 'resolved', 'reopened', 'customer_update_answered', 'marked_duplicate', 'duplicate_undone');
