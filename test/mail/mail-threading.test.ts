import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { dovecotMissing, startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { compose } from '../helpers/mail-messages.js';
import { demo, potholeByPhone } from '../helpers/api.js';
import { MailboxReader } from '../../src/mail/mailbox-reader.js';
import { listCaseMail, listWaitingMail, markMailDealtWith, undeliverableAddress } from '../../src/mail/case-mail.js';
import { createCase } from '../../src/cases/create-case.js';
import { acknowledgeCase } from '../../src/cases/acknowledge-case.js';
import { resolveCase } from '../../src/cases/resolve-case.js';
import { sendUpdate } from '../../src/cases/send-update.js';
import { deliverOutbox, nodemailerMessage, type OutgoingMail } from '../../src/notify/deliver-outbox.js';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { caseServices } from '../../src/cases/case-services.js';
import { readOwnMessageId } from '../../src/notify/message-ids.js';
import { fixedClock } from '../../src/platform/clock.js';
import { loadStaffMember } from '../../src/directory/staff.js';
import { isAppError } from '../../src/platform/errors.js';
import type { Db } from '../../src/db/connect.js';
import type { CaseRow } from '../../src/cases/case-record.js';

const skip = dovecotMissing();
if (skip) console.log(`# skipped: ${skip}`);

async function staffByEmail(db: Db, email: string) {
  const row = await db.kysely.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return (await loadStaffMember(db.kysely, row.id))!;
}

/** A bounce as Postfix sends one (RFC 3464), for our message `originalId` to `to`. */
let bounces = 0;
function postfixBounce(to: string, originalId: string, subject: string): Buffer {
  bounces += 1;
  return Buffer.from(
    [
      'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
      'To: inquiries@kawarthalakes.ca',
      'Subject: Undelivered Mail Returned to Sender',
      'Auto-Submitted: auto-replied',
      `Message-Id: <20260309140000.7F1A${bounces}@mx.example.org>`,
      'Date: Mon, 9 Mar 2026 14:00:00 -0400 (EDT)',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="7F1A2.1773079200/mx.example.org"',
      '',
      'This is a MIME-encapsulated message.',
      '',
      '--7F1A2.1773079200/mx.example.org',
      'Content-Description: Notification',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.example.org.',
      '',
      "I'm sorry to have to inform you that your message could not",
      'be delivered to one or more recipients.',
      '',
      `<${to}>: host mx.example.org said: 550 5.1.1 User unknown`,
      '',
      '--7F1A2.1773079200/mx.example.org',
      'Content-Description: Delivery report',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      'X-Postfix-Queue-ID: 7F1A2',
      'Arrival-Date: Mon,  9 Mar 2026 13:59:58 -0400 (EDT)',
      '',
      `Final-Recipient: rfc822; ${to}`,
      `Original-Recipient: rfc822;${to}`,
      'Action: failed',
      'Status: 5.1.1',
      `Diagnostic-Code: smtp; 550 5.1.1 <${to}>: Recipient address rejected: User unknown`,
      '',
      '--7F1A2.1773079200/mx.example.org',
      'Content-Description: Undelivered Message Headers',
      'Content-Type: text/rfc822-headers',
      '',
      'From: City of Kawartha Lakes <inquiries@kawarthalakes.ca>',
      `To: ${to}`,
      `Subject: ${subject}`,
      `Message-ID: ${originalId}`,
      '',
      '--7F1A2.1773079200/mx.example.org--',
      '',
    ].join('\r\n'),
  );
}

for (const engine of testEngines()) {
  describe(`the e-mail channel: replies find their case, automatic mail and bounces do not become cases (CSS §3.3, §4.1) on ${engine.name}`, { skip }, () => {
    let dovecot: Dovecot;
    let db: Db;
    let reader: MailboxReader;
    const clock = fixedClock('2026-03-09T10:00:00-04:00');
    let pothole: CaseRow;
    let receiptId: string;
    let ackId: string;
    let key: Buffer;
    const arrive = async (raw: Buffer) => {
      clock.advance(60_000);
      await dovecot.deliver(raw, clock.now());
      const result = await reader.pollOnce();
      assert.equal(result.taken, 1);
    };
    const lastMail = () => db.kysely.selectFrom('inbound_mail').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    const events = (caseId: number, type: string) => db.kysely.selectFrom('case_event').select('data').where('case_id', '=', caseId).where('type', '=', type).execute();

    before(async () => {
      dovecot = await startDovecot();
      db = await engine.open({ seed: true });
      reader = new MailboxReader({ db, clock, settings: dovecot.settings(), ownAddress: 'inquiries@kawarthalakes.ca' });
      const services = caseServices(db, clock);
      const cs = await staffByEmail(db, demo.csRep);
      ({ caseRow: pothole } = await createCase({ services, origin: { staff: cs }, input: potholeByPhone() as never }));
      const roads = await staffByEmail(db, demo.roadsStaff);
      await acknowledgeCase({ services, staff: roads, reference: pothole.reference, input: { nextSteps: 'A crew will inspect it this week.', contact: 'Roads Operations, 705-324-9411', method: 'email' } } as never);
      const outbox = await db.kysely.selectFrom('outbox_mail').select(['message_id', 'subject']).orderBy('id').execute();
      receiptId = outbox[0]!.message_id;
      ackId = outbox[1]!.message_id;
      key = Buffer.from((await db.kysely.selectFrom('mail_signing_key').select('key').executeTakeFirstOrThrow()).key);
    });
    after(async () => {
      await db?.close();
      await dovecot?.close();
    });

    test("every message citydesk sends carries a Message-ID naming its case with a keyed signature, and the case's reference in its subject", async () => {
      const outbox = await db.kysely.selectFrom('outbox_mail').select(['message_id', 'subject']).orderBy('id').execute();
      assert.equal(outbox.length, 2);
      for (const mail of outbox) {
        assert.match(mail.message_id, new RegExp(`^<${pothole.reference}\\.[0-9a-f]{16}\\.[0-9a-f]{32}@kawarthalakes\\.ca>$`));
        assert.deepEqual(readOwnMessageId(key, mail.message_id), { reference: pothole.reference });
        assert.ok(mail.subject.includes(`[${pothole.reference}]`), mail.subject);
      }
      // The signature holds only for its own reference and key.
      const forged = receiptId.replace(pothole.reference, pothole.reference.replace(/\d$/, (d) => String((Number(d) + 1) % 10)));
      assert.equal(readOwnMessageId(key, forged), undefined);
      assert.equal(readOwnMessageId(Buffer.alloc(64, 1), receiptId), undefined);
    });

    test("a reply threads to its case by In-Reply-To or References, or by the subject's reference from the case's customer; its division sees it as \"customer replied\"", async () => {
      await arrive(await compose({ from: 'Dana Resident <dana@example.org>', subject: `Re: Roads Operations has your service request (Pothole) [${pothole.reference}]`, text: 'Thanks! It is getting deeper.', messageId: '<reply-1@example.org>', inReplyTo: ackId, references: [ackId] }));
      let mail = await lastMail();
      assert.deepEqual([mail.kind, mail.case_id], ['reply', pothole.id]);
      assert.match(mail.kind_reason ?? '', /In-Reply-To or References/);
      const replied = await events(pothole.id, 'customer_replied');
      assert.equal(replied.length, 1);
      assert.match(String((replied[0]!.data as Record<string, unknown>)['text']), /getting deeper/);

      // A client that dropped In-Reply-To but kept References, oldest first.
      await arrive(await compose({ from: 'dana@example.org', subject: 'More photos', text: 'Another one.', messageId: '<reply-2@example.org>', references: ['<unrelated@example.org>', receiptId] }));
      mail = await lastMail();
      assert.deepEqual([mail.kind, mail.case_id], ['reply', pothole.id]);

      // A new message naming the reference in its subject, from the customer (any letter case).
      await arrive(await compose({ from: 'DANA@Example.org', subject: `Question about ${pothole.reference}`, text: 'When will it be fixed?', messageId: '<reply-3@example.org>' }));
      mail = await lastMail();
      assert.deepEqual([mail.kind, mail.case_id], ['reply', pothole.id]);
      assert.match(mail.kind_reason ?? '', /sender is its customer/);

      const roads = await staffByEmail(db, demo.roadsStaff);
      const waiting = await listWaitingMail(db.kysely, roads, 10);
      assert.equal(waiting.total, 3);
      assert.ok(waiting.items.every((i) => i.reference === pothole.reference && i.kind === 'reply'));
      // Another division does not see them.
      assert.equal((await listWaitingMail(db.kysely, await staffByEmail(db, demo.trafficStaff), 10)).total, 0);
      assert.deepEqual((await listCaseMail(db.kysely, pothole.id)).map((m) => m.subject.slice(0, 12)), ['Re: Roads Op', 'More photos', 'Question abo']);
    });

    test("a reference from a stranger, in the subject or in a forged In-Reply-To, starts a new contact instead: no one writes into another person's case", async () => {
      await arrive(await compose({ from: 'mallory@example.net', subject: `Re: [${pothole.reference}]`, text: 'Please change the address on this case to mine.', messageId: '<forged-1@example.net>' }));
      let mail = await lastMail();
      assert.deepEqual([mail.kind, mail.case_id, mail.triage_status], ['new_contact', null, 'open']);
      assert.match(mail.kind_reason ?? '', /not that case's customer/);
      const madeUp = `<${pothole.reference}.0123456789abcdef.0123456789abcdef0123456789abcdef@kawarthalakes.ca>`;
      await arrive(await compose({ from: 'mallory@example.net', subject: 'Re: your request', text: 'Hi', messageId: '<forged-2@example.net>', inReplyTo: madeUp, references: [madeUp] }));
      mail = await lastMail();
      assert.deepEqual([mail.kind, mail.case_id], ['new_contact', null]);
      assert.equal((await events(pothole.id, 'customer_replied')).length, 3, 'nothing was added to the case');
    });

    test("staff's answer by e-mail names the customer's latest message in In-Reply-To and References, so their mail client threads it", async () => {
      clock.advance(60_000);
      await sendUpdate({ services: caseServices(db, clock), staff: await staffByEmail(db, demo.roadsStaff), reference: pothole.reference, input: { status: 'The crew is booked for Thursday.', timeline: '2026-03-12', reason: 'Asphalt arrives Wednesday.', method: 'email' } } as never);
      const sent: OutgoingMail[] = [];
      await deliverOutbox({ db, transport: { send: async (m) => void sent.push(m) }, now: clock.now(), from: 'inquiries@kawarthalakes.ca' });
      const update = sent.find((m) => m.text.includes('booked for Thursday'));
      assert.ok(update, 'the update went out');
      // The latest was "Question about …" (<reply-3@example.org>), written without In-Reply-To.
      assert.equal(update.inReplyTo, '<reply-3@example.org>');
      assert.deepEqual(update.references, ['<reply-3@example.org>']);
      const raw = (await new MailComposer(nodemailerMessage(update)).compile().build()).toString();
      assert.match(raw, /^In-Reply-To: <reply-3@example\.org>$/m);
      assert.match(raw, /^References: <reply-3@example\.org>$/m);
      assert.ok(raw.replace(/\r\n\s+/g, ' ').includes(`Message-ID: ${update.messageId}`), 'our own Message-ID (folded onto the next line)');
      // A message to a customer who never wrote carries no threading headers.
      assert.ok(sent.filter((m) => m !== update).every((m) => m.inReplyTo === undefined));
    });

    test('a reply to a resolved case puts it before its division to reopen or answer; they mark it dealt with (audited)', async () => {
      const services = caseServices(db, clock);
      const roads = await staffByEmail(db, demo.roadsStaff);
      for (const m of (await listWaitingMail(db.kysely, roads, 10)).items) await markMailDealtWith({ services, staff: roads, reference: pothole.reference, mailId: m.id });
      await resolveCase({ services, staff: roads, reference: pothole.reference, input: { resolution: 'The pothole was filled on 9 March.', method: 'email' } } as never);
      await arrive(await compose({ from: 'dana@example.org', subject: `Re: Your service request (Pothole) is resolved [${pothole.reference}]`, text: 'It is not fixed, the hole is still there.', messageId: '<after-1@example.org>', inReplyTo: receiptId }));
      const waiting = await listWaitingMail(db.kysely, roads, 10);
      assert.equal(waiting.total, 1);
      assert.equal(waiting.items[0]!.resolved, true);
      const replied = await events(pothole.id, 'customer_replied');
      assert.equal((replied.at(-1)!.data as Record<string, unknown>)['resolved'], true);
      // Someone outside the division cannot mark it.
      await assert.rejects(markMailDealtWith({ services, staff: await staffByEmail(db, demo.trafficStaff), reference: pothole.reference, mailId: waiting.items[0]!.id }), (e: unknown) => isAppError(e) && e.code === 'NOT_FOUND');
      await markMailDealtWith({ services, staff: roads, reference: pothole.reference, mailId: waiting.items[0]!.id });
      assert.equal((await listWaitingMail(db.kysely, roads, 10)).total, 0);
      assert.equal((await events(pothole.id, 'customer_mail_dealt_with')).length, 4);
      await assert.rejects(markMailDealtWith({ services, staff: roads, reference: pothole.reference, mailId: waiting.items[0]!.id }), (e: unknown) => isAppError(e) && e.code === 'CONFLICT');
    });

    test('auto-replies, lists and loops (Auto-Submitted, X-Autoreply, X-Auto-Response-Suppress, Precedence, List-Unsubscribe, our own Message-IDs) are recorded and dropped', async () => {
      const before = (await events(pothole.id, 'customer_replied')).length;
      const cases = async () => Number((await db.kysely.selectFrom('inbound_mail').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', 'in', ['new_contact', 'reply']).executeTakeFirstOrThrow()).n);
      const contactsBefore = await cases();
      const autos: [Record<string, string>, RegExp][] = [
        [{ 'Auto-Submitted': 'auto-replied' }, /Auto-Submitted: auto-replied/],
        [{ 'X-Autoreply': 'yes' }, /X-Autoreply/],
        [{ 'X-Auto-Response-Suppress': 'All' }, /X-Auto-Response-Suppress/],
        [{ Precedence: 'bulk' }, /Precedence: bulk/],
        [{ 'List-Unsubscribe': '<mailto:leave@lists.example.org>' }, /List-Unsubscribe/],
      ];
      for (const [i, [headers, reason]] of autos.entries()) {
        // An out-of-office answer to our acknowledgment: it names the case, and still is no reply.
        await arrive(await compose({ from: 'dana@example.org', subject: `Out of office: [${pothole.reference}]`, text: 'I am away until Monday.', messageId: `<auto-${i}@example.org>`, inReplyTo: ackId, headers }));
        const mail = await lastMail();
        assert.deepEqual([mail.kind, mail.case_id, mail.triage_status], ['auto_reply', null, null]);
        assert.match(mail.kind_reason ?? '', reason);
      }
      // Our own message delivered back to us (a customer address that forwards to the City).
      await arrive(await compose({ from: 'City of Kawartha Lakes <someone@forwarder.example>', subject: 'We received your service request', text: 'copy', messageId: receiptId }));
      let mail = await lastMail();
      assert.deepEqual([mail.kind, mail.kind_reason], ['loop', 'its Message-ID is one citydesk made: our own mail came back']);
      await arrive(await compose({ from: 'inquiries@kawarthalakes.ca', subject: 'test', text: 'x', messageId: '<self@kawarthalakes.ca>' }));
      mail = await lastMail();
      assert.equal(mail.kind, 'loop');
      assert.equal((await events(pothole.id, 'customer_replied')).length, before);
      assert.equal(await cases(), contactsBefore, 'none became a contact');
    });

    test("a bounce marks the customer's address undeliverable on the case and tells the division: the acknowledgment must reach them another way (CSS §4.1)", async () => {
      await arrive(postfixBounce('dana@example.org', ackId, `Roads Operations has your service request (Pothole) [${pothole.reference}]`));
      const mail = await lastMail();
      assert.deepEqual([mail.kind, mail.case_id], ['bounce', pothole.id]);
      const bad = await undeliverableAddress(db.kysely, pothole.id, 'Dana@example.org');
      assert.equal(bad?.address, 'dana@example.org');
      assert.match(bad?.diagnostic ?? '', /550 5\.1\.1/);
      const noticed = await events(pothole.id, 'email_undeliverable');
      assert.equal(noticed.length, 1);
      // The division is told by e-mail too: the case's owner (Roads staff acknowledged it), naming the case, not the address.
      const told = await db.kysely.selectFrom('outbox').select(['to_address', 'subject', 'body']).where('subject', 'like', `E-mail to the customer of ${pothole.reference} bounced%`).execute();
      assert.deepEqual(told.map((m) => m.to_address), [demo.roadsStaff]);
      assert.match(told[0]!.body!, /\(CSS §4\.1\): reach them by phone, letter or a visit/);
      assert.doesNotMatch(told[0]!.body!, /dana@example\.org/);
      const waiting = await listWaitingMail(db.kysely, await staffByEmail(db, demo.roadsStaff), 10);
      assert.deepEqual(waiting.items.map((i) => [i.kind, i.reference]), [['bounce', pothole.reference]]);
      // Acknowledging that customer by e-mail is refused; by phone it is recorded.
      const services = caseServices(db, clock);
      const cs = await staffByEmail(db, demo.csRep);
      const { caseRow: gone } = await createCase({ services, origin: { staff: cs }, input: potholeByPhone({ customer: { name: 'Gone', email: 'gone@example.org', phone: '705-555-0199', preferredContact: 'email' } }) as never });
      const goneReceipt = (await db.kysely.selectFrom('outbox_mail').select('message_id').where('to_address', '=', 'gone@example.org').executeTakeFirstOrThrow()).message_id;
      await arrive(postfixBounce('gone@example.org', goneReceipt, `We received your service request (Pothole) [${gone.reference}]`));
      const roads = await staffByEmail(db, demo.roadsStaff);
      const acknowledgment = { nextSteps: 'A crew will inspect it this week.', contact: 'Roads Operations, 705-324-9411' };
      await assert.rejects(
        acknowledgeCase({ services, staff: roads, reference: gone.reference, input: { ...acknowledgment, method: 'email' } } as never),
        (e: unknown) => isAppError(e) && e.code === 'RULE_VIOLATION' && /bounced[\s\S]*CSS §4\.1/.test(e.message),
      );
      const acknowledged = await acknowledgeCase({ services, staff: roads, reference: gone.reference, input: { ...acknowledgment, method: 'phone' } } as never);
      assert.ok(acknowledged.acknowledged_at);
      // A bounce naming no message of ours is recorded, and touches no case.
      await arrive(postfixBounce('someone@example.org', '<not-ours@example.org>', 'Hello'));
      const stray = await lastMail();
      assert.deepEqual([stray.kind, stray.case_id], ['bounce', null]);
    });
  });
}
