import type { ComponentChildren } from 'preact';
import type { ReportContent, ScorecardRow, StoredReport } from '../reports/report-content.js';
import { describeShare, type DaysFigure, type PerformanceIndicators, type ShareFigure } from '../standard/performance-indicators.js';
import type { Verdict } from '../standard/report-periods.js';
import { Badge } from './components.js';
import { ChartFigure } from './console/performance-pages.js';
import { formatCalendarDate, formatDate, formatDateTime } from './format.js';

/**
 * A stored report as a document a City puts its name on (CSS §6.3): cover, executive summary,
 * scorecard, a page per division, escalation trends, customer feedback and the annex. The console
 * page, the PDF and `citydesk report --format html` all render this one component from the stored
 * content, so every format shows the same figures.
 */

export const verdictWords = (v: Verdict, withinPoints: number): string =>
  ({ met: 'Met', within: `Within ${withinPoints} points`, not_met: 'Not met', too_few: 'Too few to judge', no_data: 'No data' })[v];

const verdictKind: Record<Verdict, 'ok' | 'warn' | 'bad' | 'muted'> = { met: 'ok', within: 'warn', not_met: 'bad', too_few: 'muted', no_data: 'muted' };

/** "87%", "3 of 4 (too few for a percentage)", "no data". */
export const shareText = describeShare;

/** The counts behind a share, always shown (INTERPRETATION §7). */
export function countsText(f: ShareFigure): string {
  if (f.state === 'no_data') return f.pending > 0 ? `${f.pending} not yet due` : 'nothing to count';
  return `${f.numerator.toLocaleString('en-CA')} of ${f.denominator.toLocaleString('en-CA')} on time${f.pending ? `, ${f.pending.toLocaleString('en-CA')} not yet due` : ''}`;
}

export function daysText(f: DaysFigure): string {
  if (f.state === 'no_data') return 'no data';
  if (f.state === 'too_few') return `${f.count} resolved (too few for a median)`;
  return `median ${f.median}, mean ${f.mean!.toFixed(1)}, 90th percentile ${f.p90}`;
}

