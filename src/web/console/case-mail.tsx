import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { referencePattern } from '../../cases/case-record.js';
import type { CaseMailEntry, WaitingMail } from '../../mail/case-mail.js';
import { listWaitingMail, markMailDealtWith } from '../../mail/case-mail.js';
import { listCustomerReplies, type CustomerReply } from '../../cases/customer-replies.js';
import { mayTriage } from '../../mail/triage.js';
import type { Tx } from '../../db/connect.js';
import type { StaffMember } from '../../directory/staff.js';
import { AppError } from '../../platform/errors.js';
import { Alert, Badge } from '../components.js';
import { formatCount, formatDateTime, formatShortDateTime } from '../format.js';
import { requireStaffPage } from './console-auth.js';
import { formatBytes } from './mail-pages.js';
import { idOf, signedIn } from './reference-layout.js';

/** The case page's e-mail section, and the home page's "customer replied" list. */

const kindWords: Record<string, string> = { new_contact: 'The e-mail this case was recorded from', reply: 'The customer replied', bounce: 'Our e-mail to the customer could not be delivered' };

export function CaseMail(props: { reference: string; resolved: boolean; entries: CaseMailEntry[]; undeliverable: { address: string; detectedAt: Date } | undefined; zone: string }) {
  if (props.entries.length === 0 && !props.undeliverable) return null;
  return (
    <section class="card" aria-labelledby="case-mail-title">
      <h2 id="case-mail-title">E-mail</h2>
      {props.undeliverable ? (
        <Alert kind="warn" title="The customer's e-mail address does not work">
          <p>
            {`E-mail to ${props.undeliverable.address} bounced on ${formatShortDateTime(props.undeliverable.detectedAt, props.zone)}. Reach the customer another way (phone, letter or a visit) and log it: an e-mail they never receive is no acknowledgment (CSS §4.1).`}
          </p>
        </Alert>
      ) : null}
      <ul class="case-mail">
        {props.entries.map((e) => (
          <li>
            <p>
              <strong>{kindWords[e.kind] ?? e.kind}</strong> <span class="muted">{formatDateTime(e.arrivedAt, props.zone)}</span>{' '}
              {e.waiting ? <Badge kind="warn">Waiting for your division</Badge> : e.attendedAt ? <Badge kind="ok">Dealt with</Badge> : null}
            </p>
            {e.kind !== 'bounce' ? (
              <>
                <p>{`From ${e.fromAddress ?? 'an unknown sender'}: ${e.subject.trim() === '' ? '(no subject)' : e.subject}`}</p>
                <div class="mail-text">{e.text.trim() === '' ? <p class="muted">No text.</p> : e.text.split(/\n{2,}/).slice(0, 50).map((p) => <p>{p}</p>)}</div>
              </>
            ) : null}
            {e.attachments.length > 0 ? (
              <ul>
                {e.attachments.map((a) => (
                  <li>
                    {a.fileId ? <a href={`/staff/mail/${e.id}/files/${a.fileId}`}>{a.filename}</a> : a.filename} <span class="muted">({formatBytes(a.size)})</span>
                    {a.refusedReason ? <span class="hint">Not kept: {a.refusedReason}.</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
            <p>
              <a href={`/staff/mail/${e.id}/files/${e.rawFileId}`}>{`Original message (e-mail ${e.id})`}</a>
            </p>
            {e.waiting ? (
              <form method="post" action={`/staff/cases/${props.reference}/mail/${e.id}/dealt-with`}>
                {props.resolved && e.kind === 'reply' ? <p class="hint">The case is resolved: reopen it (Actions) if the customer says it is not, or answer them, then mark this dealt with.</p> : null}
                <button type="submit" class="button--secondary">
                  Mark as dealt with<span class="visually-hidden">{`: e-mail ${e.id}`}</span>
                </button>
              </form>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function WaitingMailList(props: { items: WaitingMail[]; zone: string }) {
  if (props.items.length === 0) return <p>None right now.</p>;
  return (
    <ul class="home-cases">
      {props.items.map((item) => (
        <li>
          <a href={`/staff/cases/${item.reference}#case-mail-title`} class="case-ref">
            {item.reference}
          </a>{' '}
          <span class="muted">{item.kind === 'bounce' ? 'E-mail to the customer bounced' : item.resolved ? 'Customer replied to a resolved case: reopen or answer' : 'Customer replied'}</span>
          <span class="case-summary">{item.summary}</span>
          <span class="home-due">{formatShortDateTime(item.arrivedAt, props.zone)}</span>
        </li>
      ))}
    </ul>
  );
}

export interface MailHome {
  /** "Customer replied", from any channel (e-mail replies and Open311 updates). */
  replies: { items: CustomerReply[]; total: number } | null;
  /** Our e-mail that bounced: the customer must be reached another way (CSS §4.1). */
  bounces: { items: WaitingMail[]; total: number } | null;
  triage: number | null;
}

/** For the home page: what customers sent, bounces, and (Customer Service) the triage queue's length. */
export async function loadMailHome(tx: Tx, staff: StaffMember): Promise<MailHome> {
  if (staff.role === 'working_group') return { replies: null, bounces: null, triage: null };
  const triage = mayTriage(staff)
    ? Number(
        (await tx.selectFrom('inbound_mail').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'new_contact').where('triage_status', 'in', ['open', 'converting']).executeTakeFirstOrThrow()).n,
      )
    : null;
  return { replies: await listCustomerReplies(tx, staff, 5), bounces: await listWaitingMail(tx, staff, 5, ['bounce']), triage };
}

function CustomerReplyList(props: { items: CustomerReply[]; zone: string }) {
  return (
    <ul class="home-cases">
      {props.items.map((item) => (
        <li>
          <a href={item.href} class="case-ref">
            {item.reference}
          </a>{' '}
          <span class="muted">{`${item.resolved ? 'About a resolved case: reopen or answer' : 'Customer replied'}, via ${item.via}`}</span>
          <span class="case-summary">{item.text ? (item.text.length > 200 ? `${item.text.slice(0, 200)}…` : item.text) : item.summary}</span>
          <span class="home-due">{formatShortDateTime(item.at, props.zone)}</span>
        </li>
      ))}
    </ul>
  );
}

export function MailHomeItems(props: { data: MailHome; zone: string }) {
  const { replies, bounces, triage } = props.data;
  return (
    <>
      {triage !== null ? (
        <section class={`card home-section${triage > 0 ? ' home-section--urgent' : ''}`} aria-labelledby="home-mail-triage">
          <h2 id="home-mail-triage">
            E-mail waiting for triage <span class="home-count">{formatCount(triage)}</span>
          </h2>
          <p class="muted">New e-mail to the City: record each one as the contact it is. Its targets count from its arrival.</p>
          <p class="home-more">
            <a href="/staff/mail">Open the e-mail triage queue</a>
          </p>
        </section>
      ) : null}
      {replies && replies.total > 0 ? (
        <section class="card home-section home-section--urgent" aria-labelledby="home-customer-replied">
          <h2 id="home-customer-replied">
            Customer replied <span class="home-count">{formatCount(replies.total)}</span>
          </h2>
          <p class="muted">Customers writing about your cases, by e-mail or through a reporting app (Open311), waiting for someone to deal with it.</p>
          <CustomerReplyList items={replies.items} zone={props.zone} />
        </section>
      ) : null}
      {bounces && bounces.total > 0 ? (
        <section class="card home-section home-section--urgent" aria-labelledby="home-mail-bounced">
          <h2 id="home-mail-bounced">
            E-mail to a customer bounced <span class="home-count">{formatCount(bounces.total)}</span>
          </h2>
          <p class="muted">Our e-mail never reached these customers: reach each one another way (phone, letter or a visit) and log it, then mark it dealt with (CSS §4.1).</p>
          <WaitingMailList items={bounces.items} zone={props.zone} />
        </section>
      ) : null}
    </>
  );
}

export function registerCaseMailRoutes(app: FastifyInstance, services: CaseServices): void {
  app.post<{ Params: { reference: string; id: string } }>('/staff/cases/:reference/mail/:id/dealt-with', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = signedIn(request);
    const { reference } = request.params;
    if (!new RegExp(referencePattern).test(reference)) throw new AppError('NOT_FOUND', 'There is no such case.');
    await markMailDealtWith({ services, staff, reference, mailId: idOf(request.params.id) });
    return reply.redirect(`/staff/cases/${reference}#case-mail-title`, 303);
  });
}
