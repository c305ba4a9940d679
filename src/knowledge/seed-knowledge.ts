import type { Tx } from '../db/connect.js';
import type { ArticleConfig, TemplateConfig } from './knowledge-config.js';
import { writeArticleVersion } from './knowledge-base.js';

/**
 * Loads the shipped templates and articles: each one once, by its code or slug. Seeding again adds
 * new ones and leaves alone every one already there, since heads may have edited it.
 */
export async function seedKnowledge(trx: Tx, config: { responseTemplates: TemplateConfig[]; articles: ArticleConfig[] }, now: Date): Promise<{ templatesAdded: number; articlesAdded: number }> {
  const divisions = new Map((await trx.selectFrom('division').select(['id', 'code']).execute()).map((d) => [d.code, d.id]));
  const types = new Map((await trx.selectFrom('request_type').select(['id', 'code']).execute()).map((t) => [t.code, t.id]));
  let templatesAdded = 0;
  for (const t of config.responseTemplates) {
    const added = await trx
      .insertInto('response_template')
      .values({ division_id: divisions.get(t.division)!, request_type_id: t.requestType ? types.get(t.requestType)! : null, action: t.action, name: t.name, body: t.body.trim(), config_code: t.code, updated_at: now, updated_by: null })
      .onConflict((oc) => oc.column('config_code').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (added) templatesAdded += 1;
  }
  let articlesAdded = 0;
  const existing = new Set((await trx.selectFrom('kb_article').select('slug').execute()).map((a) => a.slug));
  for (const a of config.articles) {
    if (existing.has(a.slug)) continue;
    await writeArticleVersion(trx, { slug: a.slug, division: a.division, divisionId: divisions.get(a.division)!, title: a.title, keywords: a.keywords ?? '', body: a.body, published: a.published ?? true }, now, null);
    articlesAdded += 1;
  }
  return { templatesAdded, articlesAdded };
}
