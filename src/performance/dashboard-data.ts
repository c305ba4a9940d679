import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import type { ChartData } from '../web/charts.js';
import { findKpis, kpiScope, kpiSelection, type KpiQuery, type KpiResult } from './find-kpis.js';
import { monthEndSeries } from './kpi-tallies.js';
import { escalationRecurrence, type EscalationRecurrence } from './escalation-trends.js';

/**
 * What /staff/performance shows (CSS §6.2): cards and charts for the person's scope, every one
 * computed by findKpis (or, for the open backlog, from the open cases), so the page, its CSV and
 * the API agree.
 */

export interface Dashboard {
  kpis: KpiResult;
  open: number;
  overdue: number;
  charts: ChartData[];
  /** Request types and places escalated again and again in the period (CSS §6.2 escalation trends). */
  recurrence: EscalationRecurrence;
}

const ageBuckets: [label: string, maxDays: number][] = [
  ['under 2 days', 2],
  ['2 to 7 days', 7],
  ['1 to 2 weeks', 14],
  ['2 to 4 weeks', 28],
  ['1 to 3 months', 91],
  ['over 3 months', Infinity],
];

export async function performanceDashboard(options: { tx: Tx; directory: Directory; staff: StaffMember; query: KpiQuery; now: Date }): Promise<Dashboard> {
  const { tx, directory, staff, query, now } = options;
  const [total, byMonth, closedByMonth, byDivision, byType] = await Promise.all([
    findKpis({ ...options, query: { ...query, by: undefined } }),
    findKpis({ ...options, query: { ...query, by: 'month' } }),
    findKpis({ ...options, query: { ...query, by: 'month', periodRule: 'closed' } }),
    findKpis({ ...options, query: { ...query, by: 'division' } }),
    findKpis({ ...options, query: { ...query, by: 'type' } }),
  ]);
  // The open backlog now, in scope: its size follows what is open, not the history.
  const scope = kpiScope(staff, directory);
  const { selection } = kpiSelection(query, directory, scope, directory.calendar.localDate(now.getTime()));
  const filters = [sql`status = 'open'`];
  if (selection.divisionIds !== null) filters.push(selection.divisionIds.length ? sql`division_id in (${sql.join(selection.divisionIds.map((d) => sql`${d}`))})` : sql`false`);
  if (selection.requestTypeId !== undefined) filters.push(sql`coalesce(request_type_id, 0) = ${selection.requestTypeId}`);
  if (selection.channel !== undefined) filters.push(sql`channel = ${selection.channel}`);
  const ages = await sql<{ bucket: number; n: string | number; overdue: string | number }>`
    select width_bucket(extract(epoch from (${now}::timestamptz - received_at)) / 86400, ${sql.raw(`array[${ageBuckets.slice(0, -1).map(([, d]) => d).join(', ')}]::float8[]`)}) as bucket,
      count(*) as n,
      count(*) filter (where (acknowledged_at is null and acknowledgment_recorded and acknowledge_by < ${now}) or (resolve_by is not null and resolve_by < ${now})) as overdue
    from service_case where ${sql.join(filters, sql` and `)} group by 1
  `.execute(tx);
  const aging = ageBuckets.map(() => 0);
  let overdue = 0;
  for (const r of ages.rows) {
    aging[Math.min(Number(r.bucket), ageBuckets.length - 1)]! += Number(r.n);
    overdue += Number(r.overdue);
  }
  const open = aging.reduce((a, b) => a + b, 0);

  const months = byMonth.groups.map((g) => g.key);
  const closedByKey = new Map(closedByMonth.groups.map((g) => [g.key, g.indicators]));
  const allMonths = [...new Set([...months, ...closedByKey.keys()])].sort();
  const monthLabel = (key: string) => byMonth.groups.find((g) => g.key === key)?.label ?? closedByMonth.groups.find((g) => g.key === key)?.label ?? key;
  const receivedIn = (key: string) => {
    const k = byMonth.groups.find((g) => g.key === key)?.indicators;
    return k ? k.cases.serviceRequests + k.cases.inquiries : 0;
  };
  const closedIn = (key: string) => {
    const k = closedByKey.get(key);
    return k ? k.cases.serviceRequests + k.cases.inquiries : 0;
  };
  const atMonthEnd = await monthEndSeries(tx, directory.calendar, selection, allMonths, now);
  const recurrence = await escalationRecurrence(tx, directory, selection);
  const levels = ['Level 1: Division Head', 'Level 2: Department Head', 'Level 3: CAO'];
  const share = (f: { value: number | null }) => f.value;
  const charts: ChartData[] = [
    {
      name: 'monthly-compliance',
      title: 'Compliance by month received',
      categories: allMonths.map(monthLabel),
      series: [
        { name: 'Resolved within target', kind: 'line', values: allMonths.map((m) => share(byMonth.groups.find((g) => g.key === m)?.indicators.resolution ?? { value: null })) },
        { name: 'Acknowledged within target', kind: 'line', values: allMonths.map((m) => share(byMonth.groups.find((g) => g.key === m)?.indicators.acknowledgment.serviceRequest ?? { value: null })) },
      ],
      targetLine: { label: 'Target: every request on time', value: 1 },
      percent: true,
      missingWords: 'too few or no data',
    },
    {
      name: 'received-resolved',
      title: 'Received and resolved per month',
      categories: allMonths.map(monthLabel),
      series: [
        { name: 'Received', values: allMonths.map(receivedIn) },
        { name: 'Resolved', values: allMonths.map(closedIn) },
      ],
    },
    {
      name: 'backlog-overdue',
      title: 'Open and overdue at each month end',
      categories: allMonths.map((m, i) => (atMonthEnd.at[i]!.getTime() < now.getTime() ? monthLabel(m) : `${monthLabel(m)} (so far)`)),
      series: [
        { name: 'Open at month end', kind: 'line', values: atMonthEnd.open },
        { name: 'Overdue at month end (a target passed)', values: atMonthEnd.overdue },
      ],
    },
    {
      name: 'compliance-by-division',
      title: 'Resolution compliance by division',
      categories: byDivision.groups.map((g) => g.label),
      series: [{ name: 'Resolved within target', values: byDivision.groups.map((g) => share(g.indicators.resolution)) }],
      percent: true,
      missingWords: 'too few or no data',
    },
    {
      name: 'compliance-by-type',
      title: 'Resolution compliance by request type',
      categories: byType.groups.filter((g) => g.key !== '0').map((g) => g.label),
      series: [{ name: 'Resolved within target', values: byType.groups.filter((g) => g.key !== '0').map((g) => share(g.indicators.resolution)) }],
      percent: true,
      missingWords: 'too few or no data',
    },
    { name: 'open-aging', title: 'Open cases by age', categories: ageBuckets.map(([label]) => label), series: [{ name: 'Open cases', values: aging }] },
    {
      name: 'escalations-by-level',
      title: 'Escalations by level',
      categories: levels,
      series: [{ name: 'Escalations', values: [total.total.escalation.byLevel[1], total.total.escalation.byLevel[2], total.total.escalation.byLevel[3]] }],
    },
    {
      name: 'escalation-days',
      title: 'Median days at each escalation level',
      categories: levels,
      series: [{ name: 'Median calendar days at the level', values: [total.total.escalation.medianDaysAtLevel[1], total.total.escalation.medianDaysAtLevel[2], total.total.escalation.medianDaysAtLevel[3]] }],
      missingWords: 'too few or no data',
    },
  ];
  return { kpis: total, open, overdue, charts, recurrence };
}
