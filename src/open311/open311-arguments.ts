import { DateTime } from 'luxon';
import type { Directory } from '../directory/directory-cache.js';
import { badRequest, notFound } from './open311-errors.js';

/**
 * Reading GeoReport v2 arguments, from a query string or a form-encoded body. An empty optional
 * argument is treated as absent (clients send `jurisdiction_id=` and `lat=&long=` freely).
 */

export type Arguments = Record<string, unknown>;

// eslint-disable-next-line no-control-regex -- these characters are exactly what is looked for
const unsendable = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A text is refused when PostgreSQL cannot store it (NUL, half a surrogate pair) or XML cannot carry it. */
export function checkText(name: string, value: string): string {
  if (unsendable.test(value)) {
    throw badRequest(`${name} contains a character that cannot be stored or sent (a NUL or other control character, or half of a surrogate pair). Remove it and send again.`);
  }
  return value;
}

/** A single optional text argument: absent, empty and blank are all undefined. */
export function optionalText(args: Arguments, name: string, maxLength: number): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be given once, as text.`);
  checkText(name, value);
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (trimmed.length > maxLength) throw badRequest(`${name} is too long: at most ${maxLength.toLocaleString('en-CA')} characters (it has ${trimmed.length.toLocaleString('en-CA')}).`);
  return trimmed;
}

/** An argument that may be given several times or comma-separated: its non-empty parts. */
export function listArgument(args: Arguments, name: string, maxItems: number, maxLength = 100): string[] | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  const raw = Array.isArray(value) ? value : [value];
  const parts: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string') throw badRequest(`${name} must be text: one value, or several separated by commas.`);
    checkText(name, item);
    for (const part of item.split(',')) {
      const trimmed = part.trim();
      if (trimmed === '') continue;
      if (trimmed.length > maxLength) throw badRequest(`A value of ${name} is too long (at most ${maxLength} characters).`);
      parts.push(trimmed);
    }
  }
  if (parts.length > maxItems) throw badRequest(`${name} lists ${parts.length} values; at most ${maxItems.toLocaleString('en-CA')} are allowed at once.`);
  return parts.length > 0 ? parts : undefined;
}

/** A number within a range; absent or empty is undefined. */
export function optionalNumber(args: Arguments, name: string, min: number, max: number): number | undefined {
  const text = optionalText(args, name, 40);
  if (text === undefined) return undefined;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw badRequest(`${name} must be a number, not "${text}".`);
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) throw badRequest(`${name} must be between ${min} and ${max} (it is ${text}).`);
  return value;
}

/** A whole number for page and page_size. */
export function optionalCount(args: Arguments, name: string, min: number, max: number): number | undefined {
  const text = optionalText(args, name, 40);
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw badRequest(`${name} must be a whole number from ${min} to ${max.toLocaleString('en-CA')} (it is "${text.slice(0, 40)}").`);
  }
  return Number(text);
}

/** The municipality's jurisdiction_id: the host of its website without "www.", else its name as a slug. */
export function jurisdictionId(directory: Directory): string {
  const website = directory.municipality.settings.website;
  if (website) {
    try {
      return new URL(website).hostname.replace(/^www\./, '').toLowerCase();
    } catch {
      // Not a URL: fall back to the name.
    }
  }
  return directory.municipality.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** jurisdiction_id: absent, empty, or this municipality's own; any other is not served here (404). */
export function checkJurisdiction(args: Arguments, directory: Directory): void {
  const given = optionalText(args, 'jurisdiction_id', 200);
  if (given === undefined) return;
  const own = jurisdictionId(directory);
  if (given.toLowerCase() !== own) throw notFound(`jurisdiction_id "${given.slice(0, 100)}" is not served here; this server serves "${own}" only (or leave jurisdiction_id out).`);
}

/**
 * start_date and end_date: W3C date-times (2026-11-23T10:15:00-05:00); a time without an offset,
 * or a date alone, is the City's local time.
 */
export function optionalDateTime(args: Arguments, name: string, zone: string): number | undefined {
  const text = optionalText(args, name, 40);
  if (text === undefined) return undefined;
  const parsed = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(text) ? DateTime.fromISO(text.replace(' ', 'T'), { zone }) : undefined;
  if (!parsed || !parsed.isValid || parsed.year < 1970 || parsed.year > 9999) {
    throw badRequest(`${name} must be a W3C date and time such as 2026-11-23T10:15:00-05:00 (or a date, 2026-11-23), not "${text}".`);
  }
  return parsed.toMillis();
}
