import type { ColumnType, Generated } from 'kysely';

/** The governance area's tables (migrations 040–042), as Kysely sees them. Dates are YYYY-MM-DD strings. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface StandardEditionTable {
  id: Generated<number>;
  edition: string;
  title: string;
  effective_from: string;
  body: string;
  body_sha256: string;
  source_file: string;
  loaded_at: Timestamp;
}

export interface TrainingAcknowledgmentTable {
  id: Generated<number>;
  staff_user_id: number;
  standard_edition_id: number | null;
  dst_version_id: number | null;
  division_id: number | null;
  acknowledged_at: Timestamp;
}

export interface TrainingNoticeTable {
  id: Generated<number>;
  staff_user_id: number;
  standard_edition_id: number | null;
  dst_version_id: number | null;
  kind: 'reminder' | 'overdue';
  due_at: Timestamp;
  sent_at: Timestamp;
}

export interface GovernanceEventTable {
  id: Generated<number>;
  at: Timestamp;
  actor_id: number | null;
  actor_label: string;
  type: string;
  data: Json<Record<string, unknown>>;
}

export interface GovernanceTables {
  standard_edition: StandardEditionTable;
  training_acknowledgment: TrainingAcknowledgmentTable;
  training_notice: TrainingNoticeTable;
  governance_event: GovernanceEventTable;
  governance_review: GovernanceReviewTable;
  wg_recommendation: WgRecommendationTable;
  target_proposal: TargetProposalTable;
}

export interface GovernanceReviewTable {
  id: Generated<number>;
  kind: 'dst' | 'standard';
  division_id: number | null;
  term_start: string | null;
  due_on: string;
  owner_id: number | null;
  created_at: Timestamp;
  completed_at: Timestamp | null;
  completed_by: number | null;
  findings: string | null;
  outcome: 'no_change' | 'proposed_change' | null;
}

export type RecommendationStatus = 'proposed' | 'accepted' | 'rejected' | 'implemented';

export interface WgRecommendationTable {
  id: Generated<number>;
  review_id: number | null;
  division_id: number | null;
  title: string;
  detail: string;
  status: Generated<RecommendationStatus>;
  proposed_at: Timestamp;
  proposed_by: number;
  decided_at: Timestamp | null;
  decided_by: number | null;
  decision_reason: string | null;
  implemented_at: Timestamp | null;
  implemented_by: number | null;
  implementation_note: string | null;
  dst_version_id: number | null;
  standard_edition_id: number | null;
}

export interface TargetProposalTable {
  id: Generated<number>;
  title: string;
  targets: Json<Record<string, unknown>>;
  period_from: string;
  period_to: string;
  recommendation_id: number | null;
  status: Generated<'draft' | 'accepted'>;
  created_by: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  replay: Json<unknown> | null;
  replayed_at: Timestamp | null;
  accepted_at: Timestamp | null;
  accepted_by: number | null;
  effective_from: string | null;
  dst_version_ids: ColumnType<number[] | null, number[] | null, number[] | null>;
}
