import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressObject } from 'mailparser';
import { startSmtpServer } from '../helpers/smtp.js';
import { pino } from 'pino';
import { testEngines } from '../helpers/db.js';
import type { Db } from '../../src/db/connect.js';
import { enqueueMail } from '../../src/notify/outbox.js';
import { deliverOutbox, smtpTransport, startOutboxDelivery, type MailTransport } from '../../src/notify/deliver-outbox.js';
import { fixedClock } from '../../src/platform/clock.js';

const now = new Date('2026-11-26T15:00:00Z');
const minutes = (n: number) => n * 60_000;
const later = (from: Date, ms: number) => new Date(from.getTime() + ms);
const FROM = 'City of Kawartha Lakes <noreply@kawarthalakes.invalid>';

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address));

async function outboxRow(db: Db, id: number) {
  return db.kysely.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

for (const engine of testEngines()) {
  describe(`delivering the outbox over SMTP on ${engine.name}`, () => {
    async function setUp(t: { after(fn: () => Promise<void> | void): void }) {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      const smtp = await startSmtpServer();
      t.after(() => smtp.close());
      const transport = smtpTransport(smtp.url);
      t.after(() => transport.close());
      return { db, smtp, transport };
    }

    test('a pending mail arrives once, as written, with the Message-ID of its outbox row', async (t) => {
      const { db, smtp, transport } = await setUp(t);
      const body = 'Bonjour,\n\nWe received your request SR-2026-000123 about a pothole on Kent Street West.\nThank you.';
      const queued = await enqueueMail(db.kysely, { to: 'resident@example.ca', subject: 'Your request SR-2026-000123 — received', body, now });

      const result = await deliverOutbox({ db, transport, now, from: FROM });

      assert.deepEqual(result, { sent: 1, retried: 0, failed: 0 });
      assert.equal(smtp.arrivals.length, 1);
      const { mail, envelopeTo } = smtp.arrivals[0]!;
      assert.deepEqual(envelopeTo, ['resident@example.ca']);
      assert.deepEqual(addresses(mail.to), ['resident@example.ca']);
      assert.deepEqual(addresses(mail.from), ['noreply@kawarthalakes.invalid']);
      assert.equal(mail.subject, 'Your request SR-2026-000123 — received');
      assert.equal(mail.text?.trimEnd(), body);
      assert.equal(mail.messageId, queued.messageId);

      const row = await outboxRow(db, queued.id);
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 1);
      assert.deepEqual(row.sent_at, now);
      assert.equal(row.last_error, null);

      // Sent is done: a later run does not send it again.
      assert.deepEqual(await deliverOutbox({ db, transport, now: later(now, minutes(10)), from: FROM }), { sent: 0, retried: 0, failed: 0 });
      assert.equal(smtp.arrivals.length, 1);
    });

    test('mail goes out oldest first, in batches, and not before its time', async (t) => {
      const { db, smtp, transport } = await setUp(t);
      await enqueueMail(db.kysely, { to: 'c@example.ca', subject: 'third', body: 'c', now: later(now, -minutes(1)) });
      await enqueueMail(db.kysely, { to: 'a@example.ca', subject: 'first', body: 'a', now: later(now, -minutes(3)) });
      await enqueueMail(db.kysely, { to: 'b@example.ca', subject: 'second', body: 'b', now: later(now, -minutes(2)) });
      const future = await enqueueMail(db.kysely, { to: 'd@example.ca', subject: 'future', body: 'd', now: later(now, minutes(1)) });

      assert.deepEqual(await deliverOutbox({ db, transport, now, from: FROM, batchSize: 2 }), { sent: 2, retried: 0, failed: 0 });
      assert.deepEqual(await deliverOutbox({ db, transport, now, from: FROM, batchSize: 2 }), { sent: 1, retried: 0, failed: 0 });
      assert.deepEqual(smtp.arrivals.map((a) => a.mail.subject), ['first', 'second', 'third']);
      assert.equal((await outboxRow(db, future.id)).status, 'pending');
    });

    test('a server that refuses leaves the mail pending for a minute; the next run at that time sends it', async (t) => {
      const { db, smtp, transport } = await setUp(t);
      const queued = await enqueueMail(db.kysely, { to: 'resident@example.ca', subject: 'Update on your request', body: 'A crew is scheduled.', now });
      smtp.refuse = 'Mailbox temporarily unavailable';

      assert.deepEqual(await deliverOutbox({ db, transport, now, from: FROM }), { sent: 0, retried: 1, failed: 0 });
      let row = await outboxRow(db, queued.id);
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.match(row.last_error ?? '', /451.*Mailbox temporarily unavailable/);
      assert.deepEqual(row.next_attempt_at, later(now, minutes(1)));
      assert.equal(smtp.arrivals.length, 0);

      smtp.refuse = undefined;
      // Not before the minute is up.
      assert.deepEqual(await deliverOutbox({ db, transport, now: later(now, minutes(1) - 1000), from: FROM }), { sent: 0, retried: 0, failed: 0 });
      assert.equal(smtp.arrivals.length, 0);

      const retryAt = later(now, minutes(1));
      assert.deepEqual(await deliverOutbox({ db, transport, now: retryAt, from: FROM }), { sent: 1, retried: 0, failed: 0 });
      assert.equal(smtp.arrivals.length, 1);
      assert.equal(smtp.arrivals[0]!.mail.messageId, queued.messageId);
      assert.equal(smtp.arrivals[0]!.mail.text?.trimEnd(), 'A crew is scheduled.');
      row = await outboxRow(db, queued.id);
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 2);
      assert.deepEqual(row.sent_at, retryAt);
    });

    test('the wait doubles from one minute to at most an hour; after 8 failed attempts the mail is failed', async (t) => {
      const { db, smtp, transport } = await setUp(t);
      const queued = await enqueueMail(db.kysely, { to: 'resident@example.ca', subject: 'Resolved', body: 'Your request is resolved.', now });
      smtp.refuse = 'Try again later';

      let at = now;
      const waits: number[] = [];
      for (let attempt = 1; attempt <= 7; attempt += 1) {
        assert.deepEqual(await deliverOutbox({ db, transport, now: at, from: FROM }), { sent: 0, retried: 1, failed: 0 });
        const row = await outboxRow(db, queued.id);
        assert.equal(row.status, 'pending');
        assert.equal(row.attempts, attempt);
        waits.push((row.next_attempt_at.getTime() - at.getTime()) / minutes(1));
        at = row.next_attempt_at;
      }
      assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 60]);

      assert.deepEqual(await deliverOutbox({ db, transport, now: at, from: FROM }), { sent: 0, retried: 0, failed: 1 });
      const row = await outboxRow(db, queued.id);
      assert.equal(row.status, 'failed');
      assert.equal(row.attempts, 8);
      assert.match(row.last_error ?? '', /Try again later/);

      // Failed is for a person to look at: no run sends it, even once the server accepts again.
      smtp.refuse = undefined;
      assert.deepEqual(await deliverOutbox({ db, transport, now: later(at, minutes(24 * 60)), from: FROM }), { sent: 0, retried: 0, failed: 0 });
      assert.equal(smtp.arrivals.length, 0);
    });

    test('a transport that throws records the first 500 characters of its error', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      const queued = await enqueueMail(db.kysely, { to: 'resident@example.ca', subject: 's', body: 'b', now });
      const transport: MailTransport = {
        send: () => Promise.reject(new Error(`connect ECONNREFUSED ${'x'.repeat(1000)}`)),
      };
      assert.deepEqual(await deliverOutbox({ db, transport, now, from: FROM }), { sent: 0, retried: 1, failed: 0 });
      const row = await outboxRow(db, queued.id);
      assert.equal(row.last_error?.length, 500);
      assert.ok(row.last_error?.startsWith('connect ECONNREFUSED x'));
    });

    test('two deliveries running at the same time send each message exactly once', async (t) => {
      const { db, smtp } = await setUp(t);
      // Two transports, as two server copies would have.
      const first = smtpTransport(smtp.url);
      const second = smtpTransport(smtp.url);
      t.after(() => {
        first.close();
        second.close();
      });
      const queued = [];
      for (let i = 1; i <= 12; i += 1) {
        queued.push(await enqueueMail(db.kysely, { to: `resident${i}@example.ca`, subject: `Message ${i}`, body: `Body ${i}`, now }));
      }

      const results = await Promise.all([
        deliverOutbox({ db, transport: first, now, from: FROM }),
        deliverOutbox({ db, transport: second, now, from: FROM }),
      ]);

      assert.equal(results[0].sent + results[1].sent, 12);
      assert.equal(results[0].retried + results[1].retried + results[0].failed + results[1].failed, 0);
      const byMessageId = new Map<string, number>();
      for (const { mail } of smtp.arrivals) byMessageId.set(mail.messageId ?? '', (byMessageId.get(mail.messageId ?? '') ?? 0) + 1);
      assert.deepEqual(
        [...byMessageId.entries()].sort(),
        queued.map((q) => [q.messageId, 1] as [string, number]).sort(),
      );
      const rows = await db.kysely.selectFrom('outbox').select(['status', 'attempts']).execute();
      assert.ok(rows.every((r) => r.status === 'sent' && r.attempts === 1));
    });

    test('a row left in sending (a process killed mid-send) is never sent again', async (t) => {
      const { db, smtp, transport } = await setUp(t);
      const queued = await enqueueMail(db.kysely, { to: 'resident@example.ca', subject: 's', body: 'b', now });
      await db.kysely.updateTable('outbox').set({ status: 'sending', attempts: 1 }).where('id', '=', queued.id).execute();

      assert.deepEqual(await deliverOutbox({ db, transport, now: later(now, minutes(120)), from: FROM }), { sent: 0, retried: 0, failed: 0 });
      assert.equal(smtp.arrivals.length, 0);
      assert.equal((await outboxRow(db, queued.id)).status, 'sending');
    });

    test('the delivery timer sends waiting mail, and stop() waits for the send in progress', async (t) => {
      const { db, smtp } = await setUp(t);
      const real = smtpTransport(smtp.url);
      t.after(() => real.close());
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let sendStarted!: () => void;
      const started = new Promise<void>((resolve) => (sendStarted = resolve));
      const transport: MailTransport = {
        async send(mail) {
          sendStarted();
          await released;
          await real.send(mail);
        },
      };
      const queued = await enqueueMail(db.kysely, { to: 'resident@example.ca', subject: 'Timer', body: 'Sent by the timer.', now });

      const delivery = startOutboxDelivery({ db, clock: fixedClock(now), transport, from: FROM, intervalMs: 10 });
      await started;
      let stopped = false;
      const stopping = delivery.stop().then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(stopped, false, 'stop() returned while a send was in progress');
      release();
      await stopping;

      assert.equal(smtp.arrivals.length, 1);
      assert.equal(smtp.arrivals[0]!.mail.messageId, queued.messageId);
      const row = await outboxRow(db, queued.id);
      assert.equal(row.status, 'sent');
      assert.deepEqual(row.sent_at, now);
    });

    test('the delivery timer logs a failed run and keeps going', async (t) => {
      const db = await engine.open({ seed: true });
      t.after(() => db.close());
      const lines: Array<{ level: number; msg: string; err?: { message: string } }> = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
      // Queries against a schema that does not exist fail like a database that went away.
      const broken: Db = { ...db, kysely: db.kysely.withSchema('no_such_schema') };
      const transport: MailTransport = { send: () => Promise.resolve() };

      const delivery = startOutboxDelivery({ db: broken, clock: fixedClock(now), transport, from: FROM, logger, intervalMs: 5 });
      while (lines.filter((l) => l.msg === 'Outbox delivery failed').length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      await delivery.stop();

      const failure = lines.find((l) => l.msg === 'Outbox delivery failed')!;
      assert.equal(failure.level, 50);
      assert.match(failure.err?.message ?? '', /no_such_schema/);
    });
  });
}
