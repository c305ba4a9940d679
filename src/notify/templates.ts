import { DateTime } from 'luxon';
import { clockTime } from '../platform/time-words.js';

/**
 * The messages citydesk sends customers, in plain language. Each one names the reference
 * number, the division that has the request and how to reach it.
 */

export interface MessageContext {
  municipality: string;
  reference: string;
  customerName: string | null;
  what: string;
  divisionName: string;
  contact: string;
  timeZone: string;
}

export interface Message {
  subject: string;
  body: string;
}

// Messages name the same deadlines again and again (16:30 on a business day), and formatting in a
// time zone is slow: recent long dates are kept.
const longDates = new Map<string, string>();

export const longDate = (ms: number | Date, zone: string): string => {
  const at = typeof ms === 'number' ? ms : ms.getTime();
  const key = `${zone} ${at}`;
  let text = longDates.get(key);
  if (text === undefined) {
    if (longDates.size >= 1_000) longDates.clear();
    const t = DateTime.fromMillis(at, { zone });
    text = `${t.toFormat('cccc d LLLL yyyy')} at ${clockTime(t.hour, t.minute)}`;
    longDates.set(key, text);
  }
  return text;
};
export const shortDate = (ms: number | Date, zone: string): string =>
  DateTime.fromMillis(typeof ms === 'number' ? ms : ms.getTime(), { zone }).toFormat('cccc d LLLL yyyy');

/**
 * A target's date in a message, as formatTargetDue (web/format.ts) tells it on pages: a target in
 * calendar days is a day ("Friday 4 December 2026"), not the hour of the receipt it falls on.
 */
export const targetDate = (ms: number | Date, zone: string, unit: string | undefined): string => (unit === 'calendar_days' ? shortDate(ms, zone) : longDate(ms, zone));

const greeting = (c: MessageContext): string => (c.customerName ? `Hello ${c.customerName},` : 'Hello,');
const signOff = (c: MessageContext, staffName?: string): string =>
  [staffName, `${c.divisionName}, ${c.municipality}`, `Questions? ${c.contact} (quote ${c.reference})`].filter(Boolean).join('\n');

export function receiptMessage(c: MessageContext & { receivedAt: number; acknowledgeBy: number; now: number }): Message {
  // Issue 18: a contact recorded late (back-dated) may already be past its acknowledgment target,
  // which is then said to be overdue, never promised.
  const overdue = c.acknowledgeBy <= c.now;
  return {
    subject: `We received your ${c.what} [${c.reference}]`,
    body: [
      greeting(c),
      `Thank you for contacting the ${c.municipality}. We received your ${c.what} on ${longDate(c.receivedAt, c.timeZone)}. Your reference number is ${c.reference}.`,
      overdue
        ? `This is an automatic message. We aimed to contact you by ${longDate(c.acknowledgeBy, c.timeZone)}, so this is overdue, and we are sorry. A member of ${c.divisionName} will contact you as soon as possible to confirm the next steps.`
        : `This is an automatic message. A member of ${c.divisionName} will contact you by ${longDate(c.acknowledgeBy, c.timeZone)} to confirm the next steps.`,
      signOff(c),
    ].join('\n\n'),
  };
}

export function acknowledgmentMessage(
  c: MessageContext & {
    staffName: string;
    nextSteps: string;
    respondBy?: number | null;
    resolveBy?: number | null;
    /** The unit of resolveBy when it is the resolution target (not a date staff gave). */
    resolveUnit?: string | undefined;
    note?: string | null;
    now?: number;
  },
): Message {
  // Issue 18: a date that has passed is never presented as a promise; an overdue case says so.
  const overdue = c.resolveBy && c.now !== undefined && c.resolveBy <= c.now;
  return {
    subject: `${c.divisionName} has your ${c.what} [${c.reference}]`,
    body: [
      greeting(c),
      `This is to confirm that ${c.divisionName} has received your ${c.what}, reference ${c.reference}, and is handling it.`,
      `What happens next: ${c.nextSteps}`,
      c.respondBy ? `We will give you a full response by ${shortDate(c.respondBy, c.timeZone)}.` : null,
      c.resolveBy
        ? overdue
          ? `It is overdue: we aimed to resolve it by ${shortDate(c.resolveBy, c.timeZone)}, and we are sorry it is taking longer. We will tell you the new date as soon as we have it.`
          : `We aim to resolve it by ${targetDate(c.resolveBy, c.timeZone, c.resolveUnit)}.`
        : null,
      c.note ?? null,
      `If you have questions, contact ${c.contact} and quote ${c.reference}.`,
      signOff(c, c.staffName),
    ]
      .filter((p): p is string => p !== null && p !== '')
      .join('\n\n'),
  };
}

