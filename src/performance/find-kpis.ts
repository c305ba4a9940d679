import { DateTime } from 'luxon';
import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import {
  formulaVersion,
  mergeTally,
  performanceIndicators,
  periodRuleWords,
  type PerformanceIndicators,
  type PeriodRule,
} from '../standard/performance-indicators.js';
import {
  aggregatedTallies,
  compactKpiDeltas,
  coversWholeMonths,
  directTallies,
  escalationTallies,
  kpiGroupings,
  totalOf,
  type GroupedTallies,
  type KpiGroupBy,
  type KpiSelection,
} from './kpi-tallies.js';
import { satisfactionTallies } from '../feedback/satisfaction-tallies.js';
import { performanceRulesOf } from '../directory/municipality.js';

/**
 * The KPIs of CSS §6.2 for one person's scope: the API (GET /api/v1/kpis), the CLI (`citydesk
 * kpi`), the dashboard and the reports all call findKpis, so every figure is computed once.
 */

/** What a person may measure (INTERPRETATION §9): division roles their division, Department Heads their department. */
export interface KpiScope {
  /** null: every division. */
  divisionIds: number[] | null;
  words: string;
}

const everything = new Set(['manager_customer_service', 'cao', 'working_group', 'administrator']);

export function kpiScope(staff: StaffMember, directory: Directory): KpiScope {
  if (everything.has(staff.role)) return { divisionIds: null, words: 'every division' };
  if (staff.role === 'department_head') {
    const ids = directory.divisions.filter((d) => d.departmentId === staff.departmentId).map((d) => d.id);
    return { divisionIds: ids, words: 'the divisions of your department' };
  }
  if (staff.divisionId === null) return { divisionIds: [], words: 'no division' };
  return { divisionIds: [staff.divisionId], words: directory.division(staff.divisionId)?.name ?? 'your division' };
}

export interface KpiQuery {
  from?: string | undefined;
  to?: string | undefined;
  division?: string | undefined;
  type?: string | undefined;
  channel?: string | undefined;
  by?: string | undefined;
  periodRule?: string | undefined;
  minimumGroupSize?: number | undefined;
}

export interface KpiGroup {
  key: string;
  label: string;
  indicators: PerformanceIndicators;
}

