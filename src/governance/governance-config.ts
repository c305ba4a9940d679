import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { defaultAcknowledgmentRules, type AcknowledgmentRules } from '../standard/governance.js';

/**
 * config/governance.yaml (optional): the Standard's editions (each a Markdown file beside it, kept
 * exactly as issued), how long staff have to acknowledge what they must read, and the Council
 * terms that time the Standard's comprehensive review (CSS §7, §8, INTERPRETATION §8).
 */

const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const GovernanceFile = Type.Object(
  {
    standardEditions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            edition: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 40 }),
            title: Type.String({ minLength: 1, maxLength: 300 }),
            effectiveFrom: DateText,
            file: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*\\.md$', maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    acknowledgments: Type.Optional(
      Type.Object(
        {
          dueWithinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
          reminderDaysBefore: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
        },
        { additionalProperties: false },
      ),
    ),
    councilTerms: Type.Optional(Type.Array(DateText, { uniqueItems: true })),
  },
  { additionalProperties: false },
);

export interface StandardEditionConfig {
  edition: string;
  title: string;
  effectiveFrom: string;
  file: string;
  /** The file's text, byte for byte as issued. */
  body: string;
  sha256: string;
}

export interface GovernanceConfig {
  standardEditions: StandardEditionConfig[];
  acknowledgments: AcknowledgmentRules;
  /** The first day of each Council term, ascending. */
  councilTerms: string[];
}

/** Ontario's municipal terms begin on 15 November after the October elections (INTERPRETATION §8). */
export const defaultCouncilTerms = ['2022-11-15', '2026-11-15', '2030-11-15', '2034-11-15'];

export const defaultGovernance: GovernanceConfig = { standardEditions: [], acknowledgments: defaultAcknowledgmentRules, councilTerms: defaultCouncilTerms };

const isRealDate = (date: string): boolean => !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) && new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);

/** Checks governance.yaml beyond its shape and reads the editions' files; problems go to `problem`. */
export function readGovernance(dir: string, value: Static<typeof GovernanceFile>, problem: (path: (string | number)[], message: string) => void): GovernanceConfig {
  const editions: StandardEditionConfig[] = [];
  const seen = new Set<string>();
  (value.standardEditions ?? []).forEach((e, i) => {
    if (seen.has(e.edition)) problem(['standardEditions', i, 'edition'], `edition "${e.edition}" is listed twice`);
    seen.add(e.edition);
    if (!isRealDate(e.effectiveFrom)) problem(['standardEditions', i, 'effectiveFrom'], `"${e.effectiveFrom}" is not a date; write YYYY-MM-DD`);
    let body: string;
    try {
      body = readFileSync(join(dir, basename(e.file)), 'utf8');
    } catch {
      problem(['standardEditions', i, 'file'], `${e.file} is missing: put the edition's Markdown text beside governance.yaml`);
      return;
    }
    if (body.trim() === '') {
      problem(['standardEditions', i, 'file'], `${e.file} is empty`);
      return;
    }
    editions.push({ ...e, body, sha256: createHash('sha256').update(body, 'utf8').digest('hex') });
  });
  const terms = value.councilTerms ?? defaultCouncilTerms;
  terms.forEach((t, i) => {
    if (!isRealDate(t)) problem(['councilTerms', i], `"${t}" is not a date; write YYYY-MM-DD, e.g. "2026-11-15"`);
  });
  if (terms.length === 0) problem(['councilTerms'], 'list at least one Council term start date, e.g. "2026-11-15"');
  const acknowledgments = { ...defaultAcknowledgmentRules, ...(value.acknowledgments ?? {}) };
  if (acknowledgments.reminderDaysBefore >= acknowledgments.dueWithinDays) {
    problem(['acknowledgments', 'reminderDaysBefore'], `the reminder (${acknowledgments.reminderDaysBefore} days before) must come after the person is asked: make it less than dueWithinDays (${acknowledgments.dueWithinDays})`);
  }
  return { standardEditions: editions, acknowledgments, councilTerms: [...terms].sort() };
}
