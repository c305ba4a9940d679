import { DateTime } from 'luxon';
import type { Db } from '../db/connect.js';
import { DirectoryCache } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import { systemClock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { describeShare, type DaysFigure, type PerformanceIndicators } from '../standard/performance-indicators.js';
import { findKpis } from './find-kpis.js';
import { kpiCsv } from './kpi-csv.js';

/** Whoever runs the command on the server reads every division, as an administrator does. */
const operator: StaffMember = { id: 0, email: 'cli', name: 'citydesk kpi', role: 'administrator', divisionId: null, divisionName: null, departmentId: null, inCustomerService: false };

export interface KpiCommandOptions {
  from?: string;
  to?: string;
  by?: string;
  period?: string;
  division?: string;
  type?: string;
  channel?: string;
  asOf?: string;
  minGroup?: string;
  json?: boolean;
  csv?: boolean;
}

const days = (f: DaysFigure): string =>
  f.state === 'no_data' ? 'no data' : f.state === 'too_few' ? `${f.count} resolved (too few for figures)` : `median ${f.median}, mean ${f.mean!.toFixed(1)}, 90th percentile ${f.p90}`;

function lines(label: string, k: PerformanceIndicators): string {
  const counted = (f: { numerator: number; denominator: number; pending: number }) => `${f.numerator} of ${f.denominator} on time, ${f.pending} pending`;
  return [
    `${label}: ${k.cases.serviceRequests} service requests, ${k.cases.inquiries} inquiries, ${k.cases.open} open`,
    `  acknowledgment (service requests): ${describeShare(k.acknowledgment.serviceRequest)} (${counted(k.acknowledgment.serviceRequest)}${k.acknowledgment.serviceRequest.notRecorded ? `, ${k.acknowledgment.serviceRequest.notRecorded} not recorded` : ''})`,
    `  acknowledgment (inquiries): ${describeShare(k.acknowledgment.inquiry)} (${counted(k.acknowledgment.inquiry)})`,
    `  resolution within the original target: ${describeShare(k.resolution)} (${counted(k.resolution)})`,
    `  revised timelines kept: ${describeShare(k.revisedTimeline)} (${counted(k.revisedTimeline)})`,
    `  completion, business days: ${days(k.completion.businessDays)}; calendar days: ${days(k.completion.calendarDays)}`,
    `  escalations: level 1 ${k.escalation.byLevel[1]}, level 2 ${k.escalation.byLevel[2]}, level 3 ${k.escalation.byLevel[3]}; share of requests escalated ${describeShare(k.escalation.share)}`,
  ].join('\n');
}

/** `citydesk kpi`: the same figures as GET /api/v1/kpis, as words, JSON or CSV. */
export async function kpiCommand(db: Db, options: KpiCommandOptions, write: (text: string) => void): Promise<void> {
  if (options.json && options.csv) throw new AppError('VALIDATION_FAILED', 'Choose --json or --csv, not both.');
  const directory = await new DirectoryCache(db, systemClock).get(db.kysely);
  let now = systemClock.now();
  if (options.asOf !== undefined) {
    const parsed = DateTime.fromISO(options.asOf.trim(), { zone: directory.calendar.timeZone });
    if (!parsed.isValid) throw new AppError('VALIDATION_FAILED', `--as-of "${options.asOf}" is not a date and time: write e.g. 2026-12-01T12:00.`);
    now = parsed.toJSDate();
  }
  const minimumGroupSize = options.minGroup === undefined ? undefined : Number(options.minGroup);
  const result = await findKpis({
    tx: db.kysely,
    directory,
    staff: operator,
    query: { from: options.from, to: options.to, by: options.by, periodRule: options.period, division: options.division, type: options.type, channel: options.channel, minimumGroupSize },
    now,
  });
  if (options.json) return write(`${JSON.stringify(result)}\n`);
  if (options.csv) return write(kpiCsv(result));
  write(`Performance ${result.from} to ${result.to}, ${result.periodRuleWords}, as of ${result.asOf} (formula ${result.formulaVersion}).\n`);
  for (const g of result.groups) write(`${lines(g.label, g.indicators)}\n`);
  write(`${lines('Total', result.total)}\n`);
}
