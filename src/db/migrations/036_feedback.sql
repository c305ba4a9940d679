-- Customer feedback in one place (issue 14, CSS §6.3): survey comments, disagreements recorded by
-- escalation requests (§5.3) and the portal's compliments and complaints, which may name no case.
-- Staff tag each with themes (config/feedback.yaml) and mark it read. The text is kept as written.
alter table customer_feedback alter column case_id drop not null;
alter table customer_feedback
  add column themes text[] not null default '{}',
  add column read_at timestamptz,
  add column read_by integer references staff_user (id),
  -- The portal form's optional contact details (staff only; never shown in public).
  add column contact_name text,
  add column contact_email text,
  add column contact_phone text;
create index customer_feedback_received on customer_feedback (received_at desc, id desc);
create index customer_feedback_unread on customer_feedback (received_at) where read_at is null;
