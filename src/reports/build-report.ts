import { sql } from 'kysely';
import { escalationRecurrence } from '../performance/escalation-trends.js';
import { performanceRulesOf } from '../directory/municipality.js';
import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import { feedbackFacts, feedbackKindWords, feedbackThemes, surveyAnswerCounts } from '../feedback/customer-feedback.js';
import { findKpiTallies } from '../performance/find-kpis.js';
import { firstCountedMonth, periodInstants, type GroupedTallies } from '../performance/kpi-tallies.js';
import { feedbackAnalysis } from '../standard/customer-satisfaction.js';
import {
  describeShare,
  emptyTally,
  formulaVersion,
  mergeTally,
  performanceIndicators,
  periodRuleWords,
  type FigureOptions,
  type IndicatorTally,
  type PerformanceIndicators,
  type ShareFigure,
} from '../standard/performance-indicators.js';
import { monthsOf, previousPeriod, reportAudiences, reportTitles, verdict, type ReportKind, type ReportPeriod } from '../standard/report-periods.js';
import { formatTarget } from '../standard/targets.js';
import { renderChartSvg, type ChartData } from '../web/charts.js';
import { formatDateTime } from '../web/format.js';
import type { ReportConfig } from './report-config.js';
import type { DivisionPage, ReportContent, ScorecardGap, ScorecardRow } from './report-content.js';

/**
 * Builds a report's content from the figures at this moment (CSS §6.3). Every figure comes from
 * the KPI tallies (src/performance/), read once at the finest grouping (division × request type ×
 * month) over the period, the period before it and, for Council, every year held, then added up
 * here: the report costs about one KPI query, and its figures are the API's (GET /api/v1/kpis).
 */

/** The reports read every division, as the corporate figures they are. */
const reader: StaffMember = { id: 0, email: 'reports', name: 'citydesk reports', role: 'administrator', divisionId: null, divisionName: null, departmentId: null, inCustomerService: false };

interface Cell {
  division: number;
  type: number;
  month: string;
  tally: IndicatorTally;
}

function cellsOf(groups: GroupedTallies): Cell[] {
  return [...groups.entries()].map(([key, tally]) => {
    const [division, type, month] = key.split('|') as [string, string, string];
    return { division: Number(division), type: Number(type), month, tally };
  });
}

function sum(cells: Cell[], keep: (c: Cell) => boolean): IndicatorTally {
  const total = emptyTally();
  for (const c of cells) if (keep(c)) mergeTally(total, c.tally);
  return total;
}

const inPeriod = (p: { from: string; to: string }) => {
  const from = p.from.slice(0, 7);
  const to = p.to.slice(0, 7);
  return (c: Cell) => c.month >= from && c.month <= to;
};

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-CA')} ${n === 1 ? one : many}`;

/** "up 3 points from 88%" when both sides are percentages; nothing otherwise. */
function pointsChange(now: ShareFigure, before: ShareFigure, previousLabel: string): string {
  if (now.state !== 'value' || before.state !== 'value') return before.state === 'value' ? ` (${describeShare(before)} in ${previousLabel})` : ` (${previousLabel}: ${describeShare(before)})`;
  const points = Math.round((now.value! - before.value!) * 100);
  if (points === 0) return ` (the same as in ${previousLabel})`;
  return ` (${points > 0 ? 'up' : 'down'} ${plural(Math.abs(points), 'point')} from ${describeShare(before)} in ${previousLabel})`;
}

