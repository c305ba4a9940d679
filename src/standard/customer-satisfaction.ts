import type { Target } from './targets.js';

/**
 * Customer satisfaction (CSS §6.2, INTERPRETATION §7): who is invited to the survey after a
 * resolution and how, and the survey's figures. Pure: no clock, no database.
 */

/** The survey's timing and limits (config/feedback.yaml). */
export interface SurveyRules {
  /** How long after the resolution the invitation goes out (so the work can be seen). */
  inviteAfter: Target;
  /** How long a survey link (or a call-list entry) stays open. */
  linkExpiresDays: number;
  /** A customer is invited at most once in this many days, whatever the number of their cases. */
  oncePerDays: number;
}

export const defaultSurveyRules: SurveyRules = {
  inviteAfter: { amount: 2, unit: 'business_days' },
  linkExpiresDays: 30,
  oncePerDays: 30,
};

const dayMs = 86_400_000;

/** An e-mail address as one customer: trimmed, lower-case; undefined when it is not an address. */
export function normalizeEmail(email: string | null | undefined): string | undefined {
  const value = email?.trim().toLowerCase();
  return value && /^[^@\s]+@[^@\s]+$/.test(value) ? value : undefined;
}

/**
 * A phone number as one customer: its digits, without the North American "1" in front, so
 * "705-555-0142", "(705) 555 0142" and "+1 705 555 0142" are one person. Extensions are dropped.
 */
export function normalizePhone(phone: string | null | undefined): string | undefined {
  const main = phone?.split(/\s*(?:x|ext\.?|extension)\s*\d+\s*$/i)[0] ?? '';
  let digits = main.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  return digits.length >= 7 ? digits : undefined;
}

/** The keys the survey knows a customer by: their e-mail address and their phone number. */
export function customerKeys(contact: { email: string | null; phone: string | null }): string[] {
  const email = normalizeEmail(contact.email);
  const phone = normalizePhone(contact.phone);
  return [...(email ? [`email:${email}`] : []), ...(phone ? [`phone:${phone}`] : [])];
}

export type PreferredContact = 'email' | 'phone' | 'letter' | 'in_person' | 'none';
export type SurveySkip = 'anonymous' | 'do_not_contact' | 'no_contact_method' | 'opted_out' | 'recently_invited';
export type SurveyDecision = { invite: 'email' | 'phone'; keys: string[] } | { skip: SurveySkip };

/**
 * Whether and how a resolved case's customer is invited (issue 14): by their preferred channel
 * (e-mail with a personal link, or a follow-up call); a customer who prefers a letter or a visit is
 * asked by e-mail if they gave an address, else by phone. Anonymous customers and those who said
 * "do not contact me" are never invited, nor those who opted out; a customer invited in the last
 * `oncePerDays` days (under any of their contact details) is not invited again.
 */
export function surveyDecision(input: {
  preferredContact: PreferredContact;
  email: string | null;
  phone: string | null;
  /** What the survey knows of each of the customer's keys. */
  known: { key: string; lastInvitedAt: number | null; optedOutAt: number | null }[];
  now: number;
  rules: Pick<SurveyRules, 'oncePerDays'>;
}): SurveyDecision {
  const email = normalizeEmail(input.email);
  const phone = normalizePhone(input.phone);
  if (!email && !phone) return { skip: 'anonymous' };
  if (input.preferredContact === 'none') return { skip: 'do_not_contact' };
  let channel: 'email' | 'phone' | undefined;
  if (input.preferredContact === 'email') channel = email ? 'email' : undefined;
  else if (input.preferredContact === 'phone') channel = phone ? 'phone' : undefined;
  else channel = email ? 'email' : 'phone';
  if (!channel) return { skip: 'no_contact_method' };
  const keys = customerKeys(input);
  const known = input.known.filter((k) => keys.includes(k.key));
  if (known.some((k) => k.optedOutAt !== null)) return { skip: 'opted_out' };
  const since = input.now - input.rules.oncePerDays * dayMs;
  if (known.some((k) => k.lastInvitedAt !== null && k.lastInvitedAt > since)) return { skip: 'recently_invited' };
  return { invite: channel, keys };
}

/** When a survey link made at `invitedAt` stops working. */
export function surveyExpiresAt(invitedAt: number, rules: Pick<SurveyRules, 'linkExpiresDays'>): number {
  return invitedAt + rules.linkExpiresDays * dayMs;
}

