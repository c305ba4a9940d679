import type { FeedbackConfig } from './municipality-config.js';
import type { MapSettings } from './map-settings.js';
import type { Db, Tx } from '../db/connect.js';
import type { Row } from '../db/schema.js';
import { AppError } from '../platform/errors.js';
import { BusinessCalendar, type CalendarRules } from '../standard/calendar.js';
import { applyClosureChanges, defaultClosureDays, type ClosureChange, type ClosureDay, type ClosureRules } from '../standard/closures.js';
import type { ServiceTargets, Target } from '../standard/targets.js';
import type { AcknowledgmentRules } from '../standard/governance.js';
import type { ReportConfig } from '../reports/report-config.js';
import { defaultPerformanceRules, type PerformanceRules } from '../standard/performance-indicators.js';

/** The municipality's settings as stored by the seed. */
export interface MunicipalitySettings {
  standard: string;
  website: string | null;
  calendar: CalendarRules;
  closureRules: ClosureRules;
  contact: { phone: string; email: string };
  generalInquiry: { acknowledge: Target };
  emergency: { phone: string; for: string };
  /** governance.yaml's rules (absent in a database seeded before governance existed: the defaults apply). */
  governance?: { acknowledgments: AcknowledgmentRules; councilTerms: string[] };
  /** Surveys and feedback themes; absent in a database seeded before issue 14 (the defaults apply). */
  feedback?: FeedbackConfig | undefined;
  /** reports.yaml (CSS §6.3); absent in a database seeded before issue 15 (the defaults apply). */
  reports?: ReportConfig | undefined;
  /** performance.yaml: the at-risk share and the minimum group size; absent before it existed (the defaults apply). */
  performance?: PerformanceRules | undefined;
  /** The map, geocoder and boundary; absent in a database seeded before issue 19 (the defaults apply). */
  map?: MapSettings | undefined;
}

/** The City's performance-monitoring rules (config/performance.yaml), or the defaults. */
export function performanceRulesOf(municipality: { settings: MunicipalitySettings }): PerformanceRules {
  return municipality.settings.performance ?? defaultPerformanceRules;
}

export interface Municipality {
  name: string;
  settings: MunicipalitySettings;
  calendarRevision: number;
}

export async function isSeeded(db: Tx): Promise<boolean> {
  const row = await db.selectFrom('municipality').select('id').executeTakeFirst();
  return row !== undefined;
}

export async function loadMunicipality(db: Tx): Promise<Municipality> {
  const row = await db.selectFrom('municipality').select(['name', 'settings', 'calendar_revision']).executeTakeFirst();
  if (!row) throw notSeeded();
  return { name: row.name, settings: row.settings as MunicipalitySettings, calendarRevision: row.calendar_revision };
}

export function notSeeded(): AppError {
  return new AppError('NOT_FOUND', 'No municipality is loaded in this database. Run `citydesk seed` to load config/.');
}

export function toServiceTargets(row: Pick<Row<'dst_target'>, 'acknowledge_amount' | 'acknowledge_unit' | 'resolve_amount' | 'resolve_unit' | 'targets_by'>): ServiceTargets {
  const targets: ServiceTargets = {
    acknowledge: { amount: row.acknowledge_amount, unit: row.acknowledge_unit },
    resolve: { amount: row.resolve_amount, unit: row.resolve_unit },
  };
  if (row.targets_by) targets.byAttribute = row.targets_by as NonNullable<ServiceTargets['byAttribute']>;
  return targets;
}

/** The closure calendar: generated defaults with the administrators' changes applied. */
export function closureSource(rules: ClosureRules, changes: readonly ClosureChange[]): (year: number) => ClosureDay[] {
  const byYear = new Map<number, ClosureChange[]>();
  for (const change of changes) {
    const year = Number(change.date.slice(0, 4));
    byYear.set(year, [...(byYear.get(year) ?? []), change]);
  }
  return (year) => applyClosureChanges(defaultClosureDays(year, rules), byYear.get(year) ?? []);
}

export async function loadClosureChanges(db: Tx): Promise<ClosureChange[]> {
  const rows = await db.selectFrom('closure_change').select(['closure_date', 'action', 'name']).orderBy('closure_date').execute();
  return rows.map((r) => ({ date: r.closure_date, action: r.action, name: r.name }));
}

/** Where code that needs only the business calendar gets it (in a transaction: pass it). */
export interface CalendarSource {
  get(tx?: Tx): Promise<BusinessCalendar>;
}

/**
 * The business calendar of the loaded municipality. Built once and reused until the closure
 * calendar changes (any server copy's change bumps the revision that `get` checks). The server
 * reads its calendar from the directory cache (directory-cache.ts) instead.
 */
export class CalendarProvider implements CalendarSource {
  private cached: { revision: number; calendar: BusinessCalendar } | undefined;

  constructor(private readonly db: Db) {}

  async get(tx: Tx = this.db.kysely): Promise<BusinessCalendar> {
    const municipality = await loadMunicipality(tx);
    if (this.cached && this.cached.revision === municipality.calendarRevision) return this.cached.calendar;
    const calendar = await buildCalendar(tx, municipality);
    this.cached = { revision: municipality.calendarRevision, calendar };
    return calendar;
  }
}

/**
 * Calendars built lately, by what they are made of: a calendar is a pure function of the hours,
 * the closure rules and the closure changes, and indexing a few years of days costs tens of
 * milliseconds, so callers that build one per run (the survey sweep, each batch) reuse it.
 */
const builtCalendars = new Map<string, BusinessCalendar>();

export async function buildCalendar(tx: Tx, municipality?: Municipality): Promise<BusinessCalendar> {
  const m = municipality ?? (await loadMunicipality(tx));
  const changes = await loadClosureChanges(tx);
  const key = JSON.stringify([m.settings.calendar, m.settings.closureRules, changes]);
  const built = builtCalendars.get(key);
  if (built) return built;
  const calendar = new BusinessCalendar(m.settings.calendar, closureSource(m.settings.closureRules, changes));
  builtCalendars.set(key, calendar);
  // A few kept (one per database a process uses, in practice): the oldest goes first.
  if (builtCalendars.size > 8) builtCalendars.delete(builtCalendars.keys().next().value!);
  return calendar;
}
