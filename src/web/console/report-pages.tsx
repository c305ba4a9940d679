import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import type { StaffMember } from '../../directory/staff.js';
import { defaultSurveyLinks } from '../../feedback/survey-token.js';
import { isAppError } from '../../platform/errors.js';
import { commentOnScorecard } from '../../reports/comment-scorecard.js';
import { findReport, listReports, type ReportListItem } from '../../reports/find-reports.js';
import { generateReport } from '../../reports/generate-report.js';
import { issueReport } from '../../reports/issue-report.js';
import { reportCsv } from '../../reports/report-csv.js';
import { assertMayReadReports } from '../../reports/report-policy.js';
import { reportsDue, type ReportDue } from '../../reports/reports-due.js';
import { latestEndedPeriod, reportAudiences, reportKinds, reportTitles } from '../../standard/report-periods.js';
import { Alert, Badge, ErrorSummary, Select, TextField, type FieldErrors } from '../components.js';
import { formatCalendarDate, formatShortDateTime } from '../format.js';
import { PdfUnavailable } from '../print-pdf.js';
import { sendPage } from '../render.js';
import { ReportDocument } from '../report-document.js';
import { reportFileName, reportPdf } from '../report-export.js';
import { requireStaffPage } from './console-auth.js';
import { ConsolePage, idOf, signedIn, textOf } from './reference-layout.js';

/**
 * The reports of CSS §6.3 in the console: the list of every version kept (and which went to the
 * Senior Management Team, the Working Group or Council), generating a new version, the report
 * itself with the Manager's scorecard comments, issuing it, and its PDF and CSV.
 */

export function DueReports(props: { due: ReportDue[] }) {
  if (props.due.length === 0) return null;
  return (
    <section class="card training-banner" aria-labelledby="home-reports">
      <h2 id="home-reports">Reports due</h2>
      <p class="muted">The bi-annual report to the Senior Management Team and the Working Group, the annual update to Council and the feedback analysis (CSS §6.3).</p>
      <ul class="home-cases">
        {props.due.map((d) => (
          <li>
            <a href={d.latestId ? `/staff/reports/${d.latestId}` : `/staff/reports?kind=${d.kind}&period=${encodeURIComponent(d.period)}`}>
              {d.title}, {d.periodLabel}
            </a>{' '}
            {d.state === 'overdue' ? <Badge kind="bad">Overdue</Badge> : <Badge kind="warn">Due</Badge>}
            <span class="home-due">
              {d.state === 'overdue' ? 'Was due by' : 'Due by'} {formatCalendarDate(d.dueOn)}
              {d.latestId ? '; a version is ready to issue' : '; not generated yet'}
            </span>
          </li>
        ))}
      </ul>
      <p class="home-more">
        <a href="/staff/reports">All reports</a>
      </p>
    </section>
  );
}

const kindOptions = reportKinds.map((k) => ({ value: k, label: reportTitles[k] }));

