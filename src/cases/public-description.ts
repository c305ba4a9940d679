import { sql, type RawBuilder } from 'kysely';

/**
 * What the public may read of a report's description after moderation (moderate-case.ts): the
 * resident's words, a redacted version staff wrote, or nothing. The one definition every public
 * surface uses: the portal's tracking page, Open311 and the e-mails to followers.
 */

/** The description as the public may read it ('' when hidden), from the case's columns. */
export function publicDescriptionOf(c: { description: string; description_moderation: 'hidden' | 'redacted' | null; public_description: string | null }): string {
  if (c.description_moderation === 'hidden') return '';
  if (c.description_moderation === 'redacted') return c.public_description ?? '';
  return c.description;
}

/** The same, in SQL, for queries that read the case table as `alias` (Open311's lists). */
export function publicDescriptionSql(alias: string): RawBuilder<string> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<string>`(case ${col('description_moderation')} when 'hidden' then '' when 'redacted' then ${col('public_description')} else ${col('description')} end)`;
}

