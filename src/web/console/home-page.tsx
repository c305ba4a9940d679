import type { FastifyInstance } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { CaseServices } from '../../cases/case-services.js';
import { listQueue, type QueueName } from '../../cases/case-queries.js';
import { countQueues, hasAnyCase } from '../../cases/find-cases.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { listOverdueNow, listOpenEscalations, listReviewList, seesEscalations } from '../../escalation/list-escalations.js';
import { Badge } from '../components.js';
import { formatCount, formatDate, formatShortDateTime } from '../format.js';
import { Layout } from '../layout.js';
import { sendPage } from '../render.js';
import { DueText, queueAbout, queueTitles } from './c1-case-list.js';
import { performanceRulesOf } from '../../directory/municipality.js';
import { consoleLayout, requireStaffPage } from './console-auth.js';
import { GovernanceHomeItems, loadGovernanceHome, type GovernanceHomeData } from './governance-home.js';
import { DueReports } from './report-pages.js';
import { reportsDue, type ReportDue } from '../../reports/reports-due.js';
import { loadMailHome, MailHomeItems, type MailHome } from './case-mail.js';
import { FirstLook } from './home-first-look.js';

/** How many cases each section of the home page shows before "see all". */
const firstFew = 5;

type QueueItems = Awaited<ReturnType<typeof listQueue>>['items'];

interface QueueSection {
  queue: QueueName;
  count: number;
  items: QueueItems;
}

interface HomeData {
  mail: MailHome;
  staff: StaffMember;
  directory: Directory;
  now: Date;
  /** The division the queues are scoped to (the person's own), if any. */
  division: string | undefined;
  scopeName: string;
  queues: QueueSection[];
  escalations: Awaited<ReturnType<typeof listOpenEscalations>> | null;
  reviewList: Awaited<ReturnType<typeof listReviewList>> | null;
  breaches: Awaited<ReturnType<typeof listOverdueNow>> | null;
  /** What the person still has to read, and reviews due (src/governance/). */
  governance: GovernanceHomeData;
  /** Reports due or overdue (CSS §6.3): the Manager of Customer Service's and the Working Group's. */
  reportsDue: ReportDue[];
  /** No case has been recorded yet: the page says what to do first instead of counting zeros. */
  firstLook: boolean;
}

const breachWords: Record<string, string> = {
  acknowledge: 'Acknowledgment overdue',
  resolve: 'Resolution overdue',
  update: 'Promised date passed',
  'confirm transfer': 'Transfer not confirmed in time',
};

const levelRoles: Record<number, string> = { 1: 'Division Head', 2: 'Department Head', 3: 'Chief Administrative Officer' };

/** The queues that open the day, in the order that needs the person first. */
function homeQueues(staff: StaffMember): QueueName[] {
  // The Manager of Customer Service watches every division: the city-wide overdue queue first.
  const queues: QueueName[] = staff.role === 'manager_customer_service' ? ['overdue'] : [];
  queues.push('acknowledge-overdue', 'acknowledge-due-today', 'update-overdue', 'transfers-in');
  if (staff.role !== 'customer_service') queues.push('resolution-overdue', 'at-risk');
  // Everything open in the division, soonest deadline first: new reports waiting for their
  // acknowledgment (due in a day or two) show here before they are due today.
  queues.push('transfers-out', 'mine', 'division');
  return queues;
}

function queueHref(queue: QueueName, division: string | undefined): string {
  return `/staff/queues/${queue}${division && queue !== 'mine' ? `?division=${encodeURIComponent(division)}` : ''}`;
}

function Section(props: { id: string; title: string; count: number; about: ComponentChildren; href?: string; hrefLabel?: string; children: ComponentChildren; urgent?: boolean }) {
  return (
    <section class={`card home-section${props.urgent && props.count > 0 ? ' home-section--urgent' : ''}`} aria-labelledby={props.id}>
      <h2 id={props.id}>
        {props.title} <span class="home-count">{formatCount(props.count)}</span>
      </h2>
      <p class="muted">{props.about}</p>
      {props.children}
      {props.href && props.count > 0 ? (
        <p class="home-more">
          <a href={props.href}>{props.hrefLabel}</a>
        </p>
      ) : null}
    </section>
  );
}

function QueueList(props: { section: QueueSection; now: Date; zone: string }) {
  if (props.section.items.length === 0) return <p>None right now.</p>;
  return (
    <ul class="home-cases">
      {props.section.items.map((item) => (
        <li>
          <a href={`/staff/cases/${item.reference}`} class="case-ref">
            {item.reference}
          </a>{' '}
          <span class="muted">{item.requestType ?? 'General inquiry'}</span>
          <span class="case-summary">{item.summary}</span>
          <span class="home-due">
            <DueText dueAt={item.dueAt} now={props.now} zone={props.zone} status={item.status} />
          </span>
        </li>
      ))}
    </ul>
  );
}

