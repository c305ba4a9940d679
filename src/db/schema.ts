import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { TargetUnit } from '../standard/targets.js';

/** The tables, as Kysely sees them. Dates (`date` columns) are YYYY-MM-DD strings. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface MunicipalityTable {
  id: Generated<number>;
  name: string;
  settings: Json<unknown>;
  calendar_revision: Generated<number>;
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

export interface SchemaMigrationTable {
  version: number;
  name: string;
  applied_at: Generated<Date>;
}

export interface Database {
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
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