function ListPage(props: { staff: StaffMember; municipality: string; reports: ReportListItem[]; due: ReportDue[]; zone: string; today: string; errors?: FieldErrors; values?: { kind?: string; period?: string } }) {
  const { staff } = props;
  const mayGenerate = staff.role === 'manager_customer_service' || staff.role === 'administrator';
  const values = props.values ?? {};
  return (
    <ConsolePage staff={staff} municipality={props.municipality} path="/staff/reports" title={props.errors ? 'Error: Reports' : 'Reports'} crumbs={[{ label: 'Reports' }]}>
      {props.errors ? <ErrorSummary errors={props.errors} /> : null}
      <h1>Reports</h1>
      <p class="lede">
        The bi-annual performance report to the Senior Management Team and the Working Group, the annual update to City Council and the customer feedback analysis (CSS §6.3). Each version is kept exactly
        as it was generated.
      </p>
      <DueReports due={props.due} />
      {mayGenerate ? (
        <form method="post" action="/staff/reports" class="card filters" aria-label="Generate a report">
          <Select name="kind" label="Report" required options={kindOptions} value={values.kind} error={props.errors?.['kind']} />
          <TextField
            name="period"
            label="Period"
            required
            hint="2026-H1 or 2026-H2 for a bi-annual report, 2026 for the annual one, 2026-Q3 (or 2026-03-01..2026-04-15) for a feedback analysis"
            value={values.period ?? latestEndedPeriod('biannual', props.today).code}
            error={props.errors?.['period']}
          />
          <button type="submit" class="button">
            Generate a new version
          </button>
        </form>
      ) : null}
      <h2>Every version kept</h2>
      {props.reports.length === 0 ? (
        <p>No report has been generated yet.</p>
      ) : (
        <div class="table-wrap report-versions" tabIndex={0} role="region" aria-label="Reports kept">
          <table>
            <caption>Reports kept, newest period first</caption>
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Period</th>
                <th scope="col" class="num">Version</th>
                <th scope="col">Generated</th>
                <th scope="col">Issued</th>
              </tr>
            </thead>
            <tbody>
              {props.reports.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={`/staff/reports/${r.id}`}>{r.title}</a>
                  </th>
                  <td>{r.periodLabel}</td>
                  <td class="num">{r.version}</td>
                  <td>
                    {formatShortDateTime(r.generatedAt, props.zone)} by {r.generatedBy}
                  </td>
                  <td>
                    {r.issues.length === 0
                      ? 'Not issued'
                      : r.issues.map((i) => (
                          <span class="report-issued">
                            <Badge kind="ok">Issued</Badge> to {i.audienceWords}, {formatShortDateTime(i.issuedAt, props.zone)}
                          </span>
                        ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </ConsolePage>
  );
}

export function registerReportPages(app: FastifyInstance, services: CaseServices): void {
  const onRequest = requireStaffPage(services);

  const listPage = async (request: FastifyRequest, reply: FastifyReply, status = 200, errors?: FieldErrors, values?: { kind?: string; period?: string }) => {
    const staff = signedIn(request);
    assertMayReadReports(staff);
    const directory = await services.directory.get();
    const now = services.clock.now();
    const today = directory.calendar.localDate(now.getTime());
    const [reports, due] = await Promise.all([listReports(services.db.kysely, staff), reportsDue(services.db.kysely, directory, staff, today)]);
    return sendPage(
      reply,
      <ListPage staff={staff} municipality={directory.municipality.name} reports={reports} due={due} zone={directory.calendar.timeZone} today={today} {...(errors ? { errors } : {})} {...(values ? { values } : {})} />,
      status,
    );
  };

  app.get<{ Querystring: { kind?: string; period?: string } }>('/staff/reports', { onRequest }, async (request, reply) => {
    const q = request.query;
    return listPage(request, reply, 200, undefined, { ...(typeof q.kind === 'string' ? { kind: q.kind.slice(0, 20) } : {}), ...(typeof q.period === 'string' ? { period: q.period.slice(0, 30) } : {}) });
  });

  app.post('/staff/reports', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const kind = textOf(request.body, 'kind');
    const period = textOf(request.body, 'period');
    try {
      const { id } = await generateReport({ db: services.db, directory: await services.directory.get(), staff, kind, period, now: services.clock.now() });
      return reply.redirect(`/staff/reports/${id}`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      const field = error.details[0]?.field === 'kind' ? 'kind' : 'period';
      return listPage(request, reply, 400, { [field]: error.message }, { kind, period });
    }
  });

  const reportPage = async (request: FastifyRequest, reply: FastifyReply, id: number, options: { status?: number; errors?: FieldErrors; notice?: string; issuedNotice?: boolean } = {}) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const report = await findReport(services.db.kysely, staff, id);
    const zone = directory.calendar.timeZone;
    const manager = staff.role === 'manager_customer_service';
    const issued = report.issues.length > 0;
    const audience = reportAudiences[report.kind];
    const c = report.content;
    return sendPage(
      reply,
      <ConsolePage
        staff={staff}
        municipality={directory.municipality.name}
        path="/staff/reports"
        title={`${options.errors ? 'Error: ' : ''}${c.title}, ${c.period.label}, version ${report.version}`}
        crumbs={[{ href: '/staff/reports', label: 'Reports' }, { label: `${c.title}, ${c.period.label}` }]}
      >
        {options.errors ? <ErrorSummary errors={options.errors} /> : null}
        {options.notice ? <Alert kind="ok">{options.notice}</Alert> : null}
        {options.issuedNotice
          ? report.issues.map((i) => (
              <Alert kind="ok">
                Issued to {i.audienceWords}.{' '}
                {i.recipients.length === 0 ? 'No recipients are configured in reports.yaml: share the link yourself.' : `The link went to ${i.recipients.join(', ')} (see the outbox).`}
              </Alert>
            ))
          : null}
        <div class="actions report-actions">
          <a class="button button--secondary" href={`/staff/reports/${report.id}/pdf`}>
            Download PDF
          </a>
          <a class="button button--secondary" href={`/staff/reports/${report.id}/csv`} download>
            Download every table as CSV
          </a>
        </div>
        {manager && !issued ? (
          <Alert kind="info" title="Before you issue it">
            Add your comments to the scorecard and save them; they become part of the issued version. Issuing sends the link to {audience.words}.
            <form method="post" action={`/staff/reports/${report.id}/issue`} class="report-issue-form">
              <button type="submit" class="button">
                Issue version {report.version} to {audience.words}
              </button>
            </form>
          </Alert>
        ) : null}
        <ReportDocument report={report} zone={zone} commentable={manager && !issued} />
      </ConsolePage>,
      options.status ?? 200,
    );
  };

  // After a form is saved the browser comes back here (post, redirect, get), told what happened.
  app.get<{ Params: { id: string }; Querystring: { saved?: string; issued?: string } }>('/staff/reports/:id', { onRequest }, async (request, reply) => {
    const saved = request.query.saved;
    const notice =
      saved === undefined || !/^\d{1,4}$/.test(saved)
        ? undefined
        : saved === '0'
          ? 'Nothing had changed.'
          : `${saved} comment${saved === '1' ? '' : 's'} saved. They will be part of the version you issue.`;
    return reportPage(request, reply, idOf(request.params.id), { ...(notice ? { notice } : {}), issuedNotice: request.query.issued === '1' });
  });

  app.post<{ Params: { id: string } }>('/staff/reports/:id/comments', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const comments: Record<string, string> = {};
    for (const [name, value] of Object.entries(body).slice(0, 500)) {
      if (name.startsWith('comment:') && typeof value === 'string') comments[name.slice('comment:'.length)] = value;
    }
    try {
      const saved = await commentOnScorecard({ db: services.db, staff, reportId: id, comments, now: services.clock.now() });
      return reply.redirect(`/staff/reports/${id}?saved=${saved}`, 303);
    } catch (error) {
      if (!isAppError(error) || (error.code !== 'VALIDATION_FAILED' && error.code !== 'CONFLICT')) throw error;
      return reportPage(request, reply, id, { status: error.httpStatus, errors: { _form: error.message } });
    }
  });

  app.post<{ Params: { id: string } }>('/staff/reports/:id/issue', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    try {
      await issueReport({
        db: services.db,
        directory: await services.directory.get(),
        staff,
        reportId: id,
        now: services.clock.now(),
        baseUrl: (services.surveyLinks ?? defaultSurveyLinks).publicUrl,
      });
      return reply.redirect(`/staff/reports/${id}?issued=1`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'CONFLICT') throw error;
      return reportPage(request, reply, id, { status: 409, errors: { _form: error.message } });
    }
  });

  app.get<{ Params: { id: string } }>('/staff/reports/:id/csv', { onRequest }, async (request, reply) => {
    const report = await findReport(services.db.kysely, signedIn(request), idOf(request.params.id));
    return reply.type('text/csv; charset=utf-8').header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${reportFileName(report, 'csv')}"`).send(reportCsv(report));
  });

  app.get<{ Params: { id: string } }>('/staff/reports/:id/pdf', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const report = await findReport(services.db.kysely, staff, idOf(request.params.id));
    try {
      const pdf = await reportPdf(report, directory.calendar.timeZone, services.chromiumPath);
      return reply.type('application/pdf').header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${reportFileName(report, 'pdf')}"`).send(pdf);
    } catch (error) {
      if (!(error instanceof PdfUnavailable)) throw error;
      return sendPage(
        reply,
        <ConsolePage
          staff={staff}
          municipality={directory.municipality.name}
          path="/staff/reports"
          title="PDF export not available"
          crumbs={[{ href: '/staff/reports', label: 'Reports' }, { href: `/staff/reports/${report.id}`, label: report.content.title }, { label: 'PDF' }]}
        >
          <h1>PDF export is not available on this server</h1>
          <p>{error.message}</p>
          <p>
            <a href={`/staff/reports/${report.id}`}>Back to the report</a> · <a href={`/staff/reports/${report.id}/csv`}>Download every table as CSV</a>
          </p>
        </ConsolePage>,
        503,
      );
    }
  });
}
