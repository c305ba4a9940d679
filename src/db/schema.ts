import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { TargetUnit } from '../standard/targets.js';
import type { GovernanceTables } from './governance-tables.js';
import type { FeedbackDatabase } from '../feedback/feedback-tables.js';
import type { ResidentTables } from './resident-tables.js';
import type { ReportDatabase } from '../reports/report-tables.js';
import type { KnowledgeTables } from './knowledge-tables.js';

/** The tables, as Kysely sees them. Dates (`date` columns) are YYYY-MM-DD strings. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface MunicipalityTable {
  id: Generated<number>;
  name: string;
  settings: Json<unknown>;
  calendar_revision: Generated<number>;
  directory_revision: Generated<number>;
  seeded_at: Timestamp;
  updated_at: Timestamp;
}

export interface DepartmentTable {
  id: Generated<number>;
  code: string;
  name: string;
  head_title: string;
  is_cao_office: Generated<boolean>;
}

export interface DivisionTable {
  id: Generated<number>;
  code: string;
  department_id: number;
  name: string;
  head_title: string;
  contact_phone: string | null;
  contact_email: string | null;
  is_customer_service: Generated<boolean>;
}

export interface StaffRoleTable {
  code: string;
  name: string;
}

export interface ServiceCentreTable {
  id: Generated<number>;
  code: string;
  name: string;
  address: string;
}

export interface ChannelTable {
  code: string;
  name: string;
  hours: 'administration' | 'always' | 'outside-administration';
  phones: ColumnType<string[], string[], string[]>;
  email: string | null;
  url: string | null;
  service_requests: boolean;
}

export interface ClosureChangeTable {
  closure_date: string;
  action: 'add' | 'remove';
  name: string;
  reason: string | null;
  changed_by: string;
  changed_at: Timestamp;
}

export interface RequestTypeTable {
  id: Generated<number>;
  code: string;
  name: string;
  description: string;
  division_id: number;
  attributes: Json<unknown>;
  after_hours_line: Generated<boolean>;
  active: Generated<boolean>;
  nearby_metres: Generated<number>;
  portal_group: string | null;
  portal_order: Generated<number>;
}

export interface DstVersionTable {
  id: Generated<number>;
  division_id: number;
  version: number;
  effective_from: string;
  created_at: Timestamp;
  note: string | null;
}

export interface DstTargetTable {
  dst_version_id: number;
  request_type_id: number;
  acknowledge_amount: number;
  acknowledge_unit: TargetUnit;
  resolve_amount: number;
  resolve_unit: TargetUnit;
  targets_by: Json<unknown> | null;
}

export interface ApiKeyTable {
  id: Generated<number>;
  name: string;
  key_hash: string;
  key_prefix: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export type RoleCodeColumn =
  | 'customer_service'
  | 'division_staff'
  | 'division_head'
  | 'department_head'
  | 'manager_customer_service'
  | 'cao'
  | 'working_group'
  | 'administrator';

export interface StaffUserTable {
  id: Generated<number>;
  email: string;
  name: string;
  role: RoleCodeColumn;
  division_id: number | null;
  department_id: number | null;
  password_hash: string;
  failed_sign_ins: Generated<number>;
  locked_until: Timestamp | null;
  active: Generated<boolean>;
  created_at: Timestamp;
}

export interface SignInThrottleTable {
  /** sha256 of the lower-cased e-mail address. */
  email_key: string;
  failures: Generated<number>;
  locked_until: Timestamp | null;
  updated_at: Timestamp;
}

