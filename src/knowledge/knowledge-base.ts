import { sql } from 'kysely';
import type { Db, Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import { recordDirectoryEvent } from '../directory/directory-audit.js';
import type { StaffMember } from '../directory/staff.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { canManageTemplates } from './response-templates.js';

/**
 * The knowledge base (issue 18): articles per division that answer general inquiries (facility
 * hours, how to apply for a program, by-laws). Every edit is a new version and old versions are
 * kept, so an answer given at first contact names the version the customer heard. Searched with
 * PostgreSQL's full-text search (English word forms: "pools" finds "pool"), on both engines.
 */

export interface ArticleSummary {
  slug: string;
  divisionId: number;
  title: string;
  version: number;
  published: boolean;
  updatedAt: Date;
}

export interface Article extends ArticleSummary {
  body: string;
  keywords: string;
}

export interface ArticleHit extends ArticleSummary {
  /** A line of the body around the words found, for the result list. */
  excerpt: string;
}

const slugPattern = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function current(tx: Tx) {
  return tx
    .selectFrom('kb_article as a')
    .innerJoin('kb_article_version as v', (j) => j.onRef('v.article_id', '=', 'a.id').onRef('v.version', '=', 'a.current_version'))
    .select(['a.id', 'a.slug', 'a.division_id', 'a.current_version', 'a.published', 'a.updated_at', 'v.title', 'v.body', 'v.keywords']);
}

type CurrentRow = { slug: string; division_id: number; current_version: number; published: boolean; updated_at: Date | string; title: string; body: string; keywords: string };
const toArticle = (r: CurrentRow): Article => ({
  slug: r.slug,
  divisionId: r.division_id,
  title: r.title,
  version: r.current_version,
  published: r.published,
  updatedAt: new Date(r.updated_at),
  body: r.body,
  keywords: r.keywords,
});

/** Staff see every article; the public only published ones. */
export async function findArticle(tx: Tx, slug: string, options: { publishedOnly?: boolean } = {}): Promise<Article | undefined> {
  if (!slugPattern.test(slug)) return undefined;
  let query = current(tx).where('a.slug', '=', slug);
  if (options.publishedOnly) query = query.where('a.published', '=', true);
  const row = await query.executeTakeFirst();
  return row ? toArticle(row) : undefined;
}

export async function listArticles(tx: Tx, options: { publishedOnly?: boolean } = {}): Promise<Article[]> {
  let query = current(tx);
  if (options.publishedOnly) query = query.where('a.published', '=', true);
  const rows = await query.orderBy('a.division_id').orderBy('v.title').execute();
  return rows.map(toArticle);
}

/** One version of an article as it was given, for the record. */
export async function findArticleVersion(tx: Tx, slug: string, version: number): Promise<(Article & { editedAt: Date; editedBy: string | null; latest: number }) | undefined> {
  if (!slugPattern.test(slug) || !Number.isInteger(version) || version < 1 || version > 1_000_000) return undefined;
  const row = await tx
    .selectFrom('kb_article as a')
    .innerJoin('kb_article_version as v', 'v.article_id', 'a.id')
    .leftJoin('staff_user as s', 's.id', 'v.edited_by')
    .select(['a.slug', 'a.division_id', 'a.current_version', 'a.published', 'a.updated_at', 'v.title', 'v.body', 'v.keywords', 'v.version', 'v.edited_at', 's.name as editor'])
    .where('a.slug', '=', slug)
    .where('v.version', '=', version)
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...toArticle(row), version: row.version, editedAt: new Date(row.edited_at), editedBy: row.editor, latest: row.current_version };
}

export async function articleVersions(tx: Tx, slug: string): Promise<{ version: number; title: string; editedAt: Date; editedBy: string | null }[]> {
  const rows = await tx
    .selectFrom('kb_article as a')
    .innerJoin('kb_article_version as v', 'v.article_id', 'a.id')
    .leftJoin('staff_user as s', 's.id', 'v.edited_by')
    .select(['v.version', 'v.title', 'v.edited_at', 's.name as editor'])
    .where('a.slug', '=', slug)
    .orderBy('v.version', 'desc')
    .execute();
  return rows.map((r) => ({ version: r.version, title: r.title, editedAt: new Date(r.edited_at), editedBy: r.editor }));
}

/**
 * Articles whose current version matches the words, best first: title words weigh most, then
 * keywords, then the body (ts_rank over weighted vectors). "websearch" syntax: quotes for a phrase,
 * "or", "-word"; never a syntax error, whatever is typed.
 */