function summaryPoints(kind: ReportKind, now: PerformanceIndicators, before: PerformanceIndicators, previous: ReportPeriod, scorecard: ScorecardRow[], withinPoints: number, escalations: number, previousEscalations: number): string[] {
  const received = now.cases.serviceRequests + now.cases.inquiries;
  const receivedBefore = before.cases.serviceRequests + before.cases.inquiries;
  const change = receivedBefore === 0 ? '' : `, ${received === receivedBefore ? 'the same as' : `${Math.abs(Math.round(((received - receivedBefore) / receivedBefore) * 100))}% ${received > receivedBefore ? 'more than' : 'fewer than'}`} in ${previous.label} (${receivedBefore.toLocaleString('en-CA')})`;
  const points: string[] = [];
  if (received === 0) points.push(`No cases were received in the period; ${receivedBefore === 0 ? 'none in the period before either' : `${plural(receivedBefore, 'case')} in ${previous.label}`}.`);
  else points.push(`${plural(now.cases.serviceRequests, 'service request')} and ${plural(now.cases.inquiries, 'general inquiry', 'general inquiries')} received${change}; ${plural(now.cases.open, 'case')} still open.`);
  if (kind !== 'feedback') {
    points.push(`Service requests resolved within their original target: ${describeShare(now.resolution)}${pointsChange(now.resolution, before.resolution, previous.label)}.`);
    points.push(`Service requests acknowledged within target: ${describeShare(now.acknowledgment.serviceRequest)}${pointsChange(now.acknowledgment.serviceRequest, before.acknowledgment.serviceRequest, previous.label)}.`);
    points.push(`${plural(escalations, 'escalation')} (${previousEscalations.toLocaleString('en-CA')} in ${previous.label}); ${describeShare(now.escalation.share)} of service requests escalated.`);
  }
  if (now.satisfaction.answers === 0) points.push(`Customer satisfaction: no survey answers in the period (${plural(now.satisfaction.responseRate.denominator, 'invitation')} sent).`);
  else points.push(`Customer satisfaction (answers of 4 or 5): ${describeShare(now.satisfaction.satisfied)} of ${plural(now.satisfaction.answers, 'answer')}${pointsChange(now.satisfaction.satisfied, before.satisfaction.satisfied, previous.label)}; response rate ${describeShare(now.satisfaction.responseRate)}.`);
  const judged = scorecard.filter((r) => r.verdict === 'met' || r.verdict === 'within' || r.verdict === 'not_met');
  if (scorecard.length > 0) {
    const count = (v: string) => judged.filter((r) => r.verdict === v).length;
    points.push(
      judged.length === 0
        ? 'No scorecard target had enough cases to judge.'
        : `Scorecard: ${count('met')} of ${judged.length} targets met, ${count('within')} within ${plural(withinPoints, 'point')} of it, ${count('not_met')} not met${scorecard.length > judged.length ? `; ${scorecard.length - judged.length} with too few cases or none to judge` : ''}.`,
    );
  }
  return points;
}

/**
 * The scorecard's rows: in the bi-annual report each request type with cases in the period, then
 * the corporate rows. The types with none are named in `withoutCases` (one line under the table),
 * not listed row by row as "no data".
 */
function scorecardRows(
  kind: ReportKind,
  directory: Directory,
  cells: Cell[],
  period: ReportPeriod,
  total: PerformanceIndicators,
  config: ReportConfig,
  options: FigureOptions,
): { rows: ScorecardRow[]; withoutCases: ScorecardGap[] } {
  const t = config.targets;
  const row = (key: string, division: string | null, subject: string, dst: string, indicator: string, targetPercent: number, result: ShareFigure): ScorecardRow => ({
    key,
    division,
    subject,
    dst,
    indicator,
    targetPercent,
    result,
    verdict: verdict(result, targetPercent, t.withinPoints),
  });
  const inquiryTarget = directory.municipality.settings.generalInquiry.acknowledge;
  const corporate = [
    row('all/acknowledgment', null, 'All service requests', 'Acknowledge within each type’s DST', 'Acknowledged within target', t.acknowledgment, total.acknowledgment.serviceRequest),
    row('all/resolution', null, 'All service requests', 'Resolve within each type’s original DST', 'Resolved within target', t.resolution, total.resolution),
    row('inquiry/acknowledgment', null, 'General inquiries', `Acknowledge within ${formatTarget(inquiryTarget)}`, 'Acknowledged within target', t.inquiryAcknowledgment, total.acknowledgment.inquiry),
    row('all/satisfaction', null, 'Customer satisfaction', 'Survey answers of 4 or 5 out of 5', 'Satisfied', t.satisfaction, total.satisfaction.satisfied),
  ];
  if (kind === 'feedback') return { rows: corporate.slice(3), withoutCases: [] };
  if (kind === 'annual') return { rows: corporate, withoutCases: [] };
  const keep = inPeriod(period);
  const endMs = Date.parse(`${period.to}T12:00:00Z`);
  const rows: ScorecardRow[] = [];
  const withoutCases: ScorecardGap[] = [];
  for (const division of directory.divisions) {
    for (const type of directory.allRequestTypes().filter((x) => x.divisionId === division.id)) {
      const tally = sum(cells, (c) => keep(c) && c.type === type.id);
      if (tally.serviceRequests === 0) {
        if (type.active) withoutCases.push({ division: division.name, subject: type.name });
        continue;
      }
      const k = performanceIndicators(tally, options);
      let ack = 'the DST in force at receipt';
      let res = ack;
      if (type.active) {
        const dst = directory.serviceTargets(type.code, endMs).targets;
        ack = `Acknowledge within ${formatTarget(dst.acknowledge)}`;
        res = `Resolve within ${formatTarget(dst.resolve)}${dst.byAttribute ? ' (or as its attribute sets)' : ''}`;
      }
      rows.push(row(`${type.code}/acknowledgment`, division.name, type.name, ack, 'Acknowledged within target', t.acknowledgment, k.acknowledgment.serviceRequest));
      rows.push(row(`${type.code}/resolution`, division.name, type.name, res, 'Resolved within target', t.resolution, k.resolution));
    }
  }
  return { rows: [...rows, ...corporate], withoutCases };
}

