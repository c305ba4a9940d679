import type { PerformanceIndicators, ShareFigure } from '../standard/performance-indicators.js';
import { toCsv } from '../web/csv.js';
import type { KpiResult } from './find-kpis.js';

/** The KPIs as CSV: one row a group (and the total), each share with the counts it came from. */

const share = (f: ShareFigure): (string | number)[] => [f.value === null ? (f.state === 'no_data' ? 'no data' : 'too few') : Math.round(f.value * 1000) / 10, f.numerator, f.denominator, f.pending];
const shareHeader = (name: string): string[] => [`${name} %`, `${name} on time`, `${name} counted`, `${name} pending`];
const days = (v: number | null): string | number => (v === null ? '' : Math.round(v * 10) / 10);

export const kpiCsvHeader = [
  'group',
  'service requests',
  'inquiries',
  'open',
  ...shareHeader('SR acknowledgment'),
  'SR acknowledgment not recorded',
  ...shareHeader('inquiry acknowledgment'),
  ...shareHeader('resolution'),
  ...shareHeader('revised timeline kept'),
  'completed',
  'mean business days',
  'median business days',
  'p90 business days',
  'mean calendar days',
  'median calendar days',
  'p90 calendar days',
  'escalations level 1',
  'escalations level 2',
  'escalations level 3',
  'escalated: not acknowledged',
  'escalated: not resolved',
  'escalated: on request',
  ...shareHeader('share escalated'),
  'period rule',
  'formula version',
];

export function kpiCsvRow(label: string, k: PerformanceIndicators): (string | number)[] {
  const b = k.completion.businessDays;
  const c = k.completion.calendarDays;
  return [
    label,
    k.cases.serviceRequests,
    k.cases.inquiries,
    k.cases.open,
    ...share(k.acknowledgment.serviceRequest),
    k.acknowledgment.serviceRequest.notRecorded,
    ...share(k.acknowledgment.inquiry),
    ...share(k.resolution),
    ...share(k.revisedTimeline),
    c.count,
    days(b.mean),
    days(b.median),
    days(b.p90),
    days(c.mean),
    days(c.median),
    days(c.p90),
    k.escalation.byLevel[1],
    k.escalation.byLevel[2],
    k.escalation.byLevel[3],
    k.escalation.byReason.not_acknowledged,
    k.escalation.byReason.not_resolved,
    k.escalation.byReason.on_request,
    ...share(k.escalation.share),
    k.periodRuleWords,
    k.formulaVersion,
  ];
}

export function kpiCsv(result: KpiResult): string {
  return toCsv(kpiCsvHeader, [...result.groups.map((g) => kpiCsvRow(g.label, g.indicators)), kpiCsvRow('Total', result.total)]);
}
