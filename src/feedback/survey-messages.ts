import { shortDate, type Message } from '../notify/templates.js';

/** The survey invitation e-mail (issue 14): plain words, the personal link, the opt-out. */
export function surveyInvitationMessage(c: {
  municipality: string;
  reference: string;
  customerName: string | null;
  what: string;
  divisionName: string;
  resolvedAt: Date;
  expiresAt: Date;
  surveyUrl: string;
  optOutUrl: string;
  contact: string;
  timeZone: string;
}): Message {
  return {
    subject: `How did we do? A short survey about ${c.reference}`,
    body: [
      c.customerName ? `Hello ${c.customerName},` : 'Hello,',
      `${c.divisionName} resolved your ${c.what}, reference ${c.reference}, on ${shortDate(c.resolvedAt, c.timeZone)}. We would like to know how we did: three short questions, about a minute.`,
      `Answer here (no sign-in needed):\n${c.surveyUrl}`,
      `This link is only for you and works once, until ${shortDate(c.expiresAt, c.timeZone)}. Your answers help the ${c.municipality} improve its services; they are never published with your name.`,
      `If your request is not resolved, say so in the survey and ${c.divisionName} will look at it again. Questions? ${c.contact} (quote ${c.reference}).`,
      `Do not want surveys from us? One click stops them:\n${c.optOutUrl}`,
      c.municipality,
    ].join('\n\n'),
  };
}
