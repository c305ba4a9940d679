import type { Db } from '../db/connect.js';
import { DirectoryCache, type Directory } from '../directory/directory-cache.js';
import type { CalendarSource, Municipality } from '../directory/municipality.js';
import type { Clock } from '../platform/clock.js';
import type { MessageContext } from '../notify/templates.js';
import type { CaseRow } from './case-record.js';
import type { MailboxMonitor } from '../mail/mailbox-reader.js';
import type { SurveyLinks } from '../feedback/survey-token.js';

/**
 * What case use cases are given: the database, the one clock, the directory kept in memory
 * (names, targets, the calendar) and the business calendar from it.
 */
export interface CaseServices {
  db: Db;
  clock: Clock;
  directory: DirectoryCache;
  calendars: CalendarSource;
  /** The reader of the City's mailbox (IMAP_URL), when one is set up. */
  mailbox?: MailboxMonitor | undefined;
  /** Where survey links point and what signs them (PUBLIC_URL, SURVEY_LINK_SECRET). */
  surveyLinks?: SurveyLinks | undefined;
  /** The Chromium that prints reports to PDF (CHROMIUM_PATH). */
  chromiumPath?: string | undefined;
}

export function caseServices(db: Db, clock: Clock): CaseServices {
  const directory = new DirectoryCache(db, clock);
  return { db, clock, directory, calendars: directory.calendars };
}

type MessageCase = Pick<CaseRow, 'reference' | 'customer_name' | 'kind' | 'request_type_id'>;
type ContactDivision = { name: string; contact_phone: string | null; contact_email: string | null };

/** The words every customer message about this case uses, from the directory in memory. */
export function messageContext(directory: Directory, c: MessageCase, divisionId: number): MessageContext {
  const division = directory.division(divisionId);
  if (!division) throw new Error(`division ${divisionId} is not in the directory`);
  const typeName = c.request_type_id ? directory.requestType(c.request_type_id)?.name : undefined;
  if (c.request_type_id && typeName === undefined) throw new Error(`request type ${c.request_type_id} is not in the directory`);
  const contacts = { name: division.name, contact_phone: division.contactPhone, contact_email: division.contactEmail };
  return toMessageContext(directory.municipality, c, contacts, typeName);
}

function toMessageContext(municipality: Municipality, c: MessageCase, division: ContactDivision, typeName: string | undefined): MessageContext {
  const phone = division.contact_phone ?? municipality.settings.contact.phone;
  const email = division.contact_email ?? municipality.settings.contact.email;
  return {
    municipality: municipality.name,
    reference: c.reference,
    customerName: c.customer_name,
    what: typeName !== undefined ? `service request (${typeName})` : 'inquiry',
    divisionName: division.name,
    contact: `${division.name} at ${phone} or ${email}`,
    timeZone: municipality.settings.calendar.timeZone,
  };
}
