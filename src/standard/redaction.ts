/**
 * Personal information out of public texts (INTERPRETATION §9: the public API and public pages
 * never show a customer's or a staff member's name, e-mail address or phone number). One function
 * for every public surface (the track page, Open311 answers), covering the ways people write them:
 *
 * - phone numbers with any separators (spaces, dots, hyphens and the Unicode dashes), brackets,
 *   +1 or another country code, an extension, or none at all (7055550199); the customer's own
 *   number in any form, by its digits;
 * - e-mail addresses, also spelt out ("x at example dot org", "x [at] example [dot] org");
 * - each part of the customer's name (both parts of a hyphenated surname, the first name alone)
 *   in any case, and each part of a staff member's name written as a name (capitalized), so
 *   "Will" the person is taken out but "will" the verb stays.
 *
 * Pure: no I/O. What is taken out reads `[removed]`; the rest of the text is kept as written.
 */

export const removed = '[removed]';

export type Redact = (text: string) => string;

export interface PersonalDetails {
  /** The customer's name(s), e-mail address(es) and phone number(s) on file. */
  customerNames?: readonly (string | null | undefined)[];
  customerEmails?: readonly (string | null | undefined)[];
  customerPhones?: readonly (string | null | undefined)[];
  /** Staff members' names: every account's (one list shared by many texts: its terms are worked out once). */
  staffNames?: readonly (string | null | undefined)[];
  /** More staff names for this case only (those who acted on it). */
  actingStaffNames?: readonly (string | null | undefined)[];
}

interface StaffTerms {
  /** Whole names, matched in any case. */
  whole: Set<string>;
  /** Parts of names, matched when written as a name (capitalized). */
  parts: Set<string>;
}

const staffTermsByList = new WeakMap<readonly unknown[], StaffTerms>();

function staffTermsOf(names: readonly (string | null | undefined)[] | undefined): StaffTerms {
  if (!names) return { whole: new Set(), parts: new Set() };
  const known = staffTermsByList.get(names);
  if (known) return known;
  const terms: StaffTerms = { whole: new Set(), parts: new Set() };
  for (const name of present(names)) {
    terms.whole.add(name.replace(/\s+/g, ' ').toLowerCase());
    for (const part of nameParts(name)) terms.parts.add(part.toLowerCase());
  }
  staffTermsByList.set(names, terms);
  return terms;
}

const letterOrDigit = '\\p{L}\\p{N}';
// Hyphen, non-breaking hyphen, figure dash, en and em dashes, horizontal bar, minus, small and full-width hyphen-minus.
const dashes = '\\-\\u2010-\\u2015\\u2212\\uFE58\\uFE63\\uFF0D';
// Spaces on one line, including no-break, thin and other Unicode spaces (never a line break).
const spaces = ' \\t\\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000';
const separators = `[${spaces}${dashes}.()]`;

/**
 * A run of digits that may be a phone number: digits with separators between them, an optional
 * + or opening bracket before, an optional extension after. Which runs are numbers is decided by
 * `isPhoneNumber`. Not after a letter and a dash (SR-2026-000123 is a reference number).
 */
const phoneCandidate = new RegExp(
  `(?<![${letterOrDigit}])(?<![${letterOrDigit}][${dashes}_#/])(?:\\+[${spaces}]*)?(?:\\([${spaces}]*)?\\d(?:${separators}*\\d)*(?:[${spaces}]*(?:x|ext\\.?|extension)[${spaces}]*\\d{1,6})?(?![${letterOrDigit}]|:\\d)`,
  'giu',
);
const isoDate = new RegExp(`^\\d{4}[${dashes}./]\\d{1,2}[${dashes}./]\\d{1,2}$`, 'u');
// 44.3500123 is a coordinate; 555.0199 and ten digits with one dot are numbers.
const decimal = /^(?!\d{3}\.\d{4}$)(?=(?:\D*\d){1,9}\D*$)\d+\.\d+$/;
const yearRange = new RegExp(`^(?:19|20)\\d\\d[${spaces}]*[${dashes}][${spaces}]*(?:19|20)\\d\\d$`, 'u');

const digitsOf = (text: string): string => text.replace(/\D/g, '');

function isPhoneNumber(candidate: string, ownPhones: readonly string[]): boolean {
  const main = candidate.replace(/\s*(?:x|ext\.?|extension)\s*\d{1,6}$/i, '');
  const digits = digitsOf(main);
  if (ownPhones.some((own) => digits.endsWith(own) || (digits.length >= 7 && own.endsWith(digits)))) return true;
  if (digits.length < 7 || digits.length > 15) return false;
  const trimmed = main.trim();
  if (isoDate.test(trimmed) || decimal.test(trimmed) || yearRange.test(trimmed)) return false;
  const separated = /\D/.test(trimmed.replace(/^\+/, ''));
  // Written with separators or a country code, 7 to 15 digits are a number; a bare run of digits
  // only when it has the length of a North American number with its area code (7055550199,
  // 17055550199), so that other identifiers stay.
  if (separated || trimmed.startsWith('+')) return true;
  return digits.length === 10 || (digits.length === 11 && digits.startsWith('1'));
}

