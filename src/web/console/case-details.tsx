import type { TargetUnit } from '../../standard/targets.js';
import { DateTime } from 'luxon';
import type { MapSettings } from '../../directory/map-settings.js';
import { PointLink, PointMap } from '../point-map.js';
import type { CaseRow } from '../../cases/case-record.js';
import type { CaseView, TimelineEntry } from '../../cases/case-queries.js';
import { escalationReasonText } from '../../notify/templates.js';
import type { BusinessCalendar } from '../../standard/calendar.js';
import type { Directory } from '../../directory/directory-cache.js';
import { attributeAnswerWords } from '../../standard/attributes.js';
import { escalationRoles, type EscalationLevel } from '../../standard/escalation.js';
import { Badge } from '../components.js';
import { afterOverdueBadge, dueInWords, formatCalendarDate, formatTargetDue, formatDateTime, formatDayTime, formatSpan } from '../format.js';

/** The read-only parts of the case page: what the case is, its targets and its timeline. */

export interface CaseEscalation {
  level: number;
  escalatedAt: Date;
  reason: string;
  divisionId: number;
  departmentId: number;
  reviewed: boolean;
}

const methodWords: Record<string, string> = {
  email: 'by e-mail',
  phone: 'by phone',
  letter: 'by letter',
  in_person: 'in person',
  record: 'on record',
  none: 'no contact wanted',
};

const preferredWords: Record<string, string> = { email: 'E-mail', phone: 'Phone', letter: 'Letter', in_person: 'In person', none: 'None: they do not want to be contacted' };

const channelOrMethod = (method: string): string => methodWords[method] ?? method;

/** "due in 2 business days (Thursday 5 March 2026, 4:30 pm)", "overdue by 3 hours". */
export function timeLeftWords(due: Date, now: Date, calendar: BusinessCalendar): { overdue: boolean; words: string } {
  const { overdue, words } = dueInWords(due, now);
  if (overdue) return { overdue, words };
  const when = formatDayTime(due, calendar.timeZone);
  const ms = due.getTime() - now.getTime();
  if (ms < 86_400_000) return { overdue, words: `${words} (${when})` };
  // Whole business days from today to the due date, as staff count them.
  const today = calendar.localDate(now.getTime());
  const dueDate = calendar.localDate(due.getTime());
  let day = DateTime.fromISO(today, { zone: 'UTC' });
  let businessDays = 0;
  for (let i = 0; i < 400; i += 1) {
    day = day.plus({ days: 1 });
    const date = day.toISODate()!;
    if (date > dueDate) break;
    if (calendar.isBusinessDay(date)) businessDays += 1;
  }
  if (businessDays === 0) return { overdue, words: `${words} (${when})` };
  return { overdue, words: `due in ${businessDays} business day${businessDays === 1 ? '' : 's'} (${when})` };
}

/** Where a target stands: met or missed once done, else time left or overdue by. */
function targetState(target: Date | null, doneAt: Date | null, open: boolean, now: Date, calendar: BusinessCalendar, doneWord: string) {
  const zone = calendar.timeZone;
  if (doneAt) {
    if (!target) return <Badge kind="ok">{`${doneWord} on ${formatDateTime(doneAt, zone)}`}</Badge>;
    const late = doneAt.getTime() - target.getTime();
    return late <= 0 ? (
      <>
        <Badge kind="ok">Met</Badge> {`${doneWord} on ${formatDateTime(doneAt, zone)}`}
      </>
    ) : (
      <>
        <Badge kind="bad">Missed</Badge> {`${doneWord} on ${formatDateTime(doneAt, zone)}, ${formatSpan(late)} after the target`}
      </>
    );
  }
  if (!target) return <span class="muted">No target</span>;
  if (!open) return <span class="muted">Not {doneWord.toLowerCase()}</span>;
  const left = timeLeftWords(target, now, calendar);
  return left.overdue ? (
    <>
      <Badge kind="bad">Overdue</Badge> {afterOverdueBadge(left.words)}
    </>
  ) : (
    <>{left.words.replace(/^./, (x) => x.toUpperCase())}</>
  );
}

