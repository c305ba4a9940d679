import type { Db, Tx } from '../db/connect.js';
import { CalendarProvider, loadMunicipality } from '../directory/municipality.js';
import type { Clock } from '../platform/clock.js';
import type { MessageContext } from '../notify/templates.js';
import type { CaseRow } from './case-record.js';

/** What case use cases are given: the database, the one clock and the business calendar. */
export interface CaseServices {
  db: Db;
  clock: Clock;
  calendars: CalendarProvider;
}

export function caseServices(db: Db, clock: Clock): CaseServices {
  return { db, clock, calendars: new CalendarProvider(db) };
}

/** The words every customer message about this case uses. */
export async function messageContext(trx: Tx, c: Pick<CaseRow, 'reference' | 'customer_name' | 'kind' | 'request_type_id'>, divisionId: number): Promise<MessageContext> {
  const municipality = await loadMunicipality(trx);
  const division = await trx.selectFrom('division').select(['name', 'contact_phone', 'contact_email']).where('id', '=', divisionId).executeTakeFirstOrThrow();
  const type = c.request_type_id
    ? await trx.selectFrom('request_type').select('name').where('id', '=', c.request_type_id).executeTakeFirstOrThrow()
    : undefined;
  const phone = division.contact_phone ?? municipality.settings.contact.phone;
  const email = division.contact_email ?? municipality.settings.contact.email;
  return {
    municipality: municipality.name,
    reference: c.reference,
    customerName: c.customer_name,
    what: type ? `service request (${type.name})` : 'inquiry',
    divisionName: division.name,
    contact: `${division.name} at ${phone} or ${email}`,
    timeZone: municipality.settings.calendar.timeZone,
  };
}
