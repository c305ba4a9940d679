import type { ColumnType, Generated } from 'kysely';

/** Response templates and the knowledge base (migrations 061–062), as Kysely sees them. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type TemplateAction = 'acknowledge' | 'update' | 'resolve' | 'transfer';

export interface ResponseTemplateTable {
  id: Generated<number>;
  division_id: number;
  request_type_id: number | null;
  action: TemplateAction;
  name: string;
  body: string;
  active: Generated<boolean>;
  config_code: string | null;
  updated_at: Timestamp;
  updated_by: number | null;
}

export interface KbArticleTable {
  id: Generated<number>;
  slug: string;
  division_id: number;
  current_version: Generated<number>;
  published: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface KbArticleVersionTable {
  article_id: number;
  version: number;
  title: string;
  body: string;
  keywords: Generated<string>;
  edited_at: Timestamp;
  edited_by: number | null;
  search: Generated<string>;
}

export interface KbAnswerTable {
  id: Generated<number>;
  case_id: number;
  article_id: number;
  version: number;
  at: Timestamp;
  staff_user_id: number | null;
}

export interface KnowledgeTables {
  response_template: ResponseTemplateTable;
  kb_article: KbArticleTable;
  kb_article_version: KbArticleVersionTable;
  kb_answer: KbAnswerTable;
}