const at = (d: Date | string | null): Date | null => (d === null ? null : new Date(d));

/** §3.3, §4: the acknowledgment and resolution targets; revised timelines beside, never instead. */
export function CaseTargets(props: { caseRow: CaseRow; view: CaseView; now: Date; calendar: BusinessCalendar; resolveUnit?: TargetUnit | undefined }) {
  const { caseRow: c, now, calendar } = props;
  const zone = calendar.timeZone;
  const open = c.status === 'open';
  const dst = props.view.targets.dstVersion;
  // An inquiry's timeline is its promise, not a revision; a service request's revised date is.
  const revised = c.revised_resolve_by ?? (c.kind === 'inquiry' ? null : c.committed_by);
  return (
    <section aria-labelledby="targets-title">
      <h2 id="targets-title">Targets</h2>
      {/* Focusable, so a keyboard can scroll it when a narrow screen makes it scroll. */}
      <div class="table-wrap" role="region" aria-labelledby="targets-title" tabIndex={0}>
        <table>
          <caption class="visually-hidden">The case's targets and where each stands</caption>
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Due</th>
              <th scope="col">Where it stands</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Acknowledgment</th>
              <td>{formatDateTime(c.acknowledge_by, zone)}</td>
              <td>{targetState(at(c.acknowledge_by), at(c.acknowledged_at), open, now, calendar, 'Acknowledged')}</td>
            </tr>
            <tr>
              <th scope="row">{c.kind === 'inquiry' ? 'Full response' : 'Resolution'}</th>
              <td>
                {c.resolve_by ? formatTargetDue(c.resolve_by, zone, props.resolveUnit) : c.kind === 'inquiry' ? <span class="muted">The timeline given at acknowledgment</span> : <span class="muted">None</span>}
                {revised ? (
                  <span class="case-revised">
                    <strong>Revised timeline:</strong> {formatDateTime(revised, zone)}
                    {c.revised_at ? `, given ${formatDateTime(c.revised_at, zone)}` : ''}
                  </span>
                ) : null}
              </td>
              <td>{targetState(at(c.resolve_by ?? (c.kind === 'inquiry' ? c.committed_by : null)), at(c.resolved_at), open, now, calendar, 'Resolved')}</td>
            </tr>
            {open && c.committed_by && (c.kind === 'inquiry' || new Date(c.committed_by) <= now) ? (
              <tr>
                <th scope="row">Update to the customer</th>
                <td>{formatDateTime(c.committed_by, zone)}</td>
                <td>{targetState(new Date(c.committed_by), null, open, now, calendar, 'Updated')}</td>
              </tr>
            ) : null}
            {c.transfer_follow_up_by ? (
              <tr>
                <th scope="row">Transfer receipt confirmed</th>
                <td>{formatDateTime(c.transfer_follow_up_by, zone)}</td>
                <td>{targetState(new Date(c.transfer_follow_up_by), null, open, now, calendar, 'Confirmed')}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <p class="hint">
        Compliance is always measured against the original targets; a revised timeline is reported beside them, never instead of them (CSS §5).
        {dst ? ` Division Service Targets version ${dst.version}, in force from ${dst.effectiveFrom ? formatCalendarDate(dst.effectiveFrom) : 'the start'}.` : ''}
      </p>
    </section>
  );
}

/** The customer and the request: who, what, where, who has it. */
export function CaseFacts(props: { caseRow: CaseRow; view: CaseView; escalation: CaseEscalation | null; calendar: BusinessCalendar; map: MapSettings; directory: Directory }) {
  const { caseRow: c, view, escalation } = props;
  const zone = props.calendar.timeZone;
  const attributes = Object.entries(c.attributes ?? {});
  const questions = (c.request_type_id === null ? undefined : props.directory.requestType(c.request_type_id))?.attributes ?? [];
  return (
    <>
      <section aria-labelledby="customer-title">
        <h2 id="customer-title">Customer</h2>
        <dl class="facts">
          <dt>Name</dt>
          <dd>{c.customer_name ?? <span class="muted">Not given</span>}</dd>
          <dt>E-mail</dt>
          <dd>{c.customer_email ? <a href={`mailto:${c.customer_email}`}>{c.customer_email}</a> : <span class="muted">Not given</span>}</dd>
          <dt>Phone</dt>
          <dd>{c.customer_phone ? <a href={`tel:${c.customer_phone.replace(/[^0-9+]/g, '')}`}>{c.customer_phone}</a> : <span class="muted">Not given</span>}</dd>
          <dt>Preferred contact</dt>
          <dd>{preferredWords[c.preferred_contact] ?? c.preferred_contact}</dd>
        </dl>
      </section>
      <section aria-labelledby="request-title">
        <h2 id="request-title">{c.kind === 'inquiry' ? 'Inquiry' : 'Request'}</h2>
        <dl class="facts">
          {view.requestType ? (
            <>
              <dt>Request type</dt>
              <dd>{view.requestType.name}</dd>
            </>
          ) : null}
          <dt>Responsible division</dt>
          <dd>
            {view.division.name}
            {view.transfer ? <> — <Badge kind="warn">{`Transfer to ${view.transfer.toDivision.name} waiting for confirmation`}</Badge></> : null}
          </dd>
          <dt>Owner</dt>
          <dd>{view.owner?.name ?? <span class="muted">Nobody yet</span>}</dd>
          <dt>Received</dt>
          <dd>
            {formatDateTime(c.received_at, zone)} {`by ${view.channel.name.charAt(0).toLowerCase()}${view.channel.name.slice(1)}`}
            {view.serviceCentre ? ` at ${view.serviceCentre.name}` : ''}
          </dd>
          <dt>Receipt business day</dt>
          <dd>{formatCalendarDate(view.receiptBusinessDay)}</dd>
          <dt>Location</dt>
          <dd>
            {c.address ?? (c.latitude !== null && c.longitude !== null ? null : c.address_id === '#NOTPINPOINTED#' ? <span class="muted">Not pinpointed: the reporter put no pin on the map</span> : c.address_id === null ? <span class="muted">None given</span> : null)}
            {c.address_id !== null && c.address_id !== '#NOTPINPOINTED#' && !(c.address ?? '').includes(c.address_id) ? <span>{`${c.address !== null || c.latitude !== null ? ' — ' : ''}address id ${c.address_id} (the City's address register)`}</span> : null}
            {c.latitude !== null && c.longitude !== null ? (
              <>
                {/* Issue 19: the point the request was reported at, on the map where JavaScript runs. */}
                <span class="case-point">
                  {c.address !== null ? 'Map point ' : ''}
                  <PointLink latitude={c.latitude} longitude={c.longitude} />
                </span>
                <PointMap map={props.map} label={`Map of where ${c.reference} was reported`} point={{ latitude: c.latitude, longitude: c.longitude }} />
              </>
            ) : null}
          </dd>
          {attributes.map(([code, value]) => {
            // The request type's question and the customer's answer in its words ("Not sure", issue 18).
            const definition = questions.find((d) => d.code === code);
            return (
              <>
                <dt>{definition?.description ?? code.replace(/_/g, ' ').replace(/^./, (x) => x.toUpperCase())}</dt>
                <dd>{attributeAnswerWords(definition, value)}</dd>
              </>
            );
          })}
          <dt>Summary read back</dt>
          <dd>{c.summary}</dd>
          <dt>Description</dt>
          <dd class="case-text">{c.description.trim() === '' ? <span class="muted">None given</span> : c.description}</dd>
          {c.media_url ? (
            <>
              <dt>Photo or media</dt>
              <dd>
                <a href={c.media_url} rel="noopener noreferrer nofollow" target="_blank">
                  Open what the customer sent (a link they gave; opens in a new tab)
                </a>
              </dd>
            </>
          ) : null}
          {c.resolution ? (
            <>
              <dt>Resolution</dt>
              <dd class="case-text">{c.resolution}</dd>
            </>
          ) : null}
          {escalation ? (
            <>
              <dt>Escalation</dt>
              <dd>
                {`Level ${escalation.level}, the ${escalationRoles[escalation.level as EscalationLevel] ?? 'head'}, since ${formatDateTime(escalation.escalatedAt, zone)}: it ${escalationReasonText(escalation.reason)}. `}
                {escalation.reviewed ? 'Reviewed.' : 'Not reviewed yet.'}
              </dd>
            </>
          ) : null}
        </dl>
      </section>
    </>
  );
}

const messageKindWords: Record<string, string> = {
  receipt: 'Receipt',
  acknowledgment: 'Acknowledgment',
  update: 'Update',
  transfer: 'Transfer notice',
  resolution: 'Resolution',
  escalation: 'Escalation notice',
  reopened: 'Reopened notice',
  escalation_code: 'Escalation code',
  escalation_answer: 'Answer to an escalation request',
};

const deliveryWords: Record<string, string> = { pending: 'waiting in the outbox', sent: 'sent', failed: 'not delivered', sending: 'being sent' };

const breachWords: Record<string, string> = {
  acknowledgment: 'Acknowledgment target missed',
  resolution: 'Resolution target missed',
  update: 'Update to the customer overdue: the date given has passed',
  transfer_receipt: 'Transfer receipt not confirmed within 1 business day',
};

const text = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const when = (v: unknown, zone: string): string => (typeof v === 'string' && v !== '' ? formatDateTime(v, zone) : '');
/** A resolution target as its event recorded it: one in calendar days is a day (issue 18). */
const resolveWhen = (d: Record<string, unknown>, zone: string): string => (typeof d['resolveBy'] === 'string' && d['resolveBy'] !== '' ? formatTargetDue(d['resolveBy'], zone, typeof d['resolveUnit'] === 'string' ? d['resolveUnit'] : undefined) : '');

/** Details a client sent that the request type does not ask (an Open311 app's uprn, say): for staff, as sent. */
function ExtraDetails(props: { details: unknown }) {
  if (typeof props.details !== 'object' || props.details === null) return null;
  const entries = Object.entries(props.details as Record<string, unknown>);
  if (entries.length === 0) return null;
  return (
    <>
      <p>Further details the reporting app sent (not questions of this request type):</p>
      <dl class="facts">
        {entries.map(([code, value]) => (
          <>
            <dt>{code}</dt>
            <dd>{Array.isArray(value) ? value.map(text).join(', ') : text(value)}</dd>
          </>
        ))}
      </dl>
    </>
  );
}

/** Photos by link: after the first (the first is in the request's facts), or all of an update's. */
function MoreMedia(props: { urls: unknown; first?: number }) {
  if (!Array.isArray(props.urls) || props.urls.length === 0) return null;
  const first = props.first ?? 2;
  return (
    <>
      <p>{`${first > 1 ? 'More photos or media' : 'Photos or media'} the customer sent (links they gave; each opens in a new tab):`}</p>
      <ul>
        {props.urls.map((url, i) => (
          <li>
            <a href={text(url)} rel="noopener noreferrer nofollow" target="_blank">{`Photo or media ${i + first}`}</a>
          </li>
        ))}
      </ul>
    </>
  );
}

/** A first-contact answer given from the knowledge base: which article, which version (issue 18). */
function ArticleGiven(props: { article: Record<string, unknown> }) {
  const a = props.article;
  return (
    <p>
      {'Answered from the article '}
      <a href={`/staff/knowledge/${text(a['slug'])}/versions/${text(a['version'])}`}>{`“${text(a['title'])}”, version ${text(a['version'])}`}</a>
    </p>
  );
}

/** What an audit event says, in words. */
function EventWords(props: { type: string; data: Record<string, unknown>; zone: string; reference?: string | undefined; waiting?: boolean }) {
  const { data: d, zone } = props;
  switch (props.type) {
    case 'received':
      return (
        <>
          <strong>Received</strong>
          {d['acknowledgeBy'] ? <p>{`Acknowledge by ${when(d['acknowledgeBy'], zone)}${d['resolveBy'] ? `; resolve by ${resolveWhen(d, zone)}` : ''}.`}</p> : null}
          {d['backdated'] ? <p>{`Recorded later, on ${when(d['recordedAt'], zone)}.`}</p> : null}
          <ExtraDetails details={d['extraDetails']} />
          <MoreMedia urls={d['moreMediaUrls']} />
        </>
      );
    case 'acknowledged':
      return (
        <>
          <strong>{`Acknowledged ${channelOrMethod(text(d['method']))}`}</strong> {d['onTime'] === false ? <Badge kind="bad">Late</Badge> : d['onTime'] === true ? <Badge kind="ok">On time</Badge> : null}
          <p>{`Next steps: ${text(d['nextSteps'])}`}</p>
          <p>{`Contact: ${text(d['contact'])}`}</p>
          {d['timeline'] ? <p>{`Timeline given: ${when(d['timeline'], zone)}`}</p> : null}
        </>
      );
    case 'updated':
      return (
        <>
          <strong>Update sent with a revised timeline</strong>
          <p>{`Status: ${text(d['status'])}`}</p>
          <p>{`New date: ${when(d['timeline'], zone)}${d['previousTimeline'] ? ` (was ${when(d['previousTimeline'], zone)})` : ''}. Reason: ${text(d['reason'])}`}</p>
        </>
      );
    case 'assigned':
      return <strong>{`Assigned to ${text(d['owner'])}`}</strong>;
    case 'transfer_requested':
      return (
        <>
          <strong>{`Transfer from ${text(d['from'])} to ${text(d['to'])} requested`}</strong>
          <p>{`Note for ${text(d['to'])}: ${text(d['note'])}`}</p>
          {d['followUpBy'] ? <p>{`Receipt to be confirmed by ${when(d['followUpBy'], zone)}.`}</p> : null}
        </>
      );
    case 'transfer_confirmed':
      return <strong>{`Transfer confirmed: ${text(d['to'])} has it (from ${text(d['from'])})`}</strong>;
    case 'transfer_declined':
      return (
        <>
          <strong>{`Transfer declined by ${text(d['to'])}: it stays with ${text(d['from'])}`}</strong>
          <p>{`Reason: ${text(d['reason'])}`}</p>
        </>
      );
    case 'progress_note':
      return (
        <>
          <strong>Progress note sent (no new date)</strong>
          <p>{`Status: ${text(d['status'])}`}</p>
          {d['stands'] ? <p>{`The date given still stands: ${when(d['stands'], zone)}.`}</p> : null}
        </>
      );
    case 'transfer_withdrawn':
      return (
        <>
          <strong>{`Transfer to ${text(d['to'])} withdrawn`}</strong>
          <p>{`Reason: ${text(d['reason'])}`}</p>
        </>
      );
    case 'reclassified':
      return (
        <>
          <strong>{`Reclassified from ${text(d['from'])} to ${text(d['to'])}`}</strong>
          <p>{`Reason: ${text(d['reason'])}`}</p>
          <p>{`Targets recomputed from the original receipt: acknowledge by ${when(d['acknowledgeBy'], zone)}${d['resolveBy'] ? `, resolve by ${resolveWhen(d, zone)}` : ''}.`}</p>
        </>
      );
    case 'resolved':
      return (
        <>
          <strong>{d['firstContact'] ? 'Resolved at first contact' : 'Resolved'}</strong> {d['onTime'] === false ? <Badge kind="bad">After the target</Badge> : d['onTime'] === true ? <Badge kind="ok">On time</Badge> : null}
          <p class="case-text">{text(d['resolution'])}</p>
          {typeof d['article'] === 'object' && d['article'] !== null ? <ArticleGiven article={d['article'] as Record<string, unknown>} /> : null}
        </>
      );
    case 'marked_duplicate':
      return (
        <>
          <strong>
            {'Closed as a duplicate of '}
            <a href={`/staff/cases/${text(d['parent'])}`}>{text(d['parent'])}</a>
          </strong>{' '}
          <Badge kind="muted">Counted once, under its parent</Badge>
          {d['reason'] ? <p>{`Why: ${text(d['reason'])}`}</p> : null}
        </>
      );
    case 'duplicate_added':
      return (
        <>
          <strong>
            <a href={`/staff/cases/${text(d['duplicate'])}`}>{text(d['duplicate'])}</a>
            {' joined to this request as a duplicate'}
          </strong>
          {d['reason'] ? <p>{`Why: ${text(d['reason'])}`}</p> : null}
        </>
      );
    case 'duplicate_undone':
      return (
        <>
          <strong>{`No longer a duplicate of ${text(d['parent'])}: open again on its own`}</strong>
          <p>{`Reason: ${text(d['reason'])}`}</p>
        </>
      );
    case 'duplicate_removed':
      return (
        <>
          <strong>{`${text(d['duplicate'])} is no longer a duplicate of this request`}</strong>
          <p>{`Reason: ${text(d['reason'])}`}</p>
        </>
      );
    case 'reopened':
      return (
        <>
          <strong>Reopened</strong>
          <p>{`Reason: ${text(d['reason'])}`}</p>
        </>
      );
    case 'customer_update':
      return (
        <>
          <strong>{`Update from the customer, sent through ${text(d['via']).replace(/^open311:/, '')} (Open311)`}</strong>{' '}
          {d['asksToReopen'] ? props.waiting ? <Badge kind="warn">Says it is not fixed: reopen it, or answer the customer</Badge> : <Badge kind="muted">Said it was not fixed</Badge> : null}
          <p class="muted">{`${d['name'] ? `From ${text(d['name'])}` : 'No name given'}${d['email'] ? `, ${text(d['email'])}` : ''}${d['phone'] ? `, ${text(d['phone'])}` : ''}; status in the app: ${text(d['status']).toLowerCase().replace(/_/g, ' ')}; written ${when(d['writtenAt'], zone)}.`}</p>
          {text(d['text']) !== '' ? <p class="case-text">{text(d['text'])}</p> : null}
          <MoreMedia urls={d['mediaUrls']} first={1} />
          {d['asksToReopen'] && props.reference && props.waiting ? (
            <form method="post" action={`/staff/cases/${props.reference}/customer-updates/answer`} class="inline-answer">
              <p class="hint">To keep it resolved, answer the resident instead of reopening: they read the answer in the app that sent the update.</p>
              <label for={`answer-${text(d['updateId'])}`}>Answer to the resident</label>
              <textarea id={`answer-${text(d['updateId'])}`} name="answer" rows={3} maxLength={4000} required></textarea>
              <button type="submit">Send the answer, keep it resolved</button>
            </form>
          ) : null}
        </>
      );
    case 'customer_update_answered':
      return (
        <>
          <strong>{`Answered the customer's update sent through ${text(d['via']).replace(/open311:/g, '')}: the request stays resolved`}</strong>
          <p class="case-text">{text(d['answer'])}</p>
        </>
      );
    case 'note':
      return (
        <>
          <strong>Internal note</strong> <Badge kind="muted">Internal: the customer never sees it</Badge>
          <p class="case-text">{text(d['text'])}</p>
        </>
      );
    case 'escalated':
      return (
        <>
          <strong>{`Escalated to level ${text(d['level'])}: ${text(d['role'])}`}</strong>
          <p>{`It ${escalationReasonText(text(d['reason']))}.`}</p>
        </>
      );
    case 'escalation_reviewed':
      return (
        <>
          <strong>{`Escalation reviewed (level ${text(d['level'])})`}</strong>
          <p>{`Findings: ${text(d['findings'])}`}</p>
          <p>{`Revised timeline: ${when(d['timeline'], zone)}`}</p>
        </>
      );
    case 'review_listed':
      return <strong>Put on the Manager of Customer Service's review list</strong>;
    case 'review_decided':
      return (
        <>
          <strong>{d['decision'] === 'escalate' ? 'Review list: escalated to the next level' : 'Review list: kept at this level'}</strong>
          <p>{`Reason: ${text(d['reason'])}`}</p>
        </>
      );
    case 'escalation_requested':
      return (
        <>
          <strong>{`Escalation requested (${d['grounds'] === 'missed_target' ? 'a target was missed' : 'disagrees with the outcome'}): ${text(d['outcome'])}`}</strong>
          <p>{text(d['answer'])}</p>
          {d['comment'] ? <p>{`Comment: ${text(d['comment'])}`}</p> : null}
        </>
      );
    case 'customer_replied':
      return (
        <>
          <strong>{d['resolved'] ? 'The customer replied by e-mail (after resolution)' : 'The customer replied by e-mail'}</strong>
          <p>{`Subject: ${text(d['subject'])}`}</p>
          <p class="case-text">{text(d['text'])}</p>
        </>
      );
    case 'email_attached':
      return <strong>{`Recorded from e-mail ${text(d['inboundMailId'])}, which arrived ${when(d['arrivedAt'], zone)}`}</strong>;
    case 'email_undeliverable':
      return (
        <>
          <strong>{`E-mail to ${text(d['address'])} could not be delivered`}</strong>
          {d['diagnostic'] ? <p>{`The mail server said: ${text(d['diagnostic'])}`}</p> : null}
          <p>Reach the customer another way (CSS §4.1).</p>
        </>
      );
    case 'moderated':
      return (
        <>
          <strong>
            {d['target'] === 'photo'
              ? `Photo ${text(d['photoId'])} ${d['action'] === 'shown' ? 'shown to the public' : 'hidden from the public'}`
              : `Public description ${d['action'] === 'hidden' ? 'hidden' : d['action'] === 'redacted' ? 'redacted' : 'shown as the resident wrote it'}`}
          </strong>
          {d['reason'] ? <p>{`Reason: ${text(d['reason'])}`}</p> : null}
        </>
      );
    case 'customer_mail_dealt_with':
      return <strong>{`The customer's e-mail ${text(d['inboundMailId'])} was dealt with`}</strong>;
    default:
      return <strong>{props.type.replace(/_/g, ' ')}</strong>;
  }
}

/** Messages, events, breaches, escalations and transfers, in the order they happened. */
export function CaseTimeline(props: { entries: TimelineEntry[]; zone: string; reference?: string; status?: string }) {
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      {props.entries.length === 0 ? <p class="muted">Nothing has happened yet.</p> : null}
      <ol class="timeline">
        {props.entries.map((e, i) => {
          if (e.entry === 'breach') {
            return (
              <li class="timeline--breach">
                <time dateTime={e.at}>{formatDateTime(e.at, props.zone)}</time>
                <strong>{breachWords[e.kind] ?? `${e.kind} missed`}</strong>
              </li>
            );
          }
          if (e.entry === 'message') {
            return (
              <li class="timeline--message">
                <time dateTime={e.at}>{formatDateTime(e.at, props.zone)}</time>
                <strong>{`${messageKindWords[e.kind] ?? e.kind} to the customer ${channelOrMethod(e.method)}`}</strong>{' '}
                {e.automated ? <Badge kind="warn">Automated — does not count as acknowledgment</Badge> : null}
                <p class="muted">
                  {e.sentBy ? `From ${e.sentBy}` : 'From citydesk'}
                  {e.delivery ? `; ${deliveryWords[e.delivery] ?? e.delivery}` : ''}
                </p>
                <details class="case-message">
                  <summary>{e.subject}</summary>
                  <div class="body">{e.body}</div>
                </details>
              </li>
            );
          }
          return (
            <li class={e.type === 'note' ? 'timeline--note' : undefined}>
              <time dateTime={e.at}>{formatDateTime(e.at, props.zone)}</time>
              <EventWords
                type={e.type}
                data={e.data}
                zone={props.zone}
                reference={props.reference}
                // A resident's "not fixed" waits until the case is reopened or answered after it.
                waiting={props.status === 'resolved' && !props.entries.slice(i + 1).some((x) => x.entry === 'event' && (x.type === 'customer_update_answered' || x.type === 'reopened'))}
              />
              <p class="muted case-actor">{`By ${e.actor}`}</p>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
