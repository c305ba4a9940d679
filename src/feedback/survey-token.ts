import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Tx } from '../db/connect.js';

/**
 * The personal survey link (issue 14): no sign-in, so the link itself is the proof. A token names
 * its invitation and expiry and carries an HMAC-SHA256 of both under the City's key; changing any
 * character breaks the signature. It is single use because an invitation takes one answer (a
 * unique key in survey_answer), and it expires with its invitation. The opt-out link is signed
 * for its own purpose, so a survey token cannot be turned into one and the reverse.
 */

export interface SurveyLinks {
  /** The portal's address as residents reach it (PUBLIC_URL). */
  publicUrl: string;
  /** SURVEY_LINK_SECRET; absent: the key kept in the database. */
  secret?: string | undefined;
}

export const defaultSurveyLinks: SurveyLinks = { publicUrl: 'http://localhost:3000' };

const surveyPurpose = 'citydesk-survey-v1';
const optOutPurpose = 'citydesk-survey-opt-out-v1';

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

function sameMac(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** "<number>.<number>….<signature>": numbers signed for one purpose (the survey links' own shape). */
export function signFields(key: Buffer, purpose: string, fields: readonly number[]): string {
  return [...fields, mac(key, `${purpose}:${fields.join(':')}`)].join('.');
}

/** The numbers of a token signed by signFields for this purpose, or undefined. */
export function readFields(key: Buffer, purpose: string, token: string, count: number): number[] | undefined {
  const parts = token.split('.');
  if (parts.length !== count + 1) return undefined;
  const fields = parts.slice(0, count);
  const signature = parts[count]!;
  if (!fields.every((f) => /^\d{1,15}$/.test(f)) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return undefined;
  return sameMac(signature, mac(key, `${purpose}:${fields.join(':')}`)) ? fields.map(Number) : undefined;
}

/** The key that signs links: SURVEY_LINK_SECRET, or one made once and kept in app_secret. */
export async function surveyKey(tx: Tx, links: Pick<SurveyLinks, 'secret'>, now: Date): Promise<Buffer> {
  if (links.secret) return Buffer.from(links.secret, 'utf8');
  const existing = await tx.selectFrom('app_secret').select('value').where('name', '=', 'survey_link').executeTakeFirst();
  if (existing) return Buffer.from(existing.value, 'base64');
  await tx
    .insertInto('app_secret')
    .values({ name: 'survey_link', value: randomBytes(32).toString('base64'), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const made = await tx.selectFrom('app_secret').select('value').where('name', '=', 'survey_link').executeTakeFirstOrThrow();
  return Buffer.from(made.value, 'base64');
}

/** "<invitation>.<expiry in seconds>.<signature>" */
export function signSurveyToken(key: Buffer, invitation: { id: number; expiresAt: Date }): string {
  const expires = Math.floor(invitation.expiresAt.getTime() / 1000);
  return `${invitation.id}.${expires}.${mac(key, `${surveyPurpose}:${invitation.id}:${expires}`)}`;
}

/** The invitation a token names, or undefined when it is not a token this City signed. */
export function readSurveyToken(key: Buffer, token: string): { invitationId: number; expiresAt: Date } | undefined {
  const match = /^(\d{1,15})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const [, id, expires, signature] = match;
  if (!sameMac(signature!, mac(key, `${surveyPurpose}:${id}:${expires}`))) return undefined;
  return { invitationId: Number(id), expiresAt: new Date(Number(expires) * 1000) };
}

/** "<invitation>.<signature>": stops invitations to this customer; works for good. */
export function signOptOutToken(key: Buffer, invitationId: number): string {
  return `${invitationId}.${mac(key, `${optOutPurpose}:${invitationId}`)}`;
}

export function readOptOutToken(key: Buffer, token: string): { invitationId: number } | undefined {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const [, id, signature] = match;
  return sameMac(signature!, mac(key, `${optOutPurpose}:${id}`)) ? { invitationId: Number(id) } : undefined;
}

export const surveyPath = (token: string): string => `/survey/${token}`;
export const optOutPath = (token: string): string => `/survey/stop/${token}`;
