import type { Tx } from '../db/connect.js';
import { AppError } from '../platform/errors.js';
import type { StandardEditionConfig } from './governance-config.js';

/** The Standard's editions (CSS §8.2): loaded by the seed, kept exactly as issued, read by staff. */

export interface StandardEdition {
  id: number;
  edition: string;
  title: string;
  effectiveFrom: string;
  loadedAt: Date;
  sha256: string;
}

export interface StandardEditionText extends StandardEdition {
  body: string;
}

/**
 * Adds the editions not yet in the database. An edition already loaded must have the very text it
 * was issued with: a changed file is refused (issue the change as a new edition instead).
 */
export async function loadStandardEditions(trx: Tx, editions: readonly StandardEditionConfig[], now: Date): Promise<string[]> {
  const loaded: string[] = [];
  for (const e of editions) {
    const existing = await trx.selectFrom('standard_edition').select(['body_sha256', 'title', 'effective_from']).where('edition', '=', e.edition).executeTakeFirst();
    if (existing) {
      if (existing.body_sha256 !== e.sha256 || existing.effective_from !== e.effectiveFrom) {
        throw new AppError(
          'CONFIG_INVALID',
          `Configuration not loaded: governance.yaml: edition ${e.edition} of the Standard was issued with a different ${existing.body_sha256 !== e.sha256 ? `text (${e.file} changed)` : 'effective date'}, ` +
            'and an issued edition is kept exactly as issued. Put the changed text in a new file and list it as a new edition.',
          [{ field: 'governance.yaml standardEditions', message: `edition ${e.edition} changed` }],
        );
      }
      continue;
    }
    await trx
      .insertInto('standard_edition')
      .values({ edition: e.edition, title: e.title, effective_from: e.effectiveFrom, body: e.body, body_sha256: e.sha256, source_file: e.file, loaded_at: now })
      .execute();
    loaded.push(`${e.title} (edition ${e.edition}, from ${e.effectiveFrom})`);
  }
  return loaded;
}

const columns = ['id', 'edition', 'title', 'effective_from', 'loaded_at', 'body_sha256'] as const;

function toEdition(r: { id: number; edition: string; title: string; effective_from: string; loaded_at: Date; body_sha256: string }): StandardEdition {
  return { id: r.id, edition: r.edition, title: r.title, effectiveFrom: r.effective_from, loadedAt: new Date(r.loaded_at), sha256: r.body_sha256 };
}

/** Every edition, newest effective date first. */
export async function listStandardEditions(tx: Tx): Promise<StandardEdition[]> {
  const rows = await tx.selectFrom('standard_edition').select(columns).orderBy('effective_from', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toEdition);
}

/** The edition in force on `today` (the City's local date): the latest that has taken effect. */
export function currentEdition<E extends Pick<StandardEdition, 'effectiveFrom'>>(editions: readonly E[], today: string): E | undefined {
  return [...editions].sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom)).find((e) => e.effectiveFrom <= today);
}

export async function findStandardEdition(tx: Tx, edition: string): Promise<StandardEditionText> {
  const row = await tx.selectFrom('standard_edition').select([...columns, 'body']).where('edition', '=', edition).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `There is no edition "${edition}" of the Standard. Choose one from the list of editions.`);
  return { ...toEdition(row), body: row.body };
}
