import type { DirectoryChannel } from '../directory/directory-cache.js';
import { administrationHoursWords } from '../platform/time-words.js';

/**
 * The reply staff give a resident who asked for a service on social media (CSS §3.2, INTERPRETATION
 * §3): social media is monitored for general inquiries but is not an official service-request
 * channel, so the reply names the official ones, from the municipality's own channels, hours and
 * Service Centres (nothing here is one City's own). Residents' words: no clause numbers.
 */

export interface OfficialChannels {
  /** "City of Kawartha Lakes". */
  municipality: string;
  channels: readonly Pick<DirectoryChannel, 'code' | 'name' | 'hours' | 'phones' | 'email' | 'url' | 'serviceRequests'>[];
  /** Administration hours: ISO weekdays and minutes after midnight. */
  hours: { days: readonly number[]; opens: number; closes: number };
  centres: readonly { name: string; address: string }[];
  emergency: { phone: string; for: string };
}

export function officialChannelsReply(city: OfficialChannels, reference?: string): string {
  const officeHours = administrationHoursWords(city.hours);
  const ways: string[] = [];
  for (const c of city.channels) {
    // The emergency line comes last, as what it is; a channel with nothing to call or open is left out.
    if (!c.serviceRequests || c.hours === 'outside-administration') continue;
    const when = c.hours === 'always' ? '24 hours a day, 7 days a week' : officeHours;
    if (c.code === 'in_person') {
      if (city.centres.length > 0) ways.push(`- In person at a Service Centre (${officeHours}): ${city.centres.map((s) => `${s.name}, ${s.address}`).join('; ')}`);
    } else if (c.phones.length > 0) ways.push(`- ${c.name}: ${c.phones.join(' or ')} (${when})`);
    else if (c.email) ways.push(`- ${c.name}: ${c.email}`);
    else if (c.url) ways.push(`- ${c.name}: ${c.url} (${when})`);
  }
  const afterHours = city.channels.filter((c) => c.serviceRequests && c.hours === 'outside-administration' && c.phones.length > 0);
  return [
    'Hello,',
    `Thank you for letting us know. Our social media accounts are not an official way to make a service request, so we cannot take your report here. ${
      reference ? `We have noted your message as a general inquiry, reference ${reference}. ` : ''
    }To report it, please contact the ${city.municipality} through one of these official channels:`,
    ways.join('\n'),
    [...afterHours.map((c) => `For a municipal emergency when our offices are closed, call ${c.phones.join(' or ')}.`), `For ${city.emergency.for}, call ${city.emergency.phone}.`].join(' '),
    'Thank you.',
  ].join('\n\n');
}
