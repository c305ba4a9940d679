import { longDate, shortDate, type Message } from './templates.js';

/**
 * The e-mails to people who follow a request (issue 19). A follower is not the customer: no
 * greeting by name, nothing about who reported it, and every e-mail ends with its unfollow link.
 */

export function followConfirmationMessage(c: { municipality: string; reference: string; typeName: string; confirmUrl: string; expiresAt: Date; timeZone: string }): Message {
  return {
    subject: `Confirm that you want updates on ${c.reference}`,
    body: [
      'Hello,',
      `Someone (we hope you) asked the ${c.municipality} to e-mail this address each time there is a public update on request ${c.reference} (${c.typeName}).`,
      `To start the updates, open this link and press the button on the page:\n${c.confirmUrl}`,
      `The link works until ${shortDate(c.expiresAt, c.timeZone)}. If you did not ask for this, ignore this e-mail: nothing will be sent to you.`,
      c.municipality,
    ].join('\n\n'),
  };
}

export function followerUpdateMessage(c: {
  municipality: string;
  reference: string;
  typeName: string;
  at: Date;
  summary: string;
  text: string | null;
  description: string;
  trackUrl: string;
  unfollowUrl: string;
  timeZone: string;
}): Message {
  return {
    subject: `Update on ${c.reference} (${c.typeName}), which you follow`,
    body: [
      'Hello,',
      `There is an update on request ${c.reference} (${c.typeName}), ${longDate(c.at, c.timeZone)}:`,
      c.text ? `${c.summary}\n${c.text}` : c.summary,
      c.description ? `The request: ${c.description}` : null,
      `See every update and the service targets:\n${c.trackUrl}`,
      `You get this e-mail because you asked to follow this request. To stop, open this link and press the button on the page:\n${c.unfollowUrl}`,
      c.municipality,
    ]
      .filter((p): p is string => p !== null)
      .join('\n\n'),
  };
}