function divisionPages(directory: Directory, cells: Cell[], period: ReportPeriod, options: FigureOptions): DivisionPage[] {
  const keep = inPeriod(period);
  return directory.divisions
    .filter((d) => directory.allRequestTypes().some((t) => t.divisionId === d.id) || cells.some((c) => c.division === d.id && keep(c)))
    .map((d) => {
      const types = directory
        .allRequestTypes()
        .filter((t) => t.divisionId === d.id)
        .map((t) => {
          const k = performanceIndicators(sum(cells, (c) => keep(c) && c.division === d.id && c.type === t.id), options);
          return { name: t.name, resolution: k.resolution, missed: k.resolution.denominator - k.resolution.numerator };
        })
        .filter((t) => t.missed > 0)
        .sort((a, b) => (a.resolution.value ?? 2) - (b.resolution.value ?? 2) || b.missed - a.missed || a.name.localeCompare(b.name))
        .slice(0, 3);
      return { code: d.code, name: d.name, indicators: performanceIndicators(sum(cells, (c) => keep(c) && c.division === d.id), options), worstTypes: types };
    });
}

const shareOf = (f: ShareFigure): number | null => f.value;

function charts(kind: ReportKind, cells: Cell[], period: ReportPeriod, years: ReportContent['years'], divisions: DivisionPage[], total: PerformanceIndicators, options: FigureOptions): ChartData[] {
  const months = monthsOf(period);
  const monthName = (m: string) => new Date(`${m}-15T12:00:00Z`).toLocaleString('en-CA', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  const byMonth = months.map((m) => performanceIndicators(sum(cells, (c) => c.month === m), options));
  const list: ChartData[] = [];
  if (kind === 'annual') {
    list.push({
      name: 'compliance-by-year',
      title: 'Compliance by year received',
      categories: years.map((y) => y.year),
      series: [
        { name: 'Resolved within target', kind: 'line', values: years.map((y) => shareOf(y.indicators.resolution)) },
        { name: 'Acknowledged within target', kind: 'line', values: years.map((y) => shareOf(y.indicators.acknowledgment.serviceRequest)) },
      ],
      percent: true,
      missingWords: 'too few or no data',
    });
    list.push({ name: 'cases-by-year', title: 'Cases received by year', categories: years.map((y) => y.year), series: [{ name: 'Cases received', values: years.map((y) => y.indicators.cases.serviceRequests + y.indicators.cases.inquiries) }] });
  }
  if (kind !== 'feedback') {
    list.push({
      name: 'monthly-compliance',
      title: 'Compliance by month received',
      categories: months.map(monthName),
      series: [
        { name: 'Resolved within target', kind: 'line', values: byMonth.map((k) => shareOf(k.resolution)) },
        { name: 'Acknowledged within target', kind: 'line', values: byMonth.map((k) => shareOf(k.acknowledgment.serviceRequest)) },
      ],
      percent: true,
      missingWords: 'too few or no data',
    });
  }
  if (kind === 'biannual') {
    list.push({ name: 'cases-by-month', title: 'Cases received by month', categories: months.map(monthName), series: [{ name: 'Cases received', values: byMonth.map((k) => k.cases.serviceRequests + k.cases.inquiries) }] });
    list.push({
      name: 'compliance-by-division',
      title: 'Resolution compliance by division',
      categories: divisions.map((d) => d.name),
      series: [{ name: 'Resolved within target', values: divisions.map((d) => shareOf(d.indicators.resolution)) }],
      percent: true,
      missingWords: 'too few or no data',
    });
    list.push({
      name: 'escalations-by-level',
      title: 'Escalations by level',
      categories: ['Level 1: Division Head', 'Level 2: Department Head', 'Level 3: CAO'],
      series: [{ name: 'Escalations', values: [total.escalation.byLevel[1], total.escalation.byLevel[2], total.escalation.byLevel[3]] }],
    });
  }
  if (kind !== 'annual') {
    list.push({
      name: 'satisfaction-by-month',
      title: 'Customer satisfaction by month invited',
      categories: months.map(monthName),
      series: [
        { name: 'Satisfied (4 or 5)', kind: 'line', values: byMonth.map((k) => shareOf(k.satisfaction.satisfied)) },
        { name: 'Response rate', kind: 'line', values: byMonth.map((k) => shareOf(k.satisfaction.responseRate)) },
      ],
      percent: true,
      missingWords: 'too few or no data',
    });
  }
  return list;
}

type Recurrence = Awaited<ReturnType<typeof escalationRecurrence>>;

function escalationTrends(directory: Directory, cells: Cell[], period: ReportPeriod, previous: ReportPeriod, recurrence: Recurrence, options: FigureOptions): NonNullable<ReportContent['escalations']> {
  const keep = inPeriod(period);
  const now = performanceIndicators(sum(cells, keep), options);
  const before = performanceIndicators(sum(cells, inPeriod(previous)), options);
  const escalationsOf = (t: IndicatorTally) => t.escalation.byLevel[1] + t.escalation.byLevel[2] + t.escalation.byLevel[3];
  const byDivision = directory.divisions
    .map((d) => ({ name: d.name, count: escalationsOf(sum(cells, (c) => keep(c) && c.division === d.id)) }))
    .filter((d) => d.count > 0)
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  return {
    byLevel: now.escalation.byLevel,
    byReason: now.escalation.byReason,
    share: now.escalation.share,
    previousShare: before.escalation.share,
    byDivision,
    recurringTypes: recurrence.recurringTypes,
    recurringPlaces: recurrence.recurringPlaces,
  };
}

/** What the feedback section reads besides the KPI tallies. */
async function readFeedback(read: Tx, directory: Directory, period: ReportPeriod, previous: ReportPeriod) {
  const calendar = directory.calendar;
  const current = periodInstants(calendar, period.from, period.to);
  const before = periodInstants(calendar, previous.from, previous.to);
  const [facts, answers, themes, quotes] = await Promise.all([
    feedbackFacts(read, reader, before.fromAt),
    surveyAnswerCounts(read, reader, current.fromAt, current.toAt),
    feedbackThemes(read),
    sql<{ quote: string; division: string | null; received_at: Date }>`
      select q.quote, d.name as division, f.received_at
      from report_quote q join customer_feedback f on f.id = q.feedback_id
        left join service_case c on c.id = f.case_id left join division d on d.id = c.division_id
      where f.received_at >= ${current.fromAt} and f.received_at < ${current.toAt}
      order by f.received_at, f.id limit 12`.execute(read),
  ]);
  return { current, before, facts, answers, themes, quotes };
}

function feedbackSection(directory: Directory, cells: Cell[], period: ReportPeriod, previous: ReportPeriod, read: Awaited<ReturnType<typeof readFeedback>>, options: FigureOptions): NonNullable<ReportContent['feedback']> {
  const { current, before, facts, answers, themes, quotes } = read;
  const calendar = directory.calendar;
  const analysis = feedbackAnalysis(facts, { from: current.fromAt.getTime(), to: current.toAt.getTime() }, options.minimumGroupSize);
  const previousItems = facts.filter((f) => f.at >= before.fromAt.getTime() && f.at < before.toAt.getTime()).length;
  const themeName = (code: string) => (code === 'untagged' ? 'Not tagged yet' : (themes.find((t) => t.code === code)?.name ?? code));
  const now = performanceIndicators(sum(cells, inPeriod(period)), options);
  const then = performanceIndicators(sum(cells, inPeriod(previous)), options);
  return {
    satisfaction: now.satisfaction,
    previousSatisfaction: then.satisfaction,
    resolved: { ...answers.resolved, answers: answers.answers },
    items: analysis.current,
    previousItems,
    bySource: Object.entries(analysis.bySource).map(([source, count]) => ({ name: feedbackKindWords[source] ?? source, count })),
    themes: analysis.themes.map((t) => ({ name: themeName(t.theme), current: t.current, previous: t.previous, change: t.change })),
    quotes: quotes.rows.map((q) => ({ text: q.quote, division: q.division, received: calendar.localDate(new Date(q.received_at).getTime()) })),
  };
}

function definitions(minimumGroupSize: number): { term: string; words: string }[] {
  return [
    { term: 'Period rule', words: `Every figure counts ${periodRuleWords.received}, unless it says otherwise. Escalations count by the day they were made; satisfaction by the day the survey was offered.` },
    { term: 'Acknowledged within target', words: 'A case acknowledged by its acknowledgment target (a first-contact resolution counts as on time). Compliance is on time ÷ (on time + missed).' },
    { term: 'Resolved within target', words: 'A service request resolved by its original resolution target: the Division Service Target in force when it was received, counted from the original receipt. Transfers, reclassifications and revised timelines never move it.' },
    { term: 'Missed', words: 'Late, or still open when the target had passed at the time the report was generated.' },
    { term: 'Pending', words: 'Still open and not yet due when the report was generated: counted in neither the on-time figure nor the total it is divided by.' },
    { term: 'Not recorded', words: 'History imported from another system that never recorded an acknowledgment: counted in neither.' },
    { term: 'Too few, no data', words: `A group of fewer than ${minimumGroupSize} cases shows its counts but no percentage; a group with nothing to count says "no data", never 100%.` },
    { term: 'Completion time', words: 'Whole business days from the receipt business day to the day of resolution (0 = the same day); median, mean and 90th percentile.' },
    { term: 'Escalation', words: 'Level 1 Division Head, level 2 Department Head, level 3 CAO (CSS §5). Reasons: not acknowledged, not resolved (including a revised timeline passed), or on request.' },
    { term: 'Customer satisfaction', words: 'The share of survey answers and follow-up calls rating the service 4 or 5 out of 5; response rate = answers ÷ invitations.' },
    { term: 'Scorecard', words: 'Met: the result reaches the target. Within N points: at most N percentage points under it. Not met: further under. Targets are set in config/reports.yaml.' },
  ];
}

async function definitionChanges(tx: Tx, directory: Directory, kind: ReportKind, period: ReportPeriod): Promise<string[]> {
  const last = await tx
    .selectFrom('report')
    .select(['period', 'period_to', 'formula_version'])
    .where('kind', '=', kind)
    .where('period_to', '<', period.from)
    .orderBy('period_to', 'desc')
    .orderBy('version', 'desc')
    .executeTakeFirst();
  const since = last ? String(last.period_to).slice(0, 10) : null;
  const changes: string[] = [];
  if (!last) changes.push(`This is the first ${reportTitles[kind].toLowerCase()} citydesk has kept; the changes below are those made in the period.`);
  else if (last.formula_version !== formulaVersion) changes.push(`The definitions changed from version ${last.formula_version} (the ${last.period} report) to ${formulaVersion}: see the definitions above.`);
  else changes.push(`The definitions are those of the ${last.period} report (version ${formulaVersion}).`);
  const changed = directory
    .allDstVersions()
    .filter((v) => v.effectiveFrom <= period.to && (since === null ? v.effectiveFrom >= period.from : v.effectiveFrom > since))
    .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || a.divisionId - b.divisionId);
  for (const v of changed) {
    const name = directory.division(v.divisionId)?.name ?? `division ${v.divisionId}`;
    changes.push(`${name}: Division Service Targets version ${v.version} took effect on ${v.effectiveFrom}; cases received from then are measured against it.`);
  }
  if (changes.length === 1) changes.push('No Division Service Target changed in the period.');
  return changes;
}

