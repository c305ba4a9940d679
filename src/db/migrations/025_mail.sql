-- The e-mail channel (issue 17, CSS §3.2, §3.3): files kept by citydesk, the messages read from
-- the City's mailbox, the e-mail triage queue and the key that signs citydesk's own Message-IDs.

-- Files citydesk keeps (e-mail attachments and raw messages today; the portal's photos later).
-- They live in the database, not on a disk: every server copy sees the same files without a
-- shared folder, a file is written in the same transaction as what refers to it (never an
-- orphan or a dangling link after a crash), and the City's database backup holds them too.
create table stored_file (
  id bigint generated always as identity primary key,
  purpose text not null check (purpose in ('raw_mail', 'mail_attachment', 'photo')),
  filename text,
  content_type text not null,
  size integer not null check (size >= 0),
  sha256 text not null,
  data bytea not null,
  created_at timestamptz not null
);

-- What each server copy last saw of the mailbox: shown to administrators.
create table mailbox_state (
  mailbox text primary key,
  uid_validity bigint,
  last_attempt_at timestamptz,
  last_success_at timestamptz,
  failures integer not null default 0,
  last_error text,
  taken integer not null default 0
);

-- Every message read from the mailbox, kept (its raw text in stored_file, so a change to parsing
-- can be replayed) with what citydesk did with it. A message is taken once: by its place in the
-- mailbox (a UID is only meaningful with its UIDVALIDITY) and by its Message-ID (or, without
-- one, its content's hash), so a restart, a second server copy or a mailbox that renumbered its
-- UIDs never takes it twice.
create table inbound_mail (
  id bigint generated always as identity primary key,
  mailbox text not null,
  uid_validity bigint not null,
  uid bigint not null,
  message_key text not null,
  message_id text,
  -- INTERNALDATE: when the message arrived in the mailbox, the e-mail contact's receipt time
  -- (INTERPRETATION §1).
  arrived_at timestamptz not null,
  taken_at timestamptz not null,
  raw_file_id bigint not null references stored_file (id),
  from_address text,
  from_name text,
  subject text not null,
  body_text text not null,
  in_reply_to text,
  -- new_contact: to the triage queue; reply: threaded to case_id; auto_reply and loop: recorded
  -- and dropped; bounce: the customer's address failed (case_id when it names one).
  kind text not null check (kind in ('new_contact', 'reply', 'auto_reply', 'loop', 'bounce')),
  kind_reason text,
  case_id bigint references service_case (id),
  -- The triage of a new contact (Customer Service): open until converted, answered or set aside.
  triage_status text check (triage_status in ('open', 'converting', 'converted', 'answered', 'not_contact')),
  decided_at timestamptz,
  decided_by integer references staff_user (id),
  decision_note text,
  -- A reply or bounce waits for the case's division until someone deals with it.
  attention_at timestamptz,
  attended_at timestamptz,
  attended_by integer references staff_user (id),
  unique (mailbox, uid_validity, uid),
  unique (message_key),
  check ((kind = 'new_contact') = (triage_status is not null))
);
create index inbound_mail_triage on inbound_mail (arrived_at, id) where triage_status in ('open', 'converting');
create index inbound_mail_case on inbound_mail (case_id, arrived_at) where case_id is not null;
create index inbound_mail_attention on inbound_mail (attention_at) where attention_at is not null and attended_at is null;

create table inbound_mail_attachment (
  id bigint generated always as identity primary key,
  inbound_mail_id bigint not null references inbound_mail (id),
  filename text not null,
  content_type text not null,
  size integer not null,
  -- Null when the file was not kept; the reason says why (type or size).
  file_id bigint references stored_file (id),
  refused_reason text
);
create index inbound_mail_attachment_mail on inbound_mail_attachment (inbound_mail_id, id);

-- Who did what with a message (converted it, answered it, set it aside as not a contact). Never
-- changed or deleted.
create table mail_event (
  id bigint generated always as identity primary key,
  inbound_mail_id bigint not null references inbound_mail (id),
  at timestamptz not null,
  actor_id integer references staff_user (id),
  actor_label text not null,
  type text not null,
  data jsonb not null default '{}'
);
create index mail_event_mail on mail_event (inbound_mail_id, at, id);
create trigger mail_event_history before update or delete on mail_event
  for each row execute function citydesk_refuse_change();

-- The customer's address failed on a case (a bounce): acknowledgment must reach them another way (§4.1).
create table undeliverable_address (
  case_id bigint not null references service_case (id),
  address text not null,
  inbound_mail_id bigint not null references inbound_mail (id),
  detected_at timestamptz not null,
  diagnostic text,
  primary key (case_id, address)
);

-- The key of HMAC-SHA256 signatures in citydesk's Message-IDs, one for every server copy: 64
-- random bytes (four version-4 UUIDs, from the server's strong random source), with the HMAC's
-- inner and outer pads so the intake statement can sign in SQL what it numbers there.
create table mail_signing_key (
  id integer primary key check (id = 1),
  key bytea not null,
  ipad bytea not null,
  opad bytea not null
);
insert into mail_signing_key (id, key, ipad, opad)
select 1, k,
       decode(string_agg(lpad(to_hex(get_byte(k, i) # 54), 2, '0'), '' order by i), 'hex'),
       decode(string_agg(lpad(to_hex(get_byte(k, i) # 92), 2, '0'), '' order by i), 'hex')
from (select decode(replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex') as k) r,
     generate_series(0, 63) as i
group by k;
