import type { ColumnType, Generated } from 'kysely';

/** The feedback area's tables (migrations 035–039), as Kysely sees them; part of schema.ts's Database. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type SurveyChannel = 'email' | 'phone';
export type AnswerChannel = 'web' | 'phone';
export type ResolvedAnswer = 'yes' | 'partly' | 'no';
export type SurveySkipReason = 'anonymous' | 'do_not_contact' | 'no_contact_method' | 'opted_out' | 'recently_invited';
export type CallOutcome = 'no_answer' | 'declined';

export interface SurveyCustomerTable {
  customer_key: string;
  last_invited_at: Timestamp | null;
  opted_out_at: Timestamp | null;
}

export interface SurveyInvitationTable {
  id: Generated<number>;
  case_id: number;
  division_id: number;
  request_type_id: number | null;
  channel: SurveyChannel;
  customer_keys: ColumnType<string[], string[], string[]>;
  invited_at: Timestamp;
  expires_at: Timestamp;
  call_outcome: CallOutcome | null;
  called_at: Timestamp | null;
  called_by: number | null;
  call_attempts: Generated<number>;
}

export interface SurveySkipTable {
  case_id: number;
  decided_at: Timestamp;
  reason: SurveySkipReason;
}

export interface SurveyAnswerTable {
  id: Generated<number>;
  invitation_id: number;
  answered_at: Timestamp;
  channel: AnswerChannel;
  rating: number;
  resolved: ResolvedAnswer;
  comment: string | null;
  recorded_by: number | null;
}

export interface SurveyRecheckTable {
  id: Generated<number>;
  case_id: number;
  answer_id: number;
  division_id: number;
  listed_at: Timestamp;
  decided_at: Timestamp | null;
  decision: 'reopened' | 'replied' | 'no_action' | null;
  decision_note: string | null;
  decided_by: number | null;
}

export interface AppSecretTable {
  name: string;
  value: string;
  created_at: Timestamp;
}

export interface FeedbackDatabase {
  survey_customer: SurveyCustomerTable;
  survey_invitation: SurveyInvitationTable;
  survey_skip: SurveySkipTable;
  survey_answer: SurveyAnswerTable;
  survey_recheck: SurveyRecheckTable;
  app_secret: AppSecretTable;
}