function Section(props: { id: string; title: string; page?: boolean; children: ComponentChildren }) {
  return (
    <section class={`report-section${props.page ? ' report-page' : ''}`} aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

function Table(props: { caption: string; head: string[]; numeric?: number[]; rows: ComponentChildren[][] }) {
  const numeric = new Set(props.numeric ?? []);
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.caption}>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.head.map((h, i) => (
              <th scope="col" class={numeric.has(i) ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              {r.map((cell, i) =>
                i === 0 ? (
                  <th scope="row">{cell}</th>
                ) : (
                  <td class={numeric.has(i) ? 'num' : undefined}>{cell}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Charts(props: { content: ReportContent; names: string[] }) {
  const charts = props.content.charts.filter((c) => props.names.includes(c.chart.name));
  if (charts.length === 0) return null;
  return (
    <div class="charts report-charts">
      {charts.map((c) => (
        <ChartFigure chart={c.chart} svg={c.svg} />
      ))}
    </div>
  );
}

function IndicatorList(props: { k: PerformanceIndicators }) {
  const k = props.k;
  const escalations = k.escalation.byLevel[1] + k.escalation.byLevel[2] + k.escalation.byLevel[3];
  return (
    <dl class="facts report-facts">
      <dt>Cases received</dt>
      <dd>
        {k.cases.serviceRequests.toLocaleString('en-CA')} service requests, {k.cases.inquiries.toLocaleString('en-CA')} general inquiries ({k.cases.open.toLocaleString('en-CA')} still open)
      </dd>
      <dt>Acknowledged within target</dt>
      <dd>
        {shareText(k.acknowledgment.serviceRequest)} ({countsText(k.acknowledgment.serviceRequest)})
      </dd>
      <dt>Resolved within the original target</dt>
      <dd>
        {shareText(k.resolution)} ({countsText(k.resolution)})
      </dd>
      <dt>Completion time, business days</dt>
      <dd>{daysText(k.completion.businessDays)}</dd>
      <dt>Escalations</dt>
      <dd>
        {escalations.toLocaleString('en-CA')} (level 1: {k.escalation.byLevel[1]}, level 2: {k.escalation.byLevel[2]}, level 3: {k.escalation.byLevel[3]}); {shareText(k.escalation.share)} of service requests escalated
      </dd>
      <dt>Customer satisfaction</dt>
      <dd>
        {shareText(k.satisfaction.satisfied)} of {k.satisfaction.answers.toLocaleString('en-CA')} answers gave 4 or 5; response rate {shareText(k.satisfaction.responseRate)}
      </dd>
    </dl>
  );
}

export interface ReportDocumentProps {
  report: StoredReport;
  zone: string;
  /** The Manager may still comment (the console, before the version is issued). */
  commentable?: boolean;
}

function CommentCell(props: { row: ScorecardRow; report: StoredReport; commentable: boolean }) {
  const saved = props.report.comments[props.row.key]?.comment ?? '';
  if (!props.commentable) return <>{saved}</>;
  const id = `comment-${props.row.key.replace(/[^a-z0-9-]/gi, '-')}`;
  return (
    <>
      <label class="visually-hidden" for={id}>
        Comment on {props.row.subject}, {props.row.indicator.toLowerCase()}
      </label>
      <textarea id={id} name={`comment:${props.row.key}`} rows={2} maxLength={2000} class="report-comment">
        {saved}
      </textarea>
    </>
  );
}

/** The one line naming the targets with no cases in the period, by division; null when every one had some. */
export function withoutCasesWords(c: ReportContent): string | null {
  const gaps = c.scorecardWithoutCases ?? [];
  if (gaps.length === 0) return null;
  const byDivision = new Map<string, string[]>();
  for (const g of gaps) byDivision.set(g.division, [...(byDivision.get(g.division) ?? []), g.subject]);
  const list = [...byDivision].map(([division, types]) => `${division}: ${types.join(', ')}`).join('; ');
  return `No cases in ${c.period.label}, so not in the scorecard (${gaps.length} request type${gaps.length === 1 ? '' : 's'}): ${list}.`;
}

function Scorecard(props: ReportDocumentProps) {
  const { report } = props;
  const c = report.content;
  const rows = c.scorecard;
  const commentable = props.commentable ?? false;
  const table = (
    <Table
      caption={`Scorecard: each target against the result, ${c.period.label}`}
      head={['Service', 'Division', 'Division Service Target', 'Indicator', 'Target', 'Result', 'Status', 'Manager’s comment']}
      numeric={[4, 5]}
      rows={rows.map((r) => [
        r.subject,
        r.division ?? 'Corporate',
        r.dst,
        r.indicator,
        `${r.targetPercent}%`,
        <>
          {shareText(r.result)}
          <span class="report-counts">{countsText(r.result)}</span>
        </>,
        <Badge kind={verdictKind[r.verdict]}>{verdictWords(r.verdict, c.targets.withinPoints)}</Badge>,
        <CommentCell row={r} report={report} commentable={commentable} />,
      ])}
    />
  );
  const gaps = withoutCasesWords(c);
  return (
    <Section id="scorecard" title="Scorecard" page>
      <p>
        Each target against the period’s result. Met: the result reaches the target; within {c.targets.withinPoints} points: at most {c.targets.withinPoints} percentage points under it; not met:
        further under. A group of fewer than {c.minimumGroupSize} cases shows its counts and is not judged.
      </p>
      {commentable ? (
        <form method="post" action={`/staff/reports/${report.id}/comments`}>
          {table}
          <div class="actions">
            <button type="submit" class="button">
              Save comments
            </button>
          </div>
        </form>
      ) : (
        table
      )}
      {gaps ? <p class="report-note">{gaps}</p> : null}
    </Section>
  );
}

export function ReportDocument(props: ReportDocumentProps) {
  const { report, zone } = props;
  const c = report.content;
  const issued = report.issues;
  return (
    <article class="report" aria-labelledby="report-title">
      <header class="report-cover">
        <p class="report-cover__city">{c.city}</p>
        <h1 id="report-title">{c.title}</h1>
        <p class="report-cover__period">{c.period.label}</p>
        <p class="report-cover__audience">For {c.audience}</p>
        <dl class="facts report-cover__facts">
          <dt>Generated</dt>
          <dd>
            {c.generatedAtWords} by {c.generatedBy}
          </dd>
          <dt>Data as of</dt>
          <dd>{c.generatedAtWords}: cases still open were counted as they stood then</dd>
          <dt>Version</dt>
          <dd>
            {c.version} of this report for {c.period.label}
          </dd>
          <dt>Definitions</dt>
          <dd>{c.formulaVersion} (see the annex)</dd>
          <dt>Status</dt>
          <dd>
            {issued.length === 0 ? (
              <Badge kind="warn">Draft: not issued</Badge>
            ) : (
              issued.map((i) => (
                <span class="report-issued">
                  <Badge kind="ok">Issued</Badge> to {i.audienceWords} on {formatDate(i.issuedAt, zone)} by {i.issuedBy}
                </span>
              ))
            )}
          </dd>
        </dl>
      </header>

      <Section id="summary" title="Executive summary">
        <p>
          {c.period.label}, compared with {c.previous.label} (the period of the same length before).
        </p>
        <ul class="report-points">
          {c.summary.points.map((p) => (
            <li>{p}</li>
          ))}
        </ul>
        <Charts content={c} names={['monthly-compliance', 'cases-by-month']} />
      </Section>

      <Scorecard {...props} />

      {c.kind === 'annual' ? (
        <Section id="years" title="Trends over the years" page>
          {c.years.length === 0 ? (
            <p>No data: citydesk holds no cases yet.</p>
          ) : (
            <Table
              caption="Headline figures by year received"
              head={['Year', 'Cases received', 'Acknowledged within target', 'Resolved within target', 'Median completion (business days)', 'Escalations', 'Satisfied (4 or 5)']}
              numeric={[1, 2, 3, 4, 5, 6]}
              rows={c.years.map((y) => {
                const k = y.indicators;
                return [
                  y.year,
                  (k.cases.serviceRequests + k.cases.inquiries).toLocaleString('en-CA'),
                  shareText(k.acknowledgment.serviceRequest),
                  shareText(k.resolution),
                  k.completion.businessDays.median === null ? daysText(k.completion.businessDays) : String(k.completion.businessDays.median),
                  String(k.escalation.byLevel[1] + k.escalation.byLevel[2] + k.escalation.byLevel[3]),
                  shareText(k.satisfaction.satisfied),
                ];
              })}
            />
          )}
          <Charts content={c} names={['compliance-by-year', 'cases-by-year']} />
        </Section>
      ) : null}

      {c.divisions.length > 0 ? (
        <>
          <Section id="divisions" title="Divisions" page>
            <p>One page per division: its volume, compliance, completion time, escalations, satisfaction and the request types that missed their targets most.</p>
            <Charts content={c} names={['compliance-by-division']} />
          </Section>
          {c.divisions.map((d) => (
            <Section id={`division-${d.code}`} title={d.name} page>
              <IndicatorList k={d.indicators} />
              <h3>Request types that missed most</h3>
              {d.worstTypes.length === 0 ? (
                <p>No request type missed its resolution target in the period.</p>
              ) : (
                <Table
                  caption={`${d.name}: request types with the lowest resolution compliance`}
                  head={['Request type', 'Resolved within target', 'Missed']}
                  numeric={[1, 2]}
                  rows={d.worstTypes.map((t) => [t.name, shareText(t.resolution), String(t.missed)])}
                />
              )}
            </Section>
          ))}
        </>
      ) : null}

      {c.escalations ? (
        <Section id="escalations" title="Escalation trends" page>
          <p>
            {c.escalations.byLevel[1] + c.escalations.byLevel[2] + c.escalations.byLevel[3] === 0
              ? 'No escalations were made in the period.'
              : `${shareText(c.escalations.share)} of service requests were escalated (${shareText(c.escalations.previousShare)} in ${c.previous.label}). Not acknowledged: ${c.escalations.byReason.not_acknowledged}; not resolved: ${c.escalations.byReason.not_resolved}; on request: ${c.escalations.byReason.on_request}.`}
          </p>
          <Charts content={c} names={['escalations-by-level']} />
          {c.escalations.byDivision.length > 0 ? (
            <Table caption="Escalations by division" head={['Division', 'Escalations']} numeric={[1]} rows={c.escalations.byDivision.map((d) => [d.name, String(d.count)])} />
          ) : null}
          <h3>Recurring request types and places</h3>
          {c.escalations.recurringTypes.length === 0 && c.escalations.recurringPlaces.length === 0 ? (
            <p>No request type or place was escalated more than once.</p>
          ) : (
            <>
              {c.escalations.recurringTypes.length > 0 ? (
                <Table caption="Request types escalated more than once" head={['Request type', 'Escalations']} numeric={[1]} rows={c.escalations.recurringTypes.map((t) => [t.name, String(t.count)])} />
              ) : null}
              {c.escalations.recurringPlaces.length > 0 ? (
                <Table
                  caption="Places escalated again and again (the same type within about 250 m)"
                  head={['Request type', 'Place', 'Escalated requests']}
                  numeric={[2]}
                  rows={c.escalations.recurringPlaces.map((p) => [p.requestType, p.place, String(p.count)])}
                />
              ) : null}
            </>
          )}
        </Section>
      ) : null}

      {c.feedback ? (
        <Section id="feedback" title="Customer feedback" page>
          <p>
            Satisfaction: {shareText(c.feedback.satisfaction.satisfied)} of {c.feedback.satisfaction.answers.toLocaleString('en-CA')} answers gave 4 or 5 out of 5
            {c.feedback.satisfaction.mean !== null ? ` (mean ${c.feedback.satisfaction.mean.toFixed(1)})` : ''}; in {c.previous.label}: {shareText(c.feedback.previousSatisfaction.satisfied)}. Response rate:{' '}
            {shareText(c.feedback.satisfaction.responseRate)} ({c.feedback.satisfaction.responseRate.numerator.toLocaleString('en-CA')} answers to {c.feedback.satisfaction.responseRate.denominator.toLocaleString('en-CA')}{' '}
            invitations).
          </p>
          <p>
            Was it resolved? {c.feedback.resolved.answers === 0 ? 'no answers in the period.' : `yes ${c.feedback.resolved.yes}, partly ${c.feedback.resolved.partly}, no ${c.feedback.resolved.no}.`} Feedback received:{' '}
            {c.feedback.items} item{c.feedback.items === 1 ? '' : 's'} ({c.feedback.previousItems} in {c.previous.label})
            {c.feedback.bySource.length > 0 ? `: ${c.feedback.bySource.map((s) => `${s.name.toLowerCase()} ${s.count}`).join(', ')}` : ''}.
          </p>
          <Charts content={c} names={['satisfaction-by-month']} />
          {c.feedback.themes.length === 0 ? (
            <p>No feedback to group by theme in the period.</p>
          ) : (
            <Table
              caption="Feedback by theme (an item may have several)"
              head={['Theme', c.period.label, c.previous.label, 'Change']}
              numeric={[1, 2, 3]}
              rows={c.feedback.themes.map((t) => [t.name, String(t.current), String(t.previous), `${t.change > 0 ? '+' : ''}${t.change}`])}
            />
          )}
          <h3>What customers said</h3>
          {c.feedback.quotes.length === 0 ? (
            <p>No comments were chosen for this period. Staff choose comments on the feedback pages, with personal information taken out.</p>
          ) : (
            <ul class="report-quotes">
              {c.feedback.quotes.map((q) => (
                <li>
                  <blockquote>{q.text}</blockquote>
                  <p class="muted">
                    {q.division ?? 'No request named'}, {formatCalendarDate(q.received)}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </Section>
      ) : null}

      <Section id="annex" title="Annex: definitions and what changed" page>
        <dl class="report-definitions">
          {c.annex.definitions.map((d) => (
            <>
              <dt>{d.term}</dt>
              <dd>{d.words}</dd>
            </>
          ))}
        </dl>
        <h3>What changed since the last report</h3>
        <ul>
          {c.annex.changes.map((ch) => (
            <li>{ch}</li>
          ))}
        </ul>
        <p class="muted">
          Generated {formatDateTime(new Date(c.generatedAt), zone)}; kept exactly as generated (version {c.version}). The figures follow the definitions {c.formulaVersion} of CSS §6.2.
        </p>
      </Section>
    </article>
  );
}
