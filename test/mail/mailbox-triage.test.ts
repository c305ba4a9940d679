import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { dovecotMissing, startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { compose, latin1Message, pdfOf, shiftJisMessage, tinyPng } from '../helpers/mail-messages.js';
import { MailboxReader, TAKEN_KEYWORD } from '../../src/mail/mailbox-reader.js';
import { convertTriageItem, setAsideTriageItem } from '../../src/mail/convert-triage-item.js';
import { caseServices } from '../../src/cases/case-services.js';
import { fixedClock } from '../../src/platform/clock.js';
import { loadStaffMember } from '../../src/directory/staff.js';
import type { Db } from '../../src/db/connect.js';
import { at } from '../helpers/factories.js';
import { demo } from '../helpers/api.js';
import { isAppError } from '../../src/platform/errors.js';
import { readStoredFile } from '../../src/files/file-store.js';
import { acknowledgeCase } from '../../src/cases/acknowledge-case.js';
import { deliverOutbox, smtpTransport } from '../../src/notify/deliver-outbox.js';
import { startSmtpServer } from '../helpers/smtp.js';
import type { ParsedMail } from 'mailparser';

const skip = dovecotMissing();
if (skip) console.log(`# skipped: ${skip}`);

async function staffByEmail(db: Db, email: string) {
  const row = await db.kysely.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return (await loadStaffMember(db.kysely, row.id))!;
}

for (const engine of testEngines()) {
  describe(`the e-mail channel: reading the mailbox into the triage queue (CSS §3.2, §3.3) on ${engine.name}`, { skip }, () => {
    let dovecot: Dovecot;
    let db: Db;
    // Monday 9 March 2026, 09:00 in Lindsay: citydesk starts after a weekend switched off.
    const clock = fixedClock('2026-03-09T09:00:00-04:00');
    before(async () => {
      dovecot = await startDovecot();
      db = await engine.open({ seed: true });
    });
    after(async () => {
      await db?.close();
      await dovecot?.close();
    });

    test('an e-mail that arrived while citydesk was stopped becomes a triage contact whose receipt is its arrival; as a general inquiry its acknowledgment target counts from then (INTERPRETATION §1, CSS §3.3); the automatic receipt is sent and is not the acknowledgment (§4.1)', async () => {
      // Friday 6 March 16:45, after administration hours: the receipt business day is Monday.
      const arrived = new Date(at('2026-03-06 16:45'));
      const raw = await compose({ from: 'Dana Resident <Dana@Example.org>', subject: 'Tax bill question', text: 'Hello,\n\nWhy did my tax bill go up this year?\n\nDana', messageId: '<plain-1@example.org>' });
      await dovecot.deliver(raw, arrived);
      const reader = new MailboxReader({ db, clock, settings: dovecot.settings() });
      const result = await reader.pollOnce();
      assert.deepEqual(result, { taken: 1, alreadyTaken: 0 });

      const mail = await db.kysely.selectFrom('inbound_mail').selectAll().where('message_id', '=', '<plain-1@example.org>').executeTakeFirstOrThrow();
      assert.equal(mail.kind, 'new_contact');
      assert.equal(mail.triage_status, 'open');
      assert.equal(new Date(mail.arrived_at).toISOString(), arrived.toISOString());
      assert.equal(mail.from_address, 'dana@example.org');
      assert.equal(mail.from_name, 'Dana Resident');
      assert.equal(mail.subject, 'Tax bill question');
      assert.match(mail.body_text, /Why did my tax bill go up this year\?/);
      // The raw message is kept byte for byte, so parsing can be replayed.
      const rawFile = { data: (await readStoredFile(db.kysely, mail.raw_file_id))!.content };

      // Taken once: looking again takes nothing, and the message is flagged as taken.
      assert.deepEqual(await reader.pollOnce(), { taken: 0, alreadyTaken: 0 });
      const client = await dovecot.client();
      const lock = await client.getMailboxLock('INBOX');
      const flags = await client.fetchOne('*', { flags: true });
      const source = await client.fetchOne('*', { source: true });
      lock.release();
      await client.logout();
      assert.ok(source && source.source && Buffer.from(rawFile.data).equals(source.source), 'the raw message is kept as the mailbox holds it');
      assert.ok(flags && flags.flags?.has(TAKEN_KEYWORD) && flags.flags.has('\\Seen'));

      // Monday 10:00 Customer Service records it as an inquiry for Revenue and Taxation.
      clock.set('2026-03-09T10:00:00-04:00');
      const services = caseServices(db, clock);
      const staff = await staffByEmail(db, demo.csRep);
      const { caseRow } = await convertTriageItem({ services, staff, id: mail.id, decision: { as: 'inquiry', division: 'revenue-taxation', summary: 'Asks why the tax bill went up' } });
      assert.equal(caseRow.channel, 'email');
      assert.equal(new Date(caseRow.received_at).toISOString(), arrived.toISOString());
      // Receipt business day Monday 9 March; 3 business days: Thursday 12 March 16:30.
      assert.equal(new Date(caseRow.acknowledge_by).toISOString(), new Date(at('2026-03-12 16:30')).toISOString());
      assert.equal(caseRow.customer_email, 'dana@example.org');
      assert.match(caseRow.description, /Subject: Tax bill question[\s\S]*Why did my tax bill go up/);
      assert.equal(caseRow.acknowledged_at, null);
      const messages = await db.kysely.selectFrom('case_message').select(['kind', 'automated']).where('case_id', '=', caseRow.id).execute();
      assert.deepEqual(messages, [{ kind: 'receipt', automated: true }]);
      const received = await db.kysely.selectFrom('case_event').select('data').where('case_id', '=', caseRow.id).where('type', '=', 'received').executeTakeFirstOrThrow();
      assert.equal((received.data as Record<string, unknown>)['backdated'], true, 'the back-dated receipt is audited');
      const after = await db.kysely.selectFrom('inbound_mail').select(['triage_status', 'case_id']).where('id', '=', mail.id).executeTakeFirstOrThrow();
      assert.deepEqual(after, { triage_status: 'converted', case_id: caseRow.id });
      // Twice is refused: one e-mail, one case.
      await assert.rejects(
        convertTriageItem({ services, staff, id: mail.id, decision: { as: 'inquiry', division: 'revenue-taxation', summary: 'again' } }),
        (e: unknown) => isAppError(e) && e.code === 'CONFLICT',
      );
    });

    test('messages as clients send them: HTML only, attachments (kept within type and size limits, others listed as not kept), ISO-8859-1 and Shift_JIS, and a huge one', async () => {
      const base = new Date(at('2026-03-09 08:00'));
      await dovecot.deliver(await compose({ from: 'html@example.org', subject: 'Only HTML', html: '<p>The <b>streetlight</b> at Kent &amp; Victoria is out.</p>', messageId: '<html-1@example.org>' }), base);
      await dovecot.deliver(
        await compose({
          from: 'photos@example.org',
          subject: 'Pothole photos',
          text: 'See the photos.',
          messageId: '<attach-1@example.org>',
          attachments: [
            { filename: 'pothole.png', content: tinyPng, contentType: 'image/png' },
            { filename: 'setup.exe', content: Buffer.from('MZ\x90\x00 not a picture'), contentType: 'application/octet-stream' },
            { filename: 'fake.jpg', content: Buffer.from('not really a jpeg'), contentType: 'image/jpeg' },
          ],
        }),
        new Date(base.getTime() + 60_000),
      );
      await dovecot.deliver(latin1Message({ from: 'Éloïse <eloise@example.fr>', subject: 'Déneigement rue Kent', text: 'Bonjour, la rue n’est pas déneigée. Merci beaucoup — Éloïse'.replace('’', "'").replace('—', '-'), messageId: '<latin1-1@example.fr>' }), new Date(base.getTime() + 120_000));
      await dovecot.deliver(shiftJisMessage({ from: 'tanaka@example.jp', subject: '道路の穴について', text: 'ケント通りに大きな穴があります。', messageId: '<sjis-1@example.jp>' }), new Date(base.getTime() + 180_000));
      // A huge one: an 11 MB scanned letter (over the 10 MB limit for kept files) and 200,000 characters of text.
      await dovecot.deliver(
        await compose({ from: 'big@example.org', subject: 'My scanned letter', text: `${'All the details. '.repeat(12_000)}`, messageId: '<huge-1@example.org>', attachments: [{ filename: 'letter.pdf', content: pdfOf(11 * 1024 * 1024), contentType: 'application/pdf' }] }),
        new Date(base.getTime() + 240_000),
      );
      const reader = new MailboxReader({ db, clock, settings: dovecot.settings() });
      assert.deepEqual(await reader.pollOnce(), { taken: 5, alreadyTaken: 0 });

      const byId = async (id: string) => db.kysely.selectFrom('inbound_mail').selectAll().where('message_id', '=', id).executeTakeFirstOrThrow();
      const html = await byId('<html-1@example.org>');
      assert.match(html.body_text, /The streetlight at Kent & Victoria is out\./i);
      assert.doesNotMatch(html.body_text, /<b>/);

      const photos = await byId('<attach-1@example.org>');
      const attachments = await db.kysely.selectFrom('inbound_mail_attachment').selectAll().where('inbound_mail_id', '=', photos.id).orderBy('id').execute();
      assert.deepEqual(
        attachments.map((a) => [a.filename, a.file_id !== null, a.refused_reason]),
        [
          ['pothole.png', true, null],
          ['setup.exe', false, 'application/octet-stream files are not kept (kept: images, PDF, office documents and text)'],
          ['fake.jpg', false, 'its content is not a image/jpeg file'],
        ],
      );
      const png = (await readStoredFile(db.kysely, attachments[0]!.file_id!))!;
      assert.ok(png.content.equals(tinyPng));
      assert.equal(png.contentType, 'image/png');

      const latin1 = await byId('<latin1-1@example.fr>');
      assert.equal(latin1.subject, 'Déneigement rue Kent');
      assert.equal(latin1.from_name, 'Éloïse');
      assert.match(latin1.body_text, /la rue n'est pas déneigée/);

      const sjis = await byId('<sjis-1@example.jp>');
      assert.equal(sjis.subject, '道路の穴について');
      assert.match(sjis.body_text, /ケント通りに大きな穴があります。/);

      const huge = await byId('<huge-1@example.org>');
      assert.ok(huge.body_text.length <= 100_200, 'the text kept on the item is cut');
      assert.match(huge.body_text, /the rest is in the original message/);
      const letter = await db.kysely.selectFrom('inbound_mail_attachment').selectAll().where('inbound_mail_id', '=', huge.id).executeTakeFirstOrThrow();
      assert.equal(letter.file_id, null);
      assert.equal(letter.refused_reason, 'larger than the 10 MB limit');
      const hugeRaw = await db.kysely.selectFrom('stored_file').select('size').where('id', '=', huge.raw_file_id).executeTakeFirstOrThrow();
      assert.ok(hugeRaw.size > 15 * 1024 * 1024, 'the whole original is kept (11 MB in base64)');
    });

    test('Customer Service makes an e-mail a service request of a type, answers one at first contact, or sets one aside as not a contact (audited, never a case)', async () => {
      const services = caseServices(db, clock);
      const staff = await staffByEmail(db, demo.csRep);
      const photos = await db.kysely.selectFrom('inbound_mail').selectAll().where('message_id', '=', '<attach-1@example.org>').executeTakeFirstOrThrow();
      // A service request needs its location, as from any channel.
      await assert.rejects(
        convertTriageItem({ services, staff, id: photos.id, decision: { as: 'service_request', requestType: 'pothole', summary: 'Pothole', location: {} } }),
        (e: unknown) => isAppError(e) && e.code === 'VALIDATION_FAILED' && /location/.test(e.message),
      );
      assert.equal((await db.kysely.selectFrom('inbound_mail').select('triage_status').where('id', '=', photos.id).executeTakeFirstOrThrow()).triage_status, 'open', 'a refused conversion leaves it waiting');
      const { caseRow } = await convertTriageItem({ services, staff, id: photos.id, decision: { as: 'service_request', requestType: 'pothole', summary: 'Pothole on Kent St.', location: { address: '50 Kent St. W., Lindsay' }, attributes: { road_class: '3' } } });
      assert.equal(caseRow.kind, 'service_request');
      assert.match(caseRow.reference, /^SR-2026-/);
      assert.equal(new Date(caseRow.received_at).toISOString(), new Date(at('2026-03-09 08:01')).toISOString());

      const html = await db.kysely.selectFrom('inbound_mail').selectAll().where('message_id', '=', '<html-1@example.org>').executeTakeFirstOrThrow();
      const answered = await convertTriageItem({ services, staff, id: html.id, decision: { as: 'answer', summary: 'Streetlight question', answer: 'Streetlights are repaired within 10 business days; we have passed it on.' } });
      assert.equal(answered.caseRow.status, 'resolved');
      assert.equal(answered.caseRow.first_contact_resolution, true);
      const outbox = await db.kysely.selectFrom('outbox_mail').select(['to_address', 'body']).where('case_message_id', 'is not', null).where('to_address', '=', 'html@example.org').execute();
      assert.equal(outbox.length, 1);
      assert.match(outbox[0]!.body, /within 10 business days/);

      const sjis = await db.kysely.selectFrom('inbound_mail').selectAll().where('message_id', '=', '<sjis-1@example.jp>').executeTakeFirstOrThrow();
      await assert.rejects(setAsideTriageItem({ services, staff, id: sjis.id, reason: 'other', note: ' ' }), (e: unknown) => isAppError(e) && e.code === 'VALIDATION_FAILED');
      await setAsideTriageItem({ services, staff, id: sjis.id, reason: 'spam', note: '' });
      const setAside = await db.kysely.selectFrom('inbound_mail').select(['triage_status', 'case_id', 'decided_by']).where('id', '=', sjis.id).executeTakeFirstOrThrow();
      assert.deepEqual(setAside, { triage_status: 'not_contact', case_id: null, decided_by: staff.id });
      const events = await db.kysely.selectFrom('mail_event').select(['type', 'actor_label']).where('inbound_mail_id', '=', sjis.id).execute();
      assert.deepEqual(events, [{ type: 'not_contact', actor_label: `${staff.name} (${staff.email})` }]);

      // Division staff do not triage.
      const roads = await staffByEmail(db, demo.roadsStaff);
      const latin1 = await db.kysely.selectFrom('inbound_mail').select('id').where('message_id', '=', '<latin1-1@example.fr>').executeTakeFirstOrThrow();
      await assert.rejects(setAsideTriageItem({ services, staff: roads, id: latin1.id, reason: 'spam', note: '' }), (e: unknown) => isAppError(e) && e.code === 'FORBIDDEN');
    });

    test("the receipt, an answer at first contact and the acknowledgment of an e-mailed contact reply in the customer's own conversation: In-Reply-To and References name their e-mail, as the SMTP server receives them (RFC 5322 §3.6.4; the receipt is not the acknowledgment, CSS §4.1)", async (t) => {
      const smtp = await startSmtpServer();
      t.after(() => smtp.close());
      const transport = smtpTransport(smtp.url);
      t.after(() => transport.close());
      // Sam's mail client wrote a new message; Lee answered a neighbour's e-mail (not ours), so it carries that one's ID.
      clock.set('2026-03-09T11:00:00-04:00');
      await dovecot.deliver(await compose({ from: 'Sam Driver <sam@example.org>', subject: 'Pothole outside my house', text: 'A deep pothole at 12 Peel St.', messageId: '<pothole-sam@example.org>' }), new Date(at('2026-03-09 10:40')));
      await dovecot.deliver(
        await compose({ from: 'Lee Walker <lee@example.org>', subject: 'Re: garbage day', text: 'When is garbage day on Peel St.?', messageId: '<garbage-lee@example.org>', inReplyTo: '<neighbour-1@example.net>', references: ['<neighbour-1@example.net>'] }),
        new Date(at('2026-03-09 10:45')),
      );
      assert.equal((await new MailboxReader({ db, clock, settings: dovecot.settings() }).pollOnce()).taken, 2);
      const services = caseServices(db, clock);
      const cs = await staffByEmail(db, demo.csRep);
      const idOf = async (messageId: string) => (await db.kysely.selectFrom('inbound_mail').select('id').where('message_id', '=', messageId).executeTakeFirstOrThrow()).id;
      const { caseRow: pothole } = await convertTriageItem({
        services,
        staff: cs,
        id: await idOf('<pothole-sam@example.org>'),
        decision: { as: 'service_request', requestType: 'pothole', summary: 'Pothole at 12 Peel St.', location: { address: '12 Peel St., Lindsay' }, attributes: { road_class: '3' } },
      });
      await convertTriageItem({ services, staff: cs, id: await idOf('<garbage-lee@example.org>'), decision: { as: 'answer', summary: 'Garbage day on Peel St.', answer: 'Garbage on Peel St. is collected on Tuesdays.' } });
      clock.advance(60_000);
      await acknowledgeCase({ services, staff: await staffByEmail(db, demo.roadsStaff), reference: pothole.reference, input: { nextSteps: 'A crew will fill it this week.', contact: 'Roads Operations, 705-324-9411', method: 'email' } } as never);
      await deliverOutbox({ db, transport, now: clock.now(), from: 'City of Kawartha Lakes <inquiries@kawarthalakes.ca>' });

      const arrived = (to: string, subject: RegExp) => {
        const found = smtp.arrivals.filter((a) => a.envelopeTo.includes(to) && subject.test(a.mail.subject ?? ''));
        assert.equal(found.length, 1, `one message to ${to} with a subject like ${subject}`);
        return found[0]!.mail;
      };
      const threading = (mail: ParsedMail) => ({ inReplyTo: mail.headers.get('in-reply-to'), references: mail.headers.get('references') });
      const receipt = arrived('sam@example.org', /^We received your service request/);
      assert.deepEqual(threading(receipt), { inReplyTo: '<pothole-sam@example.org>', references: '<pothole-sam@example.org>' });
      const acknowledgment = arrived('sam@example.org', /has your service request/);
      assert.match(acknowledgment.text ?? '', /A crew will fill it this week/);
      assert.deepEqual(threading(acknowledgment), { inReplyTo: '<pothole-sam@example.org>', references: '<pothole-sam@example.org>' });
      assert.notEqual(acknowledgment.messageId, receipt.messageId, 'two messages, each with its own Message-ID');
      // References carry the customer's own parent, then their message.
      const answer = arrived('lee@example.org', /./);
      assert.match(answer.text ?? '', /collected on Tuesdays/);
      assert.deepEqual(threading(answer), { inReplyTo: '<garbage-lee@example.org>', references: ['<neighbour-1@example.net>', '<garbage-lee@example.org>'] });
    });

    test('a mailbox that cannot be reached is retried with back-off and reported, and the server keeps running', async () => {
      const reader = new MailboxReader({ db, clock, settings: { ...dovecot.settings(), port: 1 }, firstBackoffMs: 1000, timeoutMs: 2000 });
      assert.equal(await reader.pollAndRecord(), undefined);
      assert.equal(reader.status().state, 'retrying');
      assert.match(reader.status().lastError ?? '', /refused the connection/);
      await reader.pollAndRecord();
      assert.equal(reader.status().failures, 2);
      assert.deepEqual([1, 2, 3, 10].map((n) => reader.backoffMs(n)), [1000, 2000, 4000, 300_000]);
      const wrongPassword = new MailboxReader({ db, clock, settings: { ...dovecot.settings(), secret: 'wrong' }, timeoutMs: 5000 });
      await wrongPassword.pollAndRecord();
      assert.match(wrongPassword.status().lastError ?? '', /refused the user name or password/);
    });
  });
}