export async function searchArticles(tx: Tx, options: { query: string; publishedOnly?: boolean; divisionId?: number | undefined; limit?: number }): Promise<ArticleHit[]> {
  const words = options.query.trim().slice(0, 200);
  if (words === '') return [];
  const q = sql`websearch_to_tsquery('english', ${words})`;
  let query = tx
    .selectFrom('kb_article as a')
    .innerJoin('kb_article_version as v', (j) => j.onRef('v.article_id', '=', 'a.id').onRef('v.version', '=', 'a.current_version'))
    .select(['a.slug', 'a.division_id', 'a.current_version', 'a.published', 'a.updated_at', 'v.title'])
    .select(sql<string>`ts_headline('english', v.body, ${q}, 'MaxWords=28, MinWords=12, StartSel="", StopSel=""')`.as('excerpt'))
    .where(sql<boolean>`v.search @@ ${q}`);
  if (options.publishedOnly) query = query.where('a.published', '=', true);
  if (options.divisionId !== undefined) query = query.where('a.division_id', '=', options.divisionId);
  const rows = await query
    .orderBy(sql`ts_rank(v.search, ${q})`, 'desc')
    .orderBy('v.title')
    .limit(options.limit ?? 10)
    .execute();
  return rows.map((r) => ({
    slug: r.slug,
    divisionId: r.division_id,
    title: r.title,
    version: r.current_version,
    published: r.published,
    updatedAt: new Date(r.updated_at),
    excerpt: r.excerpt.replace(/\s+/g, ' ').trim(),
  }));
}

export interface ArticleInput {
  slug: string;
  division: string;
  title: string;
  keywords: string;
  body: string;
  published: boolean;
}

function checkArticle(directory: Directory, input: ArticleInput): { divisionId: number } {
  const problems: { field: string; message: string }[] = [];
  if (!slugPattern.test(input.slug) || input.slug.length > 80) problems.push({ field: 'slug', message: 'Give the article a web address: lower-case words joined by "-", e.g. pool-hours.' });
  const division = directory.divisionByCode(input.division);
  if (!division) problems.push({ field: 'division', message: 'Choose the division whose topic the article is.' });
  if (input.title.trim() === '' || input.title.trim().length > 200) problems.push({ field: 'title', message: 'Give the article a title (up to 200 characters), e.g. “Pool hours and swim times”.' });
  if (input.body.trim() === '' || input.body.length > 20000) problems.push({ field: 'body', message: 'Write the article’s text, as a resident should read it (up to 20,000 characters).' });
  if (input.keywords.length > 500) problems.push({ field: 'keywords', message: 'Keep the other search words under 500 characters.' });
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', problems[0]!.message, problems);
  return { divisionId: division!.id };
}

/** Writes a new version of an article (the first creates it) in an open transaction. */
export async function writeArticleVersion(trx: Tx, input: ArticleInput & { divisionId: number }, at: Date, editor: StaffMember | null): Promise<{ slug: string; version: number }> {
  const existing = await trx.selectFrom('kb_article').select(['id', 'current_version']).where('slug', '=', input.slug).forUpdate().executeTakeFirst();
  let articleId: number;
  let version: number;
  if (existing) {
    articleId = existing.id;
    version = existing.current_version + 1;
  } else {
    articleId = (await trx.insertInto('kb_article').values({ slug: input.slug, division_id: input.divisionId, current_version: 1, published: input.published, created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow()).id;
    version = 1;
  }
  await trx
    .insertInto('kb_article_version')
    .values({ article_id: articleId, version, title: input.title.trim(), body: input.body.trim(), keywords: input.keywords.trim(), edited_at: at, edited_by: editor?.id ?? null })
    .execute();
  if (existing) await trx.updateTable('kb_article').set({ current_version: version, division_id: input.divisionId, published: input.published, updated_at: at }).where('id', '=', articleId).execute();
  return { slug: input.slug, version };
}

/** Who writes articles: the heads and administrators who manage the division's templates. */
export function assertEditsArticles(staff: StaffMember, directory: Directory, divisionId: number): void {
  const division = directory.division(divisionId);
  if (!division || !canManageTemplates(staff, division)) {
    throw new AppError('FORBIDDEN', `Articles of ${division?.name ?? 'a division'} are written by its head and by administrators. Ask them to change this one.`);
  }
}

/** Creates an article or saves an edit as its next version; old versions stay as they were. */
export async function saveArticle(options: { db: Db; clock: Clock; directory: Directory; staff: StaffMember; input: ArticleInput; expectNew?: boolean }): Promise<{ slug: string; version: number }> {
  const { db, clock, directory, staff, input } = options;
  const { divisionId } = checkArticle(directory, input);
  assertEditsArticles(staff, directory, divisionId);
  const now = clock.now();
  return db.kysely.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('kb_article').select(['division_id']).where('slug', '=', input.slug).executeTakeFirst();
    if (before && options.expectNew) {
      throw new AppError('VALIDATION_FAILED', `There is already an article at ${input.slug}: choose another web address, or edit that article.`, [{ field: 'slug', message: 'already used' }]);
    }
    if (before) assertEditsArticles(staff, directory, before.division_id);
    const saved = await writeArticleVersion(trx, { ...input, divisionId }, now, staff);
    await recordDirectoryEvent(trx, { actor: staff, type: 'kb_article_saved', now, data: saved });
    return saved;
  });
}