export const maxCommentLength = 4000;
export type ResolvedAnswer = 'yes' | 'partly' | 'no';

export interface SurveyAnswerInput {
  rating: number;
  resolved: ResolvedAnswer;
  comment: string | null;
}

/**
 * A survey answer as the customer (or the call) gave it: the rating 1 to 5, yes/partly/no and a
 * comment of at most 4,000 characters, kept as written. Problems are per field, in plain words.
 */
export function checkSurveyAnswer(raw: { rating?: unknown; resolved?: unknown; comment?: unknown }): { answer: SurveyAnswerInput } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const ratingText = typeof raw.rating === 'number' ? String(raw.rating) : typeof raw.rating === 'string' ? raw.rating.trim() : '';
  const rating = /^\d{1,2}$/.test(ratingText) ? Number(ratingText) : Number.NaN;
  if (ratingText === '') errors['rating'] = 'Choose how satisfied you are, from 1 (very dissatisfied) to 5 (very satisfied)';
  else if (!(rating >= 1 && rating <= 5)) errors['rating'] = 'The rating must be a whole number from 1 (very dissatisfied) to 5 (very satisfied)';
  const resolved = raw.resolved;
  if (resolved !== 'yes' && resolved !== 'partly' && resolved !== 'no') errors['resolved'] = 'Say whether your request was resolved: yes, partly or no';
  const comment = typeof raw.comment === 'string' ? raw.comment.replace(/\r\n/g, '\n').trim() : '';
  if (raw.comment !== undefined && typeof raw.comment !== 'string') errors['comment'] = 'The comment must be text';
  else if (comment.length > maxCommentLength) {
    errors['comment'] = `Shorten your comment to ${maxCommentLength.toLocaleString('en-CA')} characters or fewer (it has ${comment.length.toLocaleString('en-CA')})`;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { answer: { rating, resolved: resolved as ResolvedAnswer, comment: comment === '' ? null : comment } };
}

// ---------------------------------------------------------------------------------------------
// The feedback analysis (CSS §6.3): volume by theme and source in a period and the one before, and
// the themes rising most. A theme with fewer items than the minimum group size in both periods shows
// its counts but no change in percent.

export interface FeedbackFact {
  at: number;
  source: string;
  themes: readonly string[];
}

export interface ThemeTrend {
  theme: string;
  current: number;
  previous: number;
  /** current − previous. */
  change: number;
  /** (current − previous) ÷ previous, or null with too few items (or none before). */
  changeShare: number | null;
}

export interface FeedbackAnalysis {
  current: number;
  previous: number;
  bySource: Record<string, number>;
  /** Every theme with items in either period, most items now first; 'untagged' for items without one. */
  themes: ThemeTrend[];
  /** Themes whose count grew, largest growth first (at most 3). */
  risingMost: ThemeTrend[];
}

/** Items in [from, to) are the period; [from − (to − from), from) the one before. */
export function feedbackAnalysis(facts: readonly FeedbackFact[], period: { from: number; to: number }, minimumGroupSize = 10): FeedbackAnalysis {
  const length = period.to - period.from;
  const before = period.from - length;
  const current = new Map<string, number>();
  const previous = new Map<string, number>();
  const bySource: Record<string, number> = {};
  let now = 0;
  let then = 0;
  for (const f of facts) {
    const inCurrent = f.at >= period.from && f.at < period.to;
    const inPrevious = f.at >= before && f.at < period.from;
    if (!inCurrent && !inPrevious) continue;
    const target = inCurrent ? current : previous;
    if (inCurrent) {
      now += 1;
      bySource[f.source] = (bySource[f.source] ?? 0) + 1;
    } else then += 1;
    for (const theme of f.themes.length > 0 ? new Set(f.themes) : ['untagged']) target.set(theme, (target.get(theme) ?? 0) + 1);
  }
  const themes = [...new Set([...current.keys(), ...previous.keys()])].map((theme): ThemeTrend => {
    const c = current.get(theme) ?? 0;
    const p = previous.get(theme) ?? 0;
    return { theme, current: c, previous: p, change: c - p, changeShare: p >= minimumGroupSize ? (c - p) / p : null };
  });
  themes.sort((a, b) => b.current - a.current || a.theme.localeCompare(b.theme));
  const risingMost = themes.filter((t) => t.change > 0 && t.theme !== 'untagged').sort((a, b) => b.change - a.change || a.theme.localeCompare(b.theme)).slice(0, 3);
  return { current: now, previous: then, bySource, themes, risingMost };
}
