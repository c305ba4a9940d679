import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { listWaitingMail } from '../mail/case-mail.js';
import { listWaitingUpdates } from '../open311/list-waiting-updates.js';

/**
 * "Customer replied", from any channel: the customer's e-mail replies on a case (issue 17) and
 * residents' updates through an Open311 app saying a resolved request is not fixed (issue 20), one
 * list for the division, oldest first. Each waits until someone deals with it (the e-mail marked
 * dealt with; the case reopened or answered).
 */
export interface CustomerReply {
  reference: string;
  summary: string;
  /** What the customer wrote, when the list has it (Open311 updates). */
  text: string;
  /** "e-mail", or the app the update came through. */
  via: string;
  at: Date;
  /** Written about a resolved case: reopen it or answer. */
  resolved: boolean;
  /** Where on the case page it is dealt with. */
  href: string;
}

export async function listCustomerReplies(tx: Tx, staff: StaffMember, limit: number): Promise<{ total: number; items: CustomerReply[] }> {
  const [mail, updates] = await Promise.all([listWaitingMail(tx, staff, limit, ['reply']), listWaitingUpdates(tx, staff, limit)]);
  const items: CustomerReply[] = [
    ...mail.items.map((m) => ({ reference: m.reference, summary: m.summary, text: '', via: 'e-mail', at: m.arrivedAt, resolved: m.resolved, href: `/staff/cases/${m.reference}#case-mail-title` })),
    ...(updates?.items ?? []).map((u) => ({ reference: u.reference, summary: u.summary, text: u.text, via: u.via, at: u.at, resolved: true, href: `/staff/cases/${u.reference}` })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime() || a.reference.localeCompare(b.reference));
  return { total: mail.total + (updates?.total ?? 0), items: items.slice(0, limit) };
}
