import { describeShare, type ShareFigure } from '../standard/performance-indicators.js';
import { chartRows } from '../web/charts.js';
import { toCsvTables, type CsvTable } from '../web/csv.js';
import type { StoredReport } from './report-content.js';

/**
 * Every table of a stored report as one CSV file (CSS §6.3): each table under its title, a blank
 * line between, a byte-order mark and formula-escaped cells (src/web/csv.ts). Percentages are
 * numbers (87.5), with the counts beside them; a withheld share reads "too few" or "no data".
 */

const percent = (f: ShareFigure): string | number => (f.state === 'value' ? Math.round(f.value! * 1000) / 10 : f.state === 'no_data' ? 'no data' : 'too few');

export function reportTables(report: StoredReport): CsvTable[] {
  const c = report.content;
  const verdicts: Record<string, string> = { met: 'met', within: `within ${c.targets.withinPoints} points`, not_met: 'not met', too_few: 'too few to judge', no_data: 'no data' };
  const tables: CsvTable[] = [
    {
      title: `${c.city}: ${c.title}, ${c.period.label} (version ${c.version}, generated ${c.generatedAt}, definitions ${c.formulaVersion})`,
      header: ['summary'],
      rows: c.summary.points.map((p) => [p]),
    },
    {
      title: 'Scorecard',
      header: ['service', 'division', 'division service target', 'indicator', 'target %', 'result %', 'on time', 'counted', 'pending', 'status', 'comment'],
      rows: c.scorecard.map((r) => [
        r.subject,
        r.division ?? 'Corporate',
        r.dst,
        r.indicator,
        r.targetPercent,
        percent(r.result),
        r.result.numerator,
        r.result.denominator,
        r.result.pending,
        verdicts[r.verdict] ?? r.verdict,
        report.comments[r.key]?.comment ?? '',
      ]),
    },
  ];
  if ((c.scorecardWithoutCases ?? []).length > 0) {
    tables.push({ title: `Scorecard: request types with no cases in ${c.period.label} (not judged)`, header: ['service', 'division'], rows: c.scorecardWithoutCases!.map((g) => [g.subject, g.division]) });
  }
  if (c.divisions.length > 0) {
    tables.push({
      title: 'Divisions',
      header: ['division', 'service requests', 'inquiries', 'open', 'acknowledged %', 'acknowledged on time', 'acknowledgment counted', 'resolved %', 'resolved on time', 'resolution counted', 'median business days', 'escalations', 'satisfied %', 'answers', 'worst request types'],
      rows: c.divisions.map((d) => {
        const k = d.indicators;
        return [
          d.name,
          k.cases.serviceRequests,
          k.cases.inquiries,
          k.cases.open,
          percent(k.acknowledgment.serviceRequest),
          k.acknowledgment.serviceRequest.numerator,
          k.acknowledgment.serviceRequest.denominator,
          percent(k.resolution),
          k.resolution.numerator,
          k.resolution.denominator,
          k.completion.businessDays.median ?? '',
          k.escalation.byLevel[1] + k.escalation.byLevel[2] + k.escalation.byLevel[3],
          percent(k.satisfaction.satisfied),
          k.satisfaction.answers,
          d.worstTypes.map((t) => `${t.name} (${describeShare(t.resolution)}, ${t.missed} missed)`).join('; '),
        ];
      }),
    });
  }
  if (c.years.length > 0) {
    tables.push({
      title: 'Headline figures by year',
      header: ['year', 'cases received', 'acknowledged %', 'resolved %', 'median business days', 'escalations', 'satisfied %'],
      rows: c.years.map((y) => {
        const k = y.indicators;
        return [y.year, k.cases.serviceRequests + k.cases.inquiries, percent(k.acknowledgment.serviceRequest), percent(k.resolution), k.completion.businessDays.median ?? '', k.escalation.byLevel[1] + k.escalation.byLevel[2] + k.escalation.byLevel[3], percent(k.satisfaction.satisfied)];
      }),
    });
  }
  if (c.escalations) {
    const e = c.escalations;
    tables.push({ title: 'Escalations by level and reason', header: ['group', 'escalations'], rows: [['level 1', e.byLevel[1]], ['level 2', e.byLevel[2]], ['level 3', e.byLevel[3]], ['not acknowledged', e.byReason.not_acknowledged], ['not resolved', e.byReason.not_resolved], ['on request', e.byReason.on_request]] });
    tables.push({ title: 'Escalations by division', header: ['division', 'escalations'], rows: e.byDivision.map((d) => [d.name, d.count]) });
    tables.push({ title: 'Recurring request types', header: ['request type', 'escalations'], rows: e.recurringTypes.map((t) => [t.name, t.count]) });
    tables.push({ title: 'Recurring places', header: ['request type', 'place', 'escalated requests'], rows: e.recurringPlaces.map((p) => [p.requestType, p.place, p.count]) });
  }
  if (c.feedback) {
    const f = c.feedback;
    tables.push({
      title: 'Customer satisfaction',
      header: ['period', 'satisfied %', 'satisfied', 'answers', 'response rate %', 'invitations'],
      rows: [
        [c.period.label, percent(f.satisfaction.satisfied), f.satisfaction.satisfied.numerator, f.satisfaction.answers, percent(f.satisfaction.responseRate), f.satisfaction.responseRate.denominator],
        [c.previous.label, percent(f.previousSatisfaction.satisfied), f.previousSatisfaction.satisfied.numerator, f.previousSatisfaction.answers, percent(f.previousSatisfaction.responseRate), f.previousSatisfaction.responseRate.denominator],
      ],
    });
    tables.push({ title: 'Feedback by theme', header: ['theme', c.period.label, c.previous.label, 'change'], rows: f.themes.map((t) => [t.name, t.current, t.previous, t.change]) });
    tables.push({ title: 'What customers said', header: ['comment', 'division', 'received'], rows: f.quotes.map((q) => [q.text, q.division ?? '', q.received]) });
  }
  for (const chart of c.charts) {
    const { header, rows } = chartRows(chart.chart);
    tables.push({ title: `Chart: ${chart.chart.title}`, header, rows });
  }
  tables.push({ title: 'Definitions', header: ['term', 'definition'], rows: c.annex.definitions.map((d) => [d.term, d.words]) });
  tables.push({ title: 'What changed since the last report', header: ['change'], rows: c.annex.changes.map((x) => [x]) });
  return tables;
}

export function reportCsv(report: StoredReport): string {
  return toCsvTables(reportTables(report));
}