export interface BuildReportOptions {
  /** The pool, not a transaction: the figures' statements run at once on several connections. */
  read: Tx;
  directory: Directory;
  kind: ReportKind;
  period: ReportPeriod;
  config: ReportConfig;
  now: Date;
  generatedBy: string;
  /** Told what is being done, for a terminal's progress. */
  progress?: (step: string) => void;
}

/**
 * A report before it is kept: every figure, table and sentence, and its charts' data. What
 * depends on the versions kept (its version number, the annex's changes since the last report)
 * and the charts' SVG are added by finishReport, in generateReport's transaction.
 */
export interface ReportDraft {
  content: ReportContent;
  charts: ChartData[];
}

export async function buildReport(options: BuildReportOptions): Promise<ReportDraft> {
  const { read, directory, kind, period, config, now } = options;
  const progress = options.progress ?? (() => undefined);
  const previous = previousPeriod(period);
  const figureOptions: FigureOptions = { periodRule: 'received', minimumGroupSize: performanceRulesOf(directory.municipality).minimumGroupSize };
  // Council's trends go back over the years citydesk holds (at most ten).
  let from = previous.from;
  if (kind === 'annual') {
    const first = await firstCountedMonth(read);
    const earliest = `${Math.max(Number(period.from.slice(0, 4)) - 9, Number((first ?? period.from).slice(0, 4)))}-01-01`;
    if (earliest < from) from = earliest;
  }
  progress(`reading the figures from ${from} to ${period.to}${kind === 'annual' ? '' : kind === 'biannual' ? ', the escalations and the customer feedback' : ' and the customer feedback'}`);
  // The figures, the escalations' recurrence and the feedback are read at once, each statement on
  // its own connection (one after another on PGlite's one).
  const [{ groups }, recurrence, feedbackRead] = await Promise.all([
    findKpiTallies(read, directory, { from, to: period.to, periodRule: 'received', divisionIds: null, by: 'division-type-month' }, now, { concurrently: true }),
    kind === 'biannual' ? escalationRecurrence(read, directory, { from: period.from, to: period.to, periodRule: 'received', divisionIds: null }) : null,
    kind === 'annual' ? null : readFeedback(read, directory, period, previous),
  ]);
  const cells = cellsOf(groups);
  const current = performanceIndicators(sum(cells, inPeriod(period)), figureOptions);
  const before = performanceIndicators(sum(cells, inPeriod(previous)), figureOptions);
  progress('scorecard, divisions and trends');
  const { rows: scorecard, withoutCases } = scorecardRows(kind, directory, cells, period, current, config, figureOptions);
  const divisions = kind === 'biannual' ? divisionPages(directory, cells, period, figureOptions) : [];
  const years: ReportContent['years'] = [];
  if (kind === 'annual') {
    for (let y = Number(from.slice(0, 4)); y <= Number(period.to.slice(0, 4)); y++) {
      const tally = sum(cells, (c) => c.month.startsWith(`${y}-`));
      if (tally.serviceRequests + tally.inquiries > 0 || y === Number(period.to.slice(0, 4))) years.push({ year: String(y), indicators: performanceIndicators(tally, figureOptions) });
    }
  }
  const escalations = recurrence ? escalationTrends(directory, cells, period, previous, recurrence, figureOptions) : null;
  const feedback = feedbackRead ? feedbackSection(directory, cells, period, previous, feedbackRead, figureOptions) : null;
  const count = (k: PerformanceIndicators) => k.escalation.byLevel[1] + k.escalation.byLevel[2] + k.escalation.byLevel[3];
  const content: ReportContent = {
    kind,
    title: reportTitles[kind],
    audience: reportAudiences[kind].words,
    city: directory.municipality.name,
    period,
    previous,
    generatedAt: now.toISOString(),
    generatedAtWords: formatDateTime(now, directory.calendar.timeZone),
    generatedBy: options.generatedBy,
    version: 0,
    formulaVersion,
    minimumGroupSize: figureOptions.minimumGroupSize,
    targets: config.targets,
    summary: { current, previous: before, points: summaryPoints(kind, current, before, previous, scorecard, config.targets.withinPoints, count(current), count(before)) },
    scorecard,
    scorecardWithoutCases: withoutCases,
    divisions,
    escalations,
    feedback,
    years,
    charts: [],
    annex: { definitions: definitions(figureOptions.minimumGroupSize), changes: [] },
  };
  return { content, charts: charts(kind, cells, period, years, divisions, current, figureOptions) };
}

/**
 * The charts as SVG, one at a time, letting the event loop run between them: generateReport
 * renders them while its transaction's statements (the lock, the version number, the annex's
 * changes) are in flight.
 */
export async function renderCharts(list: ChartData[]): Promise<ReportContent['charts']> {
  const rendered: ReportContent['charts'] = [];
  for (const chart of list) {
    await new Promise((resolve) => setImmediate(resolve));
    rendered.push({ chart, svg: chart.categories.length === 0 ? '' : renderChartSvg(chart) });
  }
  return rendered;
}

/** The draft with what the kept versions decide: its version number, its charts and the annex's changes. */
export async function finishReport(tx: Tx, directory: Directory, draft: ReportDraft, version: number, charts: Promise<ReportContent['charts']>): Promise<ReportContent> {
  const { content } = draft;
  const changes = await definitionChanges(tx, directory, content.kind, content.period);
  return { ...content, version, charts: await charts, annex: { definitions: content.annex.definitions, changes } };
}
