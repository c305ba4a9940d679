import type { ComponentChildren } from 'preact';
import type { CaseServices } from '../../cases/case-services.js';
import type { Directory } from '../../directory/directory-cache.js';
import { formatDayTime } from '../format.js';
import { Layout, type NavItem } from '../layout.js';

/** What every portal page needs to know: who the City is, how to reach it, and whether it is open now. */
export interface PortalContext {
  directory: Directory;
  municipality: string;
  zone: string;
  now: Date;
  /** The main phone numbers (the telephone channel's, or the follow-up contact's). */
  phones: string[];
  email: string;
  /** The after-hours municipal emergency line(s) (CSS §3.2). */
  afterHours: string[];
  /** 911 and who it is for. */
  emergency: { phone: string; for: string };
  /** Outside administration hours or on a closure day: why, and when the offices open next. */
  closed: { closureName: string | null; opensAt: number } | null;
}

export async function portalContext(services: CaseServices): Promise<PortalContext> {
  const directory = await services.directory.get();
  const now = services.clock.now();
  const settings = directory.municipality.settings;
  const phoneChannel = directory.channels.find((c) => c.code === 'phone');
  const afterHours = directory.channels.filter((c) => c.hours === 'outside-administration').flatMap((c) => c.phones);
  return {
    directory,
    municipality: directory.municipality.name,
    zone: directory.calendar.timeZone,
    now,
    phones: phoneChannel && phoneChannel.phones.length > 0 ? phoneChannel.phones : [settings.contact.phone],
    email: directory.channels.find((c) => c.code === 'email')?.email ?? settings.contact.email,
    afterHours,
    emergency: settings.emergency,
    closed: closedNow(directory, now.getTime()),
  };
}

/** §3.2: outside administration hours (or on a closure day) the portal says so and when they open. */
function closedNow(directory: Directory, now: number): PortalContext['closed'] {
  const calendar = directory.calendar;
  if (calendar.isOpenAt(now)) return null;
  const today = calendar.localDate(now);
  const closure = calendar.isClosureDay(today) ? (calendar.closureDays(Number(today.slice(0, 4))).find((d) => d.date === today)?.name ?? null) : null;
  const opensToday = calendar.isBusinessDay(today) && now < calendar.hoursOf(today).opens;
  const opensOn = opensToday ? today : calendar.addBusinessDays(today, 1);
  return { closureName: closure, opensAt: calendar.hoursOf(opensOn).opens };
}

export const portalNav: NavItem[] = [
  { href: '/report', label: 'Report a problem' },
  { href: '/answers', label: 'Answers' },
  { href: '/ask', label: 'Ask a question' },
  { href: '/track', label: 'Track a request' },
  { href: '/contact', label: 'Contact us' },
];

const tel = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

export function Phone(props: { number: string }) {
  return (
    <a href={tel(props.number)} class="nowrap">
      {props.number}
    </a>
  );
}

/** "705-324-9411 or 1-888-822-2225". */
export function Phones(props: { numbers: readonly string[] }) {
  return (
    <>
      {props.numbers.map((n, i) => (
        <>
          {i > 0 ? (i === props.numbers.length - 1 ? ' or ' : ', ') : null}
          <Phone number={n} />
        </>
      ))}
    </>
  );
}

/** The emergency sentence every closed-hours notice and the footer carry (CSS §3.2). */
export function EmergencyLines(props: { ctx: PortalContext }) {
  const { ctx } = props;
  return (
    <>
      {ctx.afterHours.length > 0 ? (
        <>
          For a municipal emergency, such as a water main break or a tree blocking a road, call the after-hours line <Phones numbers={ctx.afterHours} />.{' '}
        </>
      ) : null}
      Call <Phone number={ctx.emergency.phone} /> for {ctx.emergency.for}.
    </>
  );
}

/**
 * CSS §3.2, at night: one short line, the emergency numbers once. The offices' own lines are closed, so
 * the notice offers none of them; the pages say "when our offices open" beside them (OfficePhones).
 */
function ClosedNotice(props: { ctx: PortalContext }) {
  const { ctx } = props;
  const closed = ctx.closed!;
  return (
    <p class="portal-notice">
      <strong>
        Offices closed {closed.closureName ? `for ${closed.closureName} ` : ''}until {formatDayTime(closed.opensAt, ctx.zone)}.
      </strong>{' '}
      {ctx.afterHours.length > 0 ? (
        <>
          Municipal emergencies: <Phones numbers={ctx.afterHours} />.{' '}
        </>
      ) : null}
      Call <Phone number={ctx.emergency.phone} /> for {ctx.emergency.for}.
    </p>
  );
}

/**
 * The offices' phone numbers offered as a way to get help: at night they are closed, so the offer says
 * when they open instead of reading as help now (CSS §3.2). "705-324-9411 or 1-888-822-2225 when our
 * offices open".
 */
export function OfficePhones(props: { ctx: PortalContext }) {
  return (
    <>
      <Phones numbers={props.ctx.phones} />
      {props.ctx.closed ? ' when our offices open' : null}
    </>
  );
}

function PortalFooter(props: { ctx: PortalContext }) {
  const { ctx } = props;
  return (
    <>
      <div>
        <h2 class="footer-heading">Contact the {ctx.municipality}</h2>
        <p>
          Phone <Phones numbers={ctx.phones} />
          {ctx.closed ? ' (office hours)' : ''}
          <br />
          E-mail <a href={`mailto:${ctx.email}`}>{ctx.email}</a>
        </p>
        <p>
          <a href="/contact">All the ways to reach us, with hours and Service Centres</a>
        </p>
      </div>
      {ctx.closed ? null : (
        // At night the notice at the top carries the emergency numbers: once a page.
        <div>
          <h2 class="footer-heading">Emergencies</h2>
          <p>
            <EmergencyLines ctx={ctx} />
          </p>
        </div>
      )}
      <div>
        <h2 class="footer-heading">City staff</h2>
        <p>
          <a href="/staff/sign-in">Staff console sign-in</a>
        </p>
      </div>
    </>
  );
}

/** The shell of every public page: the portal's navigation, the closed-hours notice, the footer. */
export function PortalLayout(props: { ctx: PortalContext; title: string; path: string; scripts?: string[]; styles?: string[]; children: ComponentChildren }) {
  const { ctx } = props;
  return (
    <Layout
      title={props.title}
      municipality={ctx.municipality}
      path={props.path}
      nav={portalNav}
      notice={ctx.closed ? <ClosedNotice ctx={ctx} /> : undefined}
      footer={<PortalFooter ctx={ctx} />}
      scripts={props.scripts}
      styles={props.styles}
    >
      {props.children}
    </Layout>
  );
}
