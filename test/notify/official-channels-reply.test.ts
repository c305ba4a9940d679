import { test } from 'node:test';
import assert from 'node:assert/strict';
import { officialChannelsReply, type OfficialChannels } from '../../src/notify/official-channels-reply.js';

/** A municipality that is not the sample: the reply is built from its configuration alone. */
const elsewhere: OfficialChannels = {
  municipality: 'Town of Elsewhere',
  channels: [
    { code: 'phone', name: 'Telephone', hours: 'administration', phones: ['613-555-0100'], email: null, url: null, serviceRequests: true },
    { code: 'email', name: 'Email', hours: 'administration', phones: [], email: 'help@elsewhere.example', url: null, serviceRequests: true },
    { code: 'in_person', name: 'At the Town Hall', hours: 'administration', phones: [], email: null, url: null, serviceRequests: true },
    { code: 'web_portal', name: 'Online', hours: 'always', phones: [], email: null, url: 'https://elsewhere.example/report', serviceRequests: true },
    { code: 'open311', name: 'Reporting apps', hours: 'always', phones: [], email: null, url: null, serviceRequests: true },
    { code: 'social_media', name: 'Social media', hours: 'always', phones: ['613-555-0199'], email: 'social@elsewhere.example', url: null, serviceRequests: false },
    { code: 'after_hours_emergency', name: 'After-hours emergencies', hours: 'outside-administration', phones: ['1-800-555-0111'], email: null, url: null, serviceRequests: true },
  ],
  hours: { days: [1, 2, 3, 4], opens: 540, closes: 960 },
  centres: [{ name: 'Town Hall', address: '1 Main St., Elsewhere' }],
  emergency: { phone: '911', for: 'police, fire or paramedic services' },
};

test('the ready reply to a social-media request names the official channels of the configured municipality, with their hours (CSS §3.2, INTERPRETATION §3)', () => {
  const reply = officialChannelsReply(elsewhere);
  assert.match(reply, /not an official way to make a service request/);
  assert.match(reply, /please contact the Town of Elsewhere through one of these official channels/);
  assert.match(reply, /- Telephone: 613-555-0100 \(Monday to Thursday, 9:00 am to 4:00 pm, except holidays\)/);
  assert.match(reply, /- Email: help@elsewhere\.example/);
  assert.match(reply, /- In person at a Service Centre \(Monday to Thursday, 9:00 am to 4:00 pm, except holidays\): Town Hall, 1 Main St\., Elsewhere/);
  assert.match(reply, /- Online: https:\/\/elsewhere\.example\/report \(24 hours a day, 7 days a week\)/);
  assert.match(reply, /For a municipal emergency when our offices are closed, call 1-800-555-0111\. For police, fire or paramedic services, call 911\./);
  // Social media itself, and a channel with nothing to call or open, are not offered.
  assert.doesNotMatch(reply, /613-555-0199|social@elsewhere|Reporting apps/);
  assert.doesNotMatch(reply, /Kawartha|705-|§/, 'nothing of the sample City, no clause numbers for residents');
  assert.doesNotMatch(reply, /reference/, 'no reference before the inquiry is recorded');
});

test('once the inquiry is recorded, the reply gives its reference; without Service Centres the in-person line is left out', () => {
  const reply = officialChannelsReply({ ...elsewhere, centres: [] }, 'GI-2026-000042');
  assert.match(reply, /We have noted your message as a general inquiry, reference GI-2026-000042\./);
  assert.doesNotMatch(reply, /In person/);
});
