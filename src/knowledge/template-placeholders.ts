import type { TemplateAction } from '../db/knowledge-tables.js';
import { shortDate } from '../notify/templates.js';
import { AppError } from '../platform/errors.js';

/**
 * The placeholders a response template may use, and how they fill from a case (issue 18). Pure:
 * the values come in, the text goes out. A placeholder not in this list is refused when a template
 * is saved, so staff never send "{refrence}" to a customer.
 */
export const placeholders = {
  reference: 'the reference number, e.g. SR-2026-000123',
  request_type: 'the request type, e.g. Pothole (for an inquiry: general inquiry)',
  division: 'the responsible division',
  division_phone: "the division's phone number",
  division_email: "the division's e-mail address",
  received_date: 'the date the City received it',
  acknowledge_by: 'the date of the acknowledgment target',
  resolve_by: 'the date of the resolution target (or the revised date given); once it has passed, that a new date will follow',
  staff_name: 'your name',
  staff_email: 'your e-mail address',
  customer_name: "the customer's name (or \"there\" when none was given)",
} as const;

export type Placeholder = keyof typeof placeholders;
export type PlaceholderValues = Record<Placeholder, string>;

/** Which field of which form a template fills. */
export const templateActions: Record<TemplateAction, { label: string; field: string }> = {
  acknowledge: { label: 'Acknowledgment: next steps', field: 'nextSteps' },
  update: { label: 'Update: where things stand', field: 'status' },
  resolve: { label: 'Resolution message', field: 'resolution' },
  transfer: { label: 'Transfer notice: note for the receiving division', field: 'note' },
};

export const isTemplateAction = (value: string): value is TemplateAction => Object.hasOwn(templateActions, value);

const token = /\{([a-z_]+)\}/g;

/** The placeholders a text uses that citydesk does not know. */
export function unknownPlaceholders(body: string): string[] {
  return [...new Set([...body.matchAll(token)].map((m) => m[1]!).filter((name) => !Object.hasOwn(placeholders, name)))];
}

export function assertKnownPlaceholders(body: string, field = 'body'): void {
  const unknown = unknownPlaceholders(body);
  if (unknown.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The template uses ${unknown.map((u) => `{${u}}`).join(', ')}, which citydesk cannot fill. Use one of: ${Object.keys(placeholders).map((p) => `{${p}}`).join(', ')}.`,
      [{ field, message: `unknown placeholder ${unknown.map((u) => `{${u}}`).join(', ')}` }],
    );
  }
}

/** The template's text with each placeholder replaced by the case's value. */
export function fillTemplate(body: string, values: PlaceholderValues): string {
  return body.replace(token, (whole, name: string) => (Object.hasOwn(values, name) ? values[name as Placeholder] : whole));
}

/** The values of one case, for one staff member, in the City's time zone. */
export function placeholderValues(c: {
  reference: string;
  requestTypeName: string | null;
  divisionName: string;
  divisionPhone: string;
  divisionEmail: string;
  receivedAt: Date;
  acknowledgeBy: Date;
  resolveBy: Date | null;
  staffName: string;
  staffEmail: string;
  customerName: string | null;
  timeZone: string;
  /** Issue 18: a target that has passed is not filled in as a promise. */
  now: Date;
}): PlaceholderValues {
  const passed = (at: Date) => at.getTime() <= c.now.getTime();
  return {
    reference: c.reference,
    request_type: c.requestTypeName ?? 'general inquiry',
    division: c.divisionName,
    division_phone: c.divisionPhone,
    division_email: c.divisionEmail,
    received_date: shortDate(c.receivedAt, c.timeZone),
    acknowledge_by: passed(c.acknowledgeBy) ? `${shortDate(c.acknowledgeBy, c.timeZone)} (that target has passed)` : shortDate(c.acknowledgeBy, c.timeZone),
    resolve_by: !c.resolveBy
      ? 'the date we will give you'
      : passed(c.resolveBy)
        ? `a new date we will give you soon (it is overdue: the target, ${shortDate(c.resolveBy, c.timeZone)}, has passed)`
        : shortDate(c.resolveBy, c.timeZone),
    staff_name: c.staffName,
    staff_email: c.staffEmail,
    customer_name: c.customerName ?? 'there',
  };
}