function HomePage(props: HomeData) {
  if (props.firstLook && props.staff.role !== 'working_group') return <FirstLookPage {...props} />;
  const { staff, directory, now } = props;
  const zone = directory.calendar.timeZone;
  const first = staff.name.split(' ')[0];
  const urgent = new Set<QueueName>(['overdue', 'acknowledge-overdue', 'update-overdue', 'resolution-overdue']);
  const empty = props.queues.filter((q) => q.count === 0);
  return (
    <Layout title="Home" {...consoleLayout(staff, '/staff', directory.municipality.name)}>
      <h1>What needs you today</h1>
      <p class="lede">
        {first ? `${first}, h` : 'H'}ere is {formatDate(now, zone)} for {props.scopeName}. The most urgent come first.
      </p>
      {staff.role === 'working_group' ? (
        <div class="card">
          <p>Working Group members review the Standard and its reports; case queues are for the staff who handle cases.</p>
          <p>
            <a href="/staff/targets">See the Division Service Targets</a>
          </p>
        </div>
      ) : null}
      {props.queues.length > 0 ? (
        <nav aria-label="Queue counts" class="home-summary">
          <ul>
            {props.queues.map((q) => (
              <li>
                <a href={queueHref(q.queue, props.division)} class={`home-tile${urgent.has(q.queue) && q.count > 0 ? ' home-tile--urgent' : ''}`}>
                  <strong>{formatCount(q.count)}</strong>
                  <span>{queueTitles[q.queue].title}</span>
                  {urgent.has(q.queue) && q.count > 0 ? <Badge kind="bad">Needs action</Badge> : null}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <GovernanceHomeItems data={props.governance} />
      <DueReports due={props.reportsDue} />

      <div class="home-grid">
        <MailHomeItems data={props.mail} zone={zone} />
        {props.escalations ? (
          <Section
            id="home-escalations"
            title={staff.role === 'manager_customer_service' ? 'Open escalations' : 'Escalations assigned to you'}
            count={props.escalations.total}
            urgent
            about="Review each one, give a revised resolution timeline and update the customer (CSS §5.2)."
          >
            {props.escalations.items.length === 0 ? (
              <p>None right now.</p>
            ) : (
              <ul class="home-cases">
                {props.escalations.items.slice(0, firstFew).map((e) => (
                  <li>
                    <a href={`/staff/cases/${e.reference}`} class="case-ref">
                      {e.reference}
                    </a>{' '}
                    <span class="muted">
                      {e.requestType ?? 'General inquiry'}, {e.division}
                    </span>
                    <span class="case-summary">{e.summary}</span>
                    <span class="home-due">
                      Level {e.level} ({levelRoles[e.level] ?? 'head'}) since {formatShortDateTime(e.escalatedAt, zone)}{' '}
                      {e.reviewed ? <Badge kind="ok">Reviewed</Badge> : <Badge kind="warn">Not reviewed yet</Badge>}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Section>
        ) : null}
        {props.reviewList ? (
          <Section id="home-review-list" title="Your review list" count={props.reviewList.total} urgent about="Updated and within their revised timeline but still unresolved two weeks after escalation: escalate each one or record why not (CSS §5.2).">
            {props.reviewList.items.length === 0 ? (
              <p>None right now.</p>
            ) : (
              <ul class="home-cases">
                {props.reviewList.items.slice(0, firstFew).map((r) => (
                  <li>
                    <a href={`/staff/cases/${r.reference}`} class="case-ref">
                      {r.reference}
                    </a>{' '}
                    <span class="muted">{r.division}</span>
                    <span class="case-summary">{r.summary}</span>
                    <span class="home-due">
                      Listed {formatShortDateTime(r.listedAt, zone)}
                      {r.revisedResolveBy ? `; revised timeline ${formatShortDateTime(r.revisedResolveBy, zone)}` : ''}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Section>
        ) : null}
        {props.breaches ? (
          <Section
            id="home-breaches"
            title="Overdue now across divisions"
            count={props.breaches.total}
            urgent
            about={`Open cases past a deadline right now, however long ago it was missed; ${formatCount(props.breaches.today)} first missed today (CSS §6).`}
            href="/staff/queues/overdue"
            hrefLabel={`See all ${formatCount(props.breaches.total)} overdue cases`}
          >
            {props.breaches.total === 0 ? (
              <p>Nothing is overdue.</p>
            ) : (
              <>
                <table class="home-breach-table">
                  <caption class="visually-hidden">Overdue now by division</caption>
                  <thead>
                    <tr>
                      <th scope="col">Division</th>
                      <th scope="col" class="num">
                        Overdue now
                      </th>
                      <th scope="col" class="num">
                        First missed today
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {props.breaches.byDivision.map((d) => (
                      <tr>
                        <th scope="row">{d.division}</th>
                        <td class="num">{formatCount(d.count)}</td>
                        <td class="num">{formatCount(d.today)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <h3>Overdue the longest</h3>
                <ul class="home-cases">
                  {props.breaches.items.slice(0, firstFew).map((b) => (
                    <li>
                      <a href={`/staff/cases/${b.reference}`} class="case-ref">
                        {b.reference}
                      </a>{' '}
                      <span class="muted">{b.division}</span>
                      <span class="case-summary">{b.summary}</span>
                      <span class="home-due">
                        <Badge kind="bad">{breachWords[b.kind] ?? b.kind}</Badge> since {formatShortDateTime(b.deadline, zone)}
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </Section>
        ) : null}
        {props.queues.filter((q) => q.count > 0).map((q) => (
          <Section
            id={`home-${q.queue}`}
            title={queueTitles[q.queue].title}
            count={q.count}
            urgent={urgent.has(q.queue)}
            about={queueAbout(q.queue, performanceRulesOf(directory.municipality))}
            href={queueHref(q.queue, props.division)}
            hrefLabel={`See all ${formatCount(q.count)} in ${queueTitles[q.queue].title.toLowerCase()}`}
          >
            <QueueList section={q} now={now} zone={zone} />
          </Section>
        ))}
      </div>
      {empty.length > 0 ? (
        <p class="home-empty">
          <strong>Nothing waiting in:</strong> {empty.map((q) => queueTitles[q.queue].title.toLowerCase()).join(', ')}.
        </p>
      ) : null}
    </Layout>
  );
}

/** The home of an install without cases: what to do first, with what the person must read and e-mail already waiting. */
function FirstLookPage(props: HomeData) {
  const { staff, directory } = props;
  const first = staff.name.split(' ')[0];
  return (
    <Layout title="Home" {...consoleLayout(staff, '/staff', directory.municipality.name)}>
      <h1>Welcome to citydesk{first ? `, ${first}` : ''}</h1>
      <p class="lede">citydesk keeps the promises of the Standard: every contact acknowledged on time and resolved within its Division Service Target.</p>
      <FirstLook staff={staff} directory={directory} />
      <GovernanceHomeItems data={props.governance} />
      <DueReports due={props.reportsDue} />
      {props.mail.triage ? <MailHomeItems data={props.mail} zone={directory.calendar.timeZone} /> : null}
    </Layout>
  );
}

/** The console's home: per role, what needs the person now (issue #6). */
export async function registerHomePage(app: FastifyInstance, services: CaseServices): Promise<void> {
  app.get('/staff', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = request.staff!;
    const directory = await services.directory.get();
    const now = services.clock.now();
    const calendar = directory.calendar;
    const tx = services.db.kysely;
    const ownDivision = staff.divisionId !== null ? directory.division(staff.divisionId) : undefined;
    const division = ownDivision?.code;
    const scopeName =
      ownDivision?.name ?? (staff.role === 'department_head' ? "your department's divisions" : staff.role === 'working_group' ? 'the Working Group' : 'every division');

    const firstLook = !(await hasAnyCase(tx));
    let queues: QueueSection[] = [];
    if (staff.role !== 'working_group' && !firstLook) {
      const counts = await countQueues(tx, { staff, now, calendar }, division);
      queues = [];
      for (const queue of homeQueues(staff)) {
        const items = counts[queue] === 0 ? [] : (await listQueue(tx, { staff, queue, now, calendar, division, limit: firstFew })).items;
        queues.push({ queue, count: counts[queue], items });
      }
    }
    const manager = staff.role === 'manager_customer_service';
    const data: HomeData = {
      staff,
      directory,
      now,
      division,
      scopeName,
      queues,
      escalations: seesEscalations(staff) ? await listOpenEscalations(tx, staff, calendar, firstFew) : null,
      reviewList: manager ? await listReviewList(tx, calendar, firstFew) : null,
      breaches: manager ? await listOverdueNow(tx, now, calendar, firstFew) : null,
      governance: await loadGovernanceHome(tx, staff, now, calendar.localDate(now.getTime())),
      reportsDue: await reportsDue(tx, directory, staff, calendar.localDate(now.getTime())),
      mail: await loadMailHome(tx, staff),
      firstLook,
    };
    return sendPage(reply, HomePage(data));
  });
}
