import type { Db } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { StaffMember } from '../directory/staff.js';
import { findFeedback } from '../feedback/customer-feedback.js';
import { staffNames } from '../open311/find-open311-requests.js';
import { AppError } from '../platform/errors.js';
import { personalDetailRedactor } from '../standard/redaction.js';

/**
 * A customer comment chosen for the reports' feedback section (CSS §6.3), with no personal
 * information: staff write the quote (an extract of the comment, or all of it), and whatever
 * personal details remain are taken out (the customer's name, e-mail address and phone number on
 * file, staff names, any address or number) before it is kept. An empty quote withdraws it.
 */

export const maxQuoteLength = 600;

export function mayChooseQuotes(staff: StaffMember): boolean {
  return staff.role === 'manager_customer_service' || staff.role === 'administrator' || (staff.inCustomerService && staff.role === 'customer_service');
}

export async function findQuote(db: Db, feedbackId: number): Promise<string | null> {
  const row = await db.kysely.selectFrom('report_quote').select('quote').where('feedback_id', '=', feedbackId).executeTakeFirst();
  return row?.quote ?? null;
}

export async function chooseQuote(options: { db: Db; directory: Directory; staff: StaffMember; feedbackId: number; quote: string; now: Date }): Promise<string | null> {
  const { db, staff, now } = options;
  if (!mayChooseQuotes(staff)) throw new AppError('FORBIDDEN', 'The Manager of Customer Service and Customer Service staff choose the comments the reports quote.');
  const text = options.quote.replace(/\s+/g, ' ').trim();
  if (text.length > maxQuoteLength) {
    throw new AppError('VALIDATION_FAILED', `Shorten the quote to ${maxQuoteLength} characters or fewer (it has ${text.length}); quote the part that matters.`, [{ field: 'quote', message: 'too long' }]);
  }
  return db.kysely.transaction().execute(async (trx) => {
    const item = await findFeedback(trx, staff, options.feedbackId);
    if (text === '') {
      await trx.deleteFrom('report_quote').where('feedback_id', '=', item.id).execute();
      return null;
    }
    const customer = item.reference
      ? await trx.selectFrom('service_case').select(['customer_name', 'customer_email', 'customer_phone']).where('reference', '=', item.reference).executeTakeFirst()
      : undefined;
    const redact = personalDetailRedactor({
      customerNames: [item.contact.name, customer?.customer_name],
      customerEmails: [item.contact.email, customer?.customer_email],
      customerPhones: [item.contact.phone, customer?.customer_phone],
      staffNames: await staffNames(trx, options.directory),
    });
    const quote = redact(text);
    await trx
      .insertInto('report_quote')
      .values({ feedback_id: item.id, quote, chosen_at: now, chosen_by: staff.id })
      .onConflict((oc) => oc.column('feedback_id').doUpdateSet({ quote, chosen_at: now, chosen_by: staff.id }))
      .execute();
    return quote;
  });
}
