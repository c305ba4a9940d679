-- Photos of the problem, sent with a report from the portal (issue 19). The image itself is in
-- stored_file (purpose 'photo'), already resized and with its location and camera data taken out:
-- the bytes the resident sent are never kept. A photo arrives with the form (form_key, the
-- portal form's idempotency key) before the report exists, and belongs to the case once it is sent.
-- The public sees a photo only after staff show it (public_state); staff always see it.
create table case_photo (
  id bigint generated always as identity primary key,
  case_id bigint references service_case (id),
  form_key text not null,
  file_id bigint not null references stored_file (id),
  width integer not null check (width > 0),
  height integer not null check (height > 0),
  public_state text not null default 'pending' check (public_state in ('pending', 'shown', 'hidden')),
  moderation_reason text,
  moderated_at timestamptz,
  moderated_by integer references staff_user (id),
  created_at timestamptz not null
);
create index case_photo_case on case_photo (case_id, id);
create index case_photo_form on case_photo (form_key) where case_id is null;
