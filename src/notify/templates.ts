import { DateTime } from 'luxon';

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

export const longDate = (ms: number | Date, zone: string): string =>
  DateTime.fromMillis(typeof ms === 'number' ? ms : ms.getTime(), { zone }).toFormat("cccc d LLLL yyyy 'at' h:mm a");
export const shortDate = (ms: number | Date, zone: string): string =>
  DateTime.fromMillis(typeof ms === 'number' ? ms : ms.getTime(), { zone }).toFormat('cccc d LLLL yyyy');

const greeting = (c: MessageContext): string => (c.customerName ? `Hello ${c.customerName},` : 'Hello,');
const signOff = (c: MessageContext, staffName?: string): string =>
  [staffName, `${c.divisionName}, ${c.municipality}`, `Questions? ${c.contact} (quote ${c.reference})`].filter(Boolean).join('\n');

export function receiptMessage(c: MessageContext & { receivedAt: number; acknowledgeBy: number }): Message {
  return {
    subject: `We received your ${c.what} (${c.reference})`,
    body: [
      greeting(c),
      `Thank you for contacting the ${c.municipality}. We received your ${c.what} on ${longDate(c.receivedAt, c.timeZone)}. Your reference number is ${c.reference}.`,
      `This is an automatic message. A member of ${c.divisionName} will contact you by ${longDate(c.acknowledgeBy, c.timeZone)} to confirm the next steps.`,
      signOff(c),
    ].join('\n\n'),
  };
}

export function acknowledgmentMessage(
  c: MessageContext & { staffName: string; nextSteps: string; respondBy?: number | null; resolveBy?: number | null; note?: string | null },
): Message {
  return {
    subject: `${c.divisionName} has your ${c.what} (${c.reference})`,
    body: [
      greeting(c),
      `This is to confirm that ${c.divisionName} has received your ${c.what}, reference ${c.reference}, and is handling it.`,
      `What happens next: ${c.nextSteps}`,
      c.respondBy ? `We will give you a full response by ${shortDate(c.respondBy, c.timeZone)}.` : null,
      c.resolveBy ? `We aim to resolve it by ${longDate(c.resolveBy, c.timeZone)}.` : null,
      c.note ?? null,
      `If you have questions, contact ${c.contact} and quote ${c.reference}.`,
      signOff(c, c.staffName),
    ]
      .filter((p): p is string => p !== null && p !== '')
      .join('\n\n'),
  };
}

export function updateMessage(c: MessageContext & { staffName: string; status: string; newDate: number; reason: string }): Message {
  return {
    subject: `An update on your ${c.what} (${c.reference})`,
    body: [
      greeting(c),
      `Where things stand: ${c.status}`,
      `New expected date: ${shortDate(c.newDate, c.timeZone)}. Why the date changed: ${c.reason}`,
      signOff(c, c.staffName),
    ].join('\n\n'),
  };
}

export function transferMessage(c: MessageContext & { fromDivisionName: string }): Message {
  return {
    subject: `Your ${c.what} is now with ${c.divisionName} (${c.reference})`,
    body: [
      greeting(c),
      `Your ${c.what}, reference ${c.reference}, has been passed from ${c.fromDivisionName} to ${c.divisionName}, the division responsible for it. ${c.divisionName} now has it; your reference number stays the same.`,
      signOff(c),
    ].join('\n\n'),
  };
}

export function resolutionMessage(c: MessageContext & { staffName: string; resolution: string }): Message {
  return {
    subject: `Your ${c.what} is resolved (${c.reference})`,
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
    subject: `Your ${c.what} is open again (${c.reference})`,
    body: [greeting(c), `We have reopened your ${c.what}, reference ${c.reference}: ${c.reason}`, signOff(c)].join('\n\n'),
  };
}