/**
 * §3.3: an update. With a new date, the status, the date and why it changed; without one (a
 * progress note), the status and the date that still stands, which the caller makes sure has not
 * passed.
 */
export function updateMessage(c: MessageContext & { staffName: string; status: string } & ({ newDate: number; reason: string } | { heldDate: number | null })): Message {
  return {
    subject: `An update on your ${c.what} [${c.reference}]`,
    body: [
      greeting(c),
      `Where things stand: ${c.status}`,
      'newDate' in c
        ? `New expected date: ${shortDate(c.newDate, c.timeZone)}. Why the date changed: ${c.reason}`
        : c.heldDate !== null
          ? `We still expect to finish by ${shortDate(c.heldDate, c.timeZone)}, as we told you.`
          : null,
      signOff(c, c.staffName),
    ]
      .filter((p): p is string => p !== null)
      .join('\n\n'),
  };
}

export function transferMessage(c: MessageContext & { fromDivisionName: string }): Message {
  return {
    subject: `Your ${c.what} is now with ${c.divisionName} [${c.reference}]`,
    body: [
      greeting(c),
      `Your ${c.what}, reference ${c.reference}, has been passed from ${c.fromDivisionName} to ${c.divisionName}, the division responsible for it. ${c.divisionName} now has it; your reference number stays the same.`,
      signOff(c),
    ].join('\n\n'),
  };
}

export function resolutionMessage(c: MessageContext & { staffName: string; resolution: string }): Message {
  return {
    subject: `Your ${c.what} is resolved [${c.reference}]`,
    body: [
      greeting(c),
      `Your ${c.what}, reference ${c.reference}, is resolved.`,
      c.resolution,
      `If the issue is not resolved, contact ${c.contact} and quote ${c.reference}: we will reopen it.`,
      signOff(c, c.staffName),
    ].join('\n\n'),
  };
}

export function reopenedMessage(c: MessageContext & { reason: string }): Message {
  return {
    subject: `Your ${c.what} is open again [${c.reference}]`,
    body: [greeting(c), `We have reopened your ${c.what}, reference ${c.reference}: ${c.reason}`, signOff(c)].join('\n\n'),
  };
}

export type EscalationReasonCode =
  | 'not_acknowledged'
  | 'not_resolved'
  | 'revised_timeline_passed'
  | 'unacknowledged_two_weeks_after_escalation'
  | 'no_update_two_weeks_after_escalation'
  | 'revised_timeline_passed_after_escalation'
  | 'requested'
  | 'manager_review';

const escalationReasonWords: Record<EscalationReasonCode, string> = {
  not_acknowledged: 'was not acknowledged within its Division Service Target',
  not_resolved: 'was not resolved within its Division Service Target',
  revised_timeline_passed: 'was not resolved by the revised date we gave you',
  unacknowledged_two_weeks_after_escalation: 'was still not acknowledged two weeks after it was escalated',
  no_update_two_weeks_after_escalation: 'had no update for you in the two weeks after it was escalated',
  revised_timeline_passed_after_escalation: 'was not resolved by the revised date given after it was escalated',
  requested: 'missed its target and you asked us to escalate it',
  manager_review: 'is still unresolved two weeks after it was escalated, and the Manager of Customer Service has reviewed it',
};

export function escalationReasonText(reason: string): string {
  return escalationReasonWords[reason as EscalationReasonCode] ?? 'needs a review';
}

