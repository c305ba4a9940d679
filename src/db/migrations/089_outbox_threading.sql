-- A message to a customer who wrote to us answers their latest message: In-Reply-To and References
-- name it, so their mail client shows our answer in the same conversation (issue 17).
alter table outbox add column in_reply_to text, add column reference_ids text;

create or replace view outbox_mail as
  select o.id, o.message_id, o.case_message_id, o.to_address,
         coalesce(o.subject, m.subject) as subject, coalesce(o.body, m.body) as body,
         o.status, o.attempts, o.next_attempt_at, o.last_error, o.sent_at, o.created_at,
         o.in_reply_to, o.reference_ids
  from outbox o left join case_message m on m.id = o.case_message_id;