export interface StaffSessionTable {
  token_hash: string;
  user_id: number;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export type CaseKind = 'inquiry' | 'service_request';
export type CaseStatus = 'open' | 'resolved';
export type PreferredContact = 'email' | 'phone' | 'letter' | 'in_person' | 'none';
export type MessageKind = 'receipt' | 'acknowledgment' | 'update' | 'transfer' | 'resolution' | 'escalation' | 'reopened' | 'escalation_code' | 'escalation_answer';
export type MessageMethod = 'email' | 'phone' | 'letter' | 'in_person' | 'record';

export interface ServiceCaseTable {
  id: Generated<number>;
  reference: string;
  kind: CaseKind;
  status: Generated<CaseStatus>;
  /** Null only on an imported case whose channel the City has no name for. */
  channel: string | null;
  service_centre_id: number | null;
  request_type_id: number | null;
  division_id: number;
  owner_id: number | null;
  customer_name: string | null;
  customer_email: string | null;
  customer_phone: string | null;
  preferred_contact: Generated<PreferredContact>;
  description: string;
  summary: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  attributes: Json<Record<string, string | string[]>>;
  received_at: Timestamp;
  recorded_at: Timestamp;
  created_by: number | null;
  created_via: string | null;
  idempotency_key: string | null;
  idempotency_hash: string | null;
  dst_version_id: number | null;
  acknowledge_by: Timestamp;
  resolve_by: Timestamp | null;
  acknowledged_at: Timestamp | null;
  acknowledged_by: number | null;
  committed_by: Timestamp | null;
  revised_resolve_by: Timestamp | null;
  last_update_at: Timestamp | null;
  transfer_to_division_id: number | null;
  transfer_requested_at: Timestamp | null;
  transfer_requested_by: number | null;
  transfer_follow_up_by: Timestamp | null;
  resolved_at: Timestamp | null;
  resolved_by: number | null;
  resolution: string | null;
  first_contact_resolution: Generated<boolean>;
  media_url: string | null;
  address_id: string | null;
  next_due_at: Timestamp | null;
  version: Generated<number>;
  next_check_at: Timestamp | null;
  escalation_level: Generated<number>;
  escalated_at: Timestamp | null;
  revised_at: Timestamp | null;
  acknowledgment_recorded: Generated<boolean>;
  completion_business_days: number | null;
  /** Imported history (020_history.sql): never swept, queued or mailed. */
  import_source_id: number | null;
  resolve_by_basis: 'source_due_date' | 'city_dst' | 'none' | null;
  /** Moderation of the public text (071): hidden, or shown as public_description. */
  description_moderation: 'hidden' | 'redacted' | null;
  public_description: string | null;
  /** Marked a duplicate of this case (060_duplicates.sql): closed, counted once, through its parent. */
  duplicate_of_id: number | null;
  merged_at: Timestamp | null;
}

/** The sweep's queue: when each case must next be looked at (migration 012). */
export interface CaseDueTable {
  case_id: number;
  next_check_at: Timestamp | null;
}

export type BreachKind = 'acknowledgment' | 'resolution' | 'update' | 'transfer_receipt';

export interface CaseBreachTable {
  id: Generated<number>;
  case_id: number;
  kind: BreachKind;
  deadline: Timestamp;
  detected_at: Timestamp;
  division_id: number;
}

export interface EscalationTable {
  id: Generated<number>;
  case_id: number;
  level: number;
  escalated_at: Timestamp;
  reason: string;
  division_id: number;
  department_id: number;
  initiated_by: 'sweep' | 'staff' | 'public' | 'manager';
  initiated_by_staff_id: number | null;
}

export interface EscalationReviewTable {
  id: Generated<number>;
  escalation_id: number;
  reviewed_at: Timestamp;
  reviewer_id: number;
  findings: string;
  revised_timeline: Timestamp;
}

export interface ReviewListEntryTable {
  id: Generated<number>;
  case_id: number;
  escalation_id: number;
  listed_at: Timestamp;
  decided_at: Timestamp | null;
  decision: 'escalated' | 'not_escalated' | null;
  decision_reason: string | null;
  decided_by: number | null;
}

export interface EscalationRequestTable {
  id: Generated<number>;
  case_id: number;
  requested_at: Timestamp;
  requested_by: string;
  requested_by_staff_id: number | null;
  grounds: 'missed_target' | 'disagree_with_outcome';
  outcome: 'accepted' | 'declined';
  answer: string;
  escalation_id: number | null;
}

export interface CustomerFeedbackTable {
  id: Generated<number>;
  /** Null for portal feedback that names no request (036_feedback.sql). */
  case_id: number | null;
  received_at: Timestamp;
  /** 'disagreement_with_outcome' (§5.3), 'survey_comment', 'compliment', 'complaint'. */
  kind: string;
  text: string;
  themes: ColumnType<string[], string[] | undefined, string[]>;
  read_at: Timestamp | null;
  read_by: number | null;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
}

export interface EscalationCodeTable {
  id: Generated<number>;
  case_id: number;
  code_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  attempts: Generated<number>;
}

export interface CaseEventTable {
  id: Generated<number>;
  case_id: number;
  at: Timestamp;
  actor_id: number | null;
  actor_label: string;
  type: string;
  data: Json<Record<string, unknown>>;
}

/** One bulk assign or transfer from a queue, and what it did and refused, case by case (issue 18). */
export interface BulkCaseWorkTable {
  id: Generated<number>;
  staff_id: number;
  at: Timestamp;
  action: 'assign' | 'transfer';
  outcome: Json<{ done: { reference: string; what: string }[]; refused: { reference: string; why: string }[] }>;
}

export interface CaseMessageTable {
  id: Generated<number>;
  case_id: number;
  at: Timestamp;
  kind: MessageKind;
  automated: boolean;
  method: MessageMethod;
  sent_by: number | null;
  subject: string;
  body: string;
}

export interface OutboxTable {
  id: Generated<number>;
  message_id: string;
  case_message_id: number | null;
  to_address: string;
  /** Null when the row points at its case message, which holds the text. */
  subject: string | null;
  body: string | null;
  status: Generated<'pending' | 'sending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  sent_at: Timestamp | null;
  created_at: Timestamp;
  /** The customer's message this one answers (089): In-Reply-To, and References as space-separated ids. */
  in_reply_to: Generated<string | null>;
  reference_ids: Generated<string | null>;
}

/** An administrator's change to the directory (008_admin.sql). */
export interface DirectoryEventTable {
  id: Generated<number>;
  at: Timestamp;
  actor_id: number | null;
  actor_label: string;
  type: string;
  data: Json<Record<string, unknown>>;
}

/** A file citydesk keeps, in the database (025_mail.sql says why). */
export interface StoredFileTable {
  id: Generated<number>;
  purpose: 'raw_mail' | 'mail_attachment' | 'photo';
  filename: string | null;
  content_type: string;
  size: number;
  sha256: string;
  data: Buffer;
  created_at: Timestamp;
}

export interface MailboxStateTable {
  mailbox: string;
  uid_validity: number | null;
  last_attempt_at: Timestamp | null;
  last_success_at: Timestamp | null;
  failures: Generated<number>;
  last_error: string | null;
  taken: Generated<number>;
}

export type InboundMailKind = 'new_contact' | 'reply' | 'auto_reply' | 'loop' | 'bounce';
export type TriageStatus = 'open' | 'converting' | 'converted' | 'answered' | 'not_contact';

/** A message read from the City's mailbox (025_mail.sql). */
export interface InboundMailTable {
  id: Generated<number>;
  mailbox: string;
  uid_validity: number;
  uid: number;
  message_key: string;
  message_id: string | null;
  arrived_at: Timestamp;
  taken_at: Timestamp;
  raw_file_id: number;
  from_address: string | null;
  from_name: string | null;
  subject: string;
  body_text: string;
  in_reply_to: string | null;
  kind: InboundMailKind;
  kind_reason: string | null;
  case_id: number | null;
  triage_status: TriageStatus | null;
  decided_at: Timestamp | null;
  decided_by: number | null;
  decision_note: string | null;
  attention_at: Timestamp | null;
  attended_at: Timestamp | null;
  attended_by: number | null;
}

export interface InboundMailAttachmentTable {
  id: Generated<number>;
  inbound_mail_id: number;
  filename: string;
  content_type: string;
  size: number;
  file_id: number | null;
  refused_reason: string | null;
}

export interface MailEventTable {
  id: Generated<number>;
  inbound_mail_id: number;
  at: Timestamp;
  actor_id: number | null;
  actor_label: string;
  type: string;
  data: Json<Record<string, unknown>>;
}

export interface UndeliverableAddressTable {
  case_id: number;
  address: string;
  inbound_mail_id: number;
  detected_at: Timestamp;
  diagnostic: string | null;
}

export interface MailSigningKeyTable {
  id: number;
  key: Buffer;
  ipad: Buffer;
  opad: Buffer;
}

/** Imported history (020_history.sql). */
export interface ImportSourceTable {
  id: Generated<number>;
  code: string;
  format: string;
  time_rule: string;
  time_zone: string;
  created_at: Timestamp;
}

export interface ImportRunTable {
  id: Generated<number>;
  source_id: number;
  file_name: string;
  file_identity: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  status: 'running' | 'stopped' | 'finished' | 'failed';
  records_done: Generated<number>;
  summary: Json<Record<string, unknown>>;
}

export interface ImportMappingTable {
  source_id: number;
  kind: 'type' | 'agency' | 'channel';
  source_value: string;
  target_code: string;
  updated_at: Timestamp;
}

/** One run of `citydesk demo`, and the checkpoint of a run stopped part-way (src/history/demo-year.ts). */
export interface DemoRunTable {
  id: Generated<number>;
  year: number;
  seed: number;
  cases_per_year: number;
  until: Timestamp;
  until_asked: Timestamp | null;
  status: 'running' | 'stopped' | 'finished' | 'failed' | 'abandoned';
  started_at: Timestamp;
  updated_at: Timestamp;
  own_cases_before: number;
  reached_at: Timestamp | null;
  random_state: number | null;
  steps_done: Generated<number>;
  agenda: Json<unknown> | null;
  plans: Json<unknown> | null;
  people: Json<unknown> | null;
  summary: Json<unknown> | null;
}

export interface ImportedRowTable {
  case_id: number;
  source_id: number;
  source_row_id: string;
  row_hash: string;
  raw: string;
  anomalies: string[];
  imported_at: Timestamp;
  updated_at: Timestamp;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  applied_at: Generated<Date>;
}

export interface Database extends GovernanceTables, FeedbackDatabase, ResidentTables, ReportDatabase, KnowledgeTables {
  municipality: MunicipalityTable;
  department: DepartmentTable;
  division: DivisionTable;
  staff_role: StaffRoleTable;
  service_centre: ServiceCentreTable;
  channel: ChannelTable;
  closure_change: ClosureChangeTable;
  request_type: RequestTypeTable;
  dst_version: DstVersionTable;
  dst_target: DstTargetTable;
  api_key: ApiKeyTable;
  schema_migration: SchemaMigrationTable;
  staff_user: StaffUserTable;
  staff_session: StaffSessionTable;
  sign_in_throttle: SignInThrottleTable;
  service_case: ServiceCaseTable;
  case_event: CaseEventTable;
  bulk_case_work: BulkCaseWorkTable;
  case_message: CaseMessageTable;
  outbox: OutboxTable;
  /** View: outbox rows with their text filled in from the case message. */
  outbox_mail: Omit<OutboxTable, 'subject' | 'body'> & { subject: string; body: string };
  case_breach: CaseBreachTable;
  escalation: EscalationTable;
  escalation_review: EscalationReviewTable;
  review_list_entry: ReviewListEntryTable;
  case_due: CaseDueTable;
  escalation_request: EscalationRequestTable;
  customer_feedback: CustomerFeedbackTable;
  escalation_code: EscalationCodeTable;
  directory_event: DirectoryEventTable;
  stored_file: StoredFileTable;
  mailbox_state: MailboxStateTable;
  inbound_mail: InboundMailTable;
  inbound_mail_attachment: InboundMailAttachmentTable;
  mail_event: MailEventTable;
  undeliverable_address: UndeliverableAddressTable;
  mail_signing_key: MailSigningKeyTable;
  import_source: ImportSourceTable;
  import_run: ImportRunTable;
  import_mapping: ImportMappingTable;
  imported_row: ImportedRowTable;
  demo_run: DemoRunTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