/** §5.2: the customer is told their request was escalated, and to which role. */
export function escalationMessage(c: {
  municipality: string;
  reference: string;
  customerName: string | null;
  what: string;
  divisionName: string;
  levelRole: string;
  headTitle: string;
  reason: string;
}): Message {
  return {
    subject: `Your ${c.what} has been escalated [${c.reference}]`,
    body: [
      c.customerName ? `Hello ${c.customerName},` : 'Hello,',
      `Your ${c.what}, reference ${c.reference}, ${escalationReasonText(c.reason)}. We have escalated it to the ${c.levelRole} (${c.headTitle}), who will review it, give you a revised timeline and keep you updated (Corporate Customer Service Standard, section 5).`,
      `We are sorry for the delay. Questions? Contact ${c.divisionName} and quote ${c.reference}.`,
      c.municipality,
    ].join('\n\n'),
  };
}

/** One line of a head's notice of new escalations. */
export function escalationDigestLine(c: { reference: string; typeName: string | null; divisionName: string; level: number; levelRole: string; reason: string }): string {
  return `${c.reference} (${c.typeName ?? 'service request'}, ${c.divisionName}): level ${c.level}, ${c.levelRole}; it ${escalationReasonText(c.reason)}.`;
}

export function escalationDigest(c: { municipality: string; when: string; lines: string[] }): Message {
  return {
    subject: `${c.lines.length} service request${c.lines.length === 1 ? '' : 's'} escalated to you (${c.when})`,
    body: [
      `These service requests were escalated on ${c.when}:`,
      c.lines.map((l) => `- ${l}`).join('\n'),
      'Review each one in citydesk, give the customer a revised timeline and update them (CSS §5.2).',
      `citydesk, ${c.municipality}`,
    ].join('\n\n'),
  };
}

/** Issue 18: the customer of a request marked a duplicate is told which request carries it now. */
export function duplicateMessage(c: MessageContext & { parentReference: string; reason: string | null }): Message {
  return {
    subject: `Your ${c.what} is joined to ${c.parentReference} [${c.reference}]`,
    body: [
      greeting(c),
      `Thank you for your ${c.what}, reference ${c.reference}. The City already has a report of the same problem, reference ${c.parentReference}, and ${c.divisionName} is handling it. We have joined your report to it, so ${c.reference} is closed as a duplicate and the work goes on under ${c.parentReference}.`,
      c.reason,
      `We will tell you when ${c.parentReference} has news. You can follow it on the City's website: Track a request, reference ${c.parentReference}.`,
      signOff(c),
    ]
      .filter((p): p is string => p !== null && p !== '')
      .join('\n\n'),
  };
}

/** Issue 18: a duplicate marked by mistake is open again under its own reference. */
export function duplicateUndoneMessage(c: MessageContext & { parentReference: string; reason: string }): Message {
  return {
    subject: `Your ${c.what} is open again under its own reference [${c.reference}]`,
    body: [
      greeting(c),
      `We had joined your ${c.what}, reference ${c.reference}, to ${c.parentReference}. That was not right: ${c.reason}`,
      `${c.reference} is open again and ${c.divisionName} is handling it on its own; its original targets are unchanged.`,
      signOff(c),
    ].join('\n\n'),
  };
}

const parentNewsWords: Record<string, string> = {
  acknowledgment: 'has been acknowledged by the division responsible, with the next steps',
  update: 'has an update on where things stand, with the expected date',
  resolution: 'is resolved',
  reopened: 'is open again',
};

/** Issue 18: the customer of a duplicate follows the parent's public updates; the words are the City's, never the other customer's. */
export function parentNewsMessage(c: { municipality: string; reference: string; customerName: string | null; parentReference: string; parentKind: string }): Message | undefined {
  const news = parentNewsWords[c.parentKind];
  if (!news) return undefined;
  return {
    subject: `News on ${c.parentReference}, the request your report is joined to [${c.reference}]`,
    body: [
      c.customerName ? `Hello ${c.customerName},` : 'Hello,',
      `Your report ${c.reference} is joined to ${c.parentReference}, which ${news}.`,
      `Read its public updates on the City's website: Track a request, reference ${c.parentReference}.`,
      c.municipality,
    ].join('\n\n'),
  };
}