// An e-mail address, written plainly or spelt out. A label of the domain and its local part.
const local = `[${letterOrDigit}._%+!#$&'*=?^\`{|}~\\-]+`;
const label = `[${letterOrDigit}](?:[${letterOrDigit}\\-]*[${letterOrDigit}])?`;
const bracketed = (word: string) => `[${spaces}]*[\\[({<][${spaces}]*${word}[${spaces}]*[\\])}>][${spaces}]*`;
const spelt = (word: string) => `[${spaces}]+${word}[${spaces}]+`;
const atSign = `[${spaces}]*[@\\uFF20\\uFE6B][${spaces}]*`;
const anyAt = `(?:${atSign}|${bracketed('at')}|${spelt('at')})`;
const anyDot = `(?:\\.|${bracketed('dot')}|${spelt('dot')})`;
const emailCandidate = new RegExp(`(?<![${letterOrDigit}._%+\\-])${local}${anyAt}${label}(?:${anyDot}${label})+`, 'giu');
const plainAt = new RegExp(`^${local}${spelt('at')}`, 'iu');
const dotWord = new RegExp(`${bracketed('dot')}|${spelt('dot')}`, 'iu');

function isEmailAddress(candidate: string): boolean {
  // "meet at the park.": "at" and "." alone are ordinary words; spelt out, "dot" must be too.
  if (plainAt.test(candidate) && !dotWord.test(candidate)) return false;
  // The last label is a top-level domain: letters.
  return /\p{L}{2,}$/u.test(candidate);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A name and each of its parts (split at spaces, hyphens, dashes, apostrophes, commas, dots). */
export function nameParts(name: string): string[] {
  const whole = name.trim().replace(/\s+/g, ' ');
  if (whole === '') return [];
  const parts = whole.split(new RegExp(`[${spaces}${dashes},.'’"()/&]+`, 'u')).filter((p) => p.length >= 2);
  const words = whole.split(' ').filter((p) => p.length >= 2);
  return [...new Set([whole, ...words, ...parts])];
}

const present = (values: readonly (string | null | undefined)[] | undefined): string[] =>
  (values ?? []).filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());

/** A redactor for one case's public texts: its customer's details, the staff's names, and any e-mail address or phone number. */
export function personalDetailRedactor(details: PersonalDetails): Redact {
  const ownPhones = present(details.customerPhones)
    .map((p) => digitsOf(p.replace(/\s*(?:x|ext\.?|extension)\s*\d{1,6}$/i, '')))
    .flatMap((d) => (d.length >= 7 ? [d.length === 11 && d.startsWith('1') ? d.slice(1) : d] : []));
  // Terms matched in any case: the customer's own details and whole staff names.
  const anyCase = new Set<string>();
  for (const name of present(details.customerNames)) for (const part of nameParts(name)) anyCase.add(part.toLowerCase());
  for (const email of present(details.customerEmails)) anyCase.add(email.toLowerCase());
  const staff = [staffTermsOf(details.staffNames), staffTermsOf(details.actingStaffNames)];
  for (const { whole } of staff) for (const name of whole) anyCase.add(name);
  // Terms matched only when written as a name: parts of staff names.
  const asName = new Set<string>();
  for (const { parts } of staff) for (const part of parts) if (!anyCase.has(part)) asName.add(part);
  const terms = [...anyCase, ...asName].filter((t) => t.length >= 2);
  const patterns = new Map<string, RegExp>();

  return (text) => {
    if (text === '') return text;
    // E-mail addresses first: a name inside one ("dana at example dot org") goes with the address.
    let out = text.replace(emailCandidate, (match) => (isEmailAddress(match) ? removed : match));
    // Most texts mention none of the names: look before building a pattern.
    const lower = out.toLowerCase();
    const found = terms.filter((t) => lower.includes(t)).sort((a, b) => b.length - a.length);
    if (found.length > 0) {
      const key = found.join('\u0000');
      let pattern = patterns.get(key);
      if (!pattern) {
        pattern = new RegExp(`(?<![${letterOrDigit}])(?:${found.map(escape).join('|')})(?![${letterOrDigit}])`, 'giu');
        if (patterns.size < 256) patterns.set(key, pattern);
      }
      out = out.replace(pattern, (match) => (anyCase.has(match.toLowerCase()) || /^\p{Lu}/u.test(match) ? removed : match));
    }
    out = out.replace(phoneCandidate, (match) => (isPhoneNumber(match, ownPhones) ? removed : match));
    return out;
  };
}

/** Any e-mail address or phone number taken out of a text (no case's own details known). */
export const redactContactDetails: Redact = personalDetailRedactor({});

/**
 * A web address shown publicly (Open311 media_url): kept only when it carries no personal
 * details, also when they are percent-encoded in it; otherwise not shown at all (a link with
 * `[removed]` in it leads nowhere).
 */
export function publicWebAddress(url: string | null, redact: Redact): string | null {
  if (url === null) return null;
  let decoded = url;
  try {
    decoded = decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    // Not percent-encoded as a whole: check it as written.
  }
  return redact(url) === url && redact(decoded) === decoded ? url : null;
}
