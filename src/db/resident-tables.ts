import type { ColumnType, Generated } from 'kysely';

/** The portal's photos and followers (migrations 070–072), as Kysely sees them. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type PhotoPublicState = 'pending' | 'shown' | 'hidden';

export interface CasePhotoTable {
  id: Generated<number>;
  case_id: number | null;
  form_key: string;
  file_id: number;
  width: number;
  height: number;
  public_state: Generated<PhotoPublicState>;
  moderation_reason: string | null;
  moderated_at: Timestamp | null;
  moderated_by: number | null;
  created_at: Timestamp;
}

export interface CaseFollowerTable {
  id: Generated<number>;
  case_id: number;
  email: string;
  requested_at: Timestamp;
  confirmed_at: Timestamp | null;
  unfollowed_at: Timestamp | null;
}

export interface FollowerNoticeTable {
  follower_id: number;
  event_id: number;
  sent_at: Timestamp;
}

export interface ResidentTables {
  case_photo: CasePhotoTable;
  case_follower: CaseFollowerTable;
  follower_notice: FollowerNoticeTable;
}
