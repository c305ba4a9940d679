import type { ColumnType, Generated } from 'kysely';

/** The reports area's tables (migration 050), as Kysely sees them; part of schema.ts's Database. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type ReportKind = 'biannual' | 'annual' | 'feedback';
export type ReportAudience = 'smt_working_group' | 'council' | 'working_group';

export interface ReportTable {
  id: Generated<number>;
  kind: ReportKind;
  period: string;
  period_from: string;
  period_to: string;
  version: number;
  generated_at: Timestamp;
  generated_by: number | null;
  generated_by_label: string;
  formula_version: string;
  content: Json<unknown>;
}

export interface ReportCommentTable {
  report_id: number;
  row_key: string;
  comment: string;
  written_at: Timestamp;
  written_by: number;
}

export interface ReportIssueTable {
  id: Generated<number>;
  report_id: number;
  audience: ReportAudience;
  issued_at: Timestamp;
  issued_by: number;
  recipients: ColumnType<string[], string[], string[]>;
}

export interface ReportQuoteTable {
  feedback_id: number;
  quote: string;
  chosen_at: Timestamp;
  chosen_by: number;
}

export interface ReportDatabase {
  report: ReportTable;
  report_comment: ReportCommentTable;
  report_issue: ReportIssueTable;
  report_quote: ReportQuoteTable;
}
