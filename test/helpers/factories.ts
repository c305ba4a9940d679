/**
 * The one test-data module: the shipped municipality, calendars built from it, and instants
 * written the way people read them.
 */
import { DateTime } from 'luxon';
import { loadMunicipalityConfig, type MunicipalityConfig } from '../../src/directory/municipality-config.js';
import { closureSource } from '../../src/directory/municipality.js';
import { BusinessCalendar } from '../../src/standard/calendar.js';
import type { ClosureChange } from '../../src/standard/closures.js';

let shipped: MunicipalityConfig | undefined;

/** The sample municipality under config/, as citydesk ships it. */
export function sampleConfig(): MunicipalityConfig {
  shipped ??= loadMunicipalityConfig('config');
  return shipped;
}

export function sampleCalendar(changes: ClosureChange[] = []): BusinessCalendar {
  const config = sampleConfig();
  return new BusinessCalendar(config.calendar, closureSource(config.closureRules, changes));
}

export const TORONTO = 'America/Toronto';

/** "2026-11-23 10:00" in Toronto local time (or any ISO string with an offset), as epoch ms. */
export function at(text: string): number {
  const parsed = /[zZ]|[+-]\d\d:\d\d$/.test(text) ? DateTime.fromISO(text) : DateTime.fromISO(text.replace(' ', 'T'), { zone: TORONTO });
  if (!parsed.isValid) throw new Error(`bad instant in test: ${text}`);
  return parsed.toMillis();
}