export interface KpiResult {
  formulaVersion: string;
  asOf: string;
  from: string;
  to: string;
  periodRule: PeriodRule;
  periodRuleWords: string;
  scope: string;
  filters: { division: string | null; type: string | null; channel: string | null };
  by: KpiGroupBy | null;
  /** 'aggregates' (whole months) or 'cases' (computed case by case). Both give the same figures. */
  computedFrom: 'aggregates' | 'cases';
  total: PerformanceIndicators;
  groups: KpiGroup[];
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function checkDate(value: string, field: string): string {
  if (!datePattern.test(value) || !DateTime.fromISO(value).isValid) {
    throw new AppError('VALIDATION_FAILED', `${field} "${value.slice(0, 20)}" is not a date: write it as YYYY-MM-DD, e.g. 2026-01-01.`, [{ field, message: 'not a date' }]);
  }
  return value;
}

/** Reads and checks a query: every bad value is a 400 that says what to write. */
export function kpiSelection(query: KpiQuery, directory: Directory, scope: KpiScope, today: string): { selection: KpiSelection; filters: KpiResult['filters']; minimumGroupSize: number } {
  const to = query.to ? checkDate(query.to, 'to') : today;
  const from = query.from ? checkDate(query.from, 'from') : DateTime.fromISO(to).minus({ months: 11 }).startOf('month').toISODate()!;
  if (from > to) throw new AppError('VALIDATION_FAILED', `The period starts (${from}) after it ends (${to}): give from before to.`, [{ field: 'from', message: 'after to' }]);
  if (DateTime.fromISO(to).diff(DateTime.fromISO(from), 'years').years > 10) {
    throw new AppError('VALIDATION_FAILED', 'A period is at most ten years: give a later from date.', [{ field: 'from', message: 'too long a period' }]);
  }
  const periodRule = query.periodRule ?? 'received';
  if (periodRule !== 'received' && periodRule !== 'closed') {
    throw new AppError('VALIDATION_FAILED', `period "${periodRule.slice(0, 20)}" is not a period rule: write received (the default) or closed.`, [{ field: 'period', message: 'received or closed' }]);
  }
  if (query.by !== undefined && !(kpiGroupings as readonly string[]).includes(query.by)) {
    throw new AppError('VALIDATION_FAILED', `by "${query.by.slice(0, 20)}" is not a grouping: write ${kpiGroupings.join(', ')}.`, [{ field: 'by', message: `one of ${kpiGroupings.join(', ')}` }]);
  }
  let divisionIds = scope.divisionIds;
  if (query.division) {
    const division = directory.divisionByCode(query.division);
    if (!division) {
      throw new AppError('VALIDATION_FAILED', `There is no division "${query.division.slice(0, 40)}"; divisions: ${directory.divisions.map((d) => d.code).join(', ')}.`, [{ field: 'division', message: 'unknown division' }]);
    }
    if (scope.divisionIds !== null && !scope.divisionIds.includes(division.id)) {
      throw new AppError('FORBIDDEN', `You can see the performance of ${scope.words}, not of ${division.name}.`);
    }
    divisionIds = [division.id];
  }
  let requestTypeId: number | undefined;
  if (query.type) {
    if (query.type === 'inquiry') requestTypeId = 0;
    else {
      const type = directory.requestTypeByCode(query.type);
      if (!type) throw new AppError('VALIDATION_FAILED', `There is no request type "${query.type.slice(0, 40)}" (general inquiries: inquiry).`, [{ field: 'type', message: 'unknown request type' }]);
      requestTypeId = type.id;
    }
  }
  if (query.channel && !directory.channel(query.channel)) {
    throw new AppError('VALIDATION_FAILED', `There is no channel "${query.channel.slice(0, 40)}"; channels: ${directory.channels.map((c) => c.code).join(', ')}.`, [{ field: 'channel', message: 'unknown channel' }]);
  }
  const minimumGroupSize = query.minimumGroupSize ?? performanceRulesOf(directory.municipality).minimumGroupSize;
  if (!Number.isInteger(minimumGroupSize) || minimumGroupSize < 1 || minimumGroupSize > 1000) {
    throw new AppError('VALIDATION_FAILED', 'The minimum group size is a whole number from 1 to 1000.', [{ field: 'minimumGroupSize', message: '1 to 1000' }]);
  }
  return {
    selection: { from, to, periodRule, divisionIds, requestTypeId, channel: query.channel || undefined, by: query.by as KpiGroupBy | undefined },
    filters: { division: query.division || null, type: query.type || null, channel: query.channel || null },
    minimumGroupSize,
  };
}

export function groupLabel(by: KpiGroupBy | null, key: string, directory: Directory): string {
  switch (by) {
    case 'division':
      return directory.division(Number(key))?.name ?? `division ${key}`;
    case 'type':
      return key === '0' ? 'General inquiries' : (directory.requestType(Number(key))?.name ?? `request type ${key}`);
    case 'channel':
      return directory.channel(key)?.name ?? key;
    case 'month':
      return DateTime.fromISO(`${key}-01`).toFormat('LLLL yyyy');
    default:
      return 'All cases';
  }
}

/**
 * The tallies of a selection: from the aggregates for whole months, else case by case.
 * `concurrently` (given the pool, not a transaction): the cases', escalations' and surveys'
 * statements run at once on three connections, for a reader that needs them all (the reports).
 */
export async function findKpiTallies(
  tx: Tx,
  directory: Directory,
  selection: KpiSelection,
  now: Date,
  options: { concurrently?: boolean } = {},
): Promise<{ groups: GroupedTallies; computedFrom: 'aggregates' | 'cases' }> {
  const calendar = directory.calendar;
  const whole = coversWholeMonths(selection.from, selection.to, calendar.localDate(now.getTime()));
  if (whole) await compactKpiDeltas(tx);
  const cases = () => (whole ? aggregatedTallies(tx, calendar, selection, now) : directTallies(tx, calendar, selection, now));
  let groups: GroupedTallies;
  if (options.concurrently) {
    const escalations: GroupedTallies = new Map();
    const surveys: GroupedTallies = new Map();
    [groups] = await Promise.all([cases(), escalationTallies(tx, calendar, selection, now, escalations), satisfactionTallies(tx, calendar, selection, surveys)]);
    for (const more of [escalations, surveys]) {
      for (const [key, tally] of more) {
        const into = groups.get(key);
        if (into) mergeTally(into, tally);
        else groups.set(key, tally);
      }
    }
  } else {
    groups = await cases();
    await escalationTallies(tx, calendar, selection, now, groups);
    await satisfactionTallies(tx, calendar, selection, groups);
  }
  return { groups, computedFrom: whole ? 'aggregates' : 'cases' };
}

export async function findKpis(options: { tx: Tx; directory: Directory; staff: StaffMember; query: KpiQuery; now: Date }): Promise<KpiResult> {
  const { tx, directory, staff, query, now } = options;
  const calendar = directory.calendar;
  const scope = kpiScope(staff, directory);
  const { selection, filters, minimumGroupSize } = kpiSelection(query, directory, scope, calendar.localDate(now.getTime()));
  const { groups, computedFrom } = await findKpiTallies(tx, directory, selection, now);
  const figureOptions = { periodRule: selection.periodRule, minimumGroupSize };
  const by = (selection.by ?? null) as KpiGroupBy | null;
  const keys = [...groups.keys()].sort((a, b) => (by === 'month' ? a.localeCompare(b) : groupLabel(by, a, directory).localeCompare(groupLabel(by, b, directory))));
  return {
    formulaVersion,
    asOf: calendar.format(now.getTime()),
    from: selection.from,
    to: selection.to,
    periodRule: selection.periodRule,
    periodRuleWords: periodRuleWords[selection.periodRule],
    scope: scope.words,
    filters,
    by,
    computedFrom,
    total: performanceIndicators(totalOf(groups), figureOptions),
    groups: by === null ? [] : keys.map((key) => ({ key, label: groupLabel(by, key, directory), indicators: performanceIndicators(groups.get(key)!, figureOptions) })),
  };
}
