import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { dovecotMissing, startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { compose } from '../helpers/mail-messages.js';
import { MailboxReader, TAKEN_KEYWORD } from '../../src/mail/mailbox-reader.js';
import { openDatabase, type Db } from '../../src/db/connect.js';
import { fixedClock } from '../../src/platform/clock.js';
import { at } from '../helpers/factories.js';

const skip = dovecotMissing();
if (skip) console.log(`# skipped: ${skip}`);

const messages = async (prefix: string, n: number) =>
  Promise.all(
    Array.from({ length: n }, async (_, i) => ({
      raw: await compose({ from: `resident${i}@example.org`, subject: `${prefix} ${i}`, text: `Message ${i}`, messageId: `<${prefix}-${i}@example.org>` }),
      arrivedAt: new Date(at('2026-03-09 08:00') + i * 1000),
    })),
  );

/** The mailbox as the server holds it: how many messages, and how many carry the taken flag. */
async function mailboxState(dovecot: Dovecot): Promise<{ messages: number; taken: number }> {
  const client = await dovecot.client();
  const lock = await client.getMailboxLock('INBOX');
  let messagesCount = 0;
  let taken = 0;
  try {
    for await (const m of client.fetch('1:*', { flags: true })) {
      messagesCount += 1;
      if (m.flags?.has(TAKEN_KEYWORD)) taken += 1;
    }
  } finally {
    lock.release();
    await client.logout();
  }
  return { messages: messagesCount, taken };
}

const count = async (db: Db, prefix: string) =>
  Number((await db.kysely.selectFrom('inbound_mail').select((eb) => eb.fn.countAll<number>().as('n')).where('subject', 'like', `${prefix} %`).executeTakeFirstOrThrow()).n);

// Two copies on one PostgreSQL is what this is about: on PostgreSQL when DATABASE_URL is set
// (as CI does), else on the embedded database with two readers in one process.
for (const engine of testEngines().slice(-1)) {
  describe(`the mailbox is read exactly once, whatever happens (CSS §3.2) on ${engine.name}`, { skip }, () => {
    let dovecot: Dovecot;
    let db: Db;
    let second: Db;
    const clock = fixedClock('2026-03-09T10:00:00-04:00');
    before(async () => {
      dovecot = await startDovecot();
      db = await engine.open({ seed: true });
      // A second server copy: its own connections to the same PostgreSQL (the embedded database
      // is one process's, so there the two readers share it).
      const url = (db as Db & { url?: string }).url;
      second = url ? await openDatabase({ databaseUrl: url, dataDir: 'unused' }) : db;
    });
    after(async () => {
      if (second && second !== db) await second.close();
      await db?.close();
      await dovecot?.close();
    });

    test('two server copies reading one mailbox at once take each message exactly once', async () => {
      await dovecot.deliverMany(await messages('Pair', 20));
      const one = new MailboxReader({ db, clock, settings: dovecot.settings() });
      const two = new MailboxReader({ db: second, clock, settings: dovecot.settings() });
      const [a, b] = await Promise.all([one.pollOnce(), two.pollOnce()]);
      assert.equal(a.taken + b.taken, 20, `taken ${a.taken} + ${b.taken}`);
      // Each saw what the other had not flagged yet when it looked; both met some of the same ones.
      assert.ok(a.taken > 0 || b.taken > 0);
      assert.equal(await count(db, 'Pair'), 20);
      assert.deepEqual(await mailboxState(dovecot), { messages: 20, taken: 20 });
      // A restart (a new reader) takes nothing again.
      assert.deepEqual(await new MailboxReader({ db, clock, settings: dovecot.settings() }).pollOnce(), { taken: 0, alreadyTaken: 0 });
    });

    test('a mailbox outage in the middle of reading loses no message and takes none twice', async () => {
      await dovecot.deliverMany(await messages('Outage', 30));
      const reader = new MailboxReader({ db, clock, settings: dovecot.settings(), firstBackoffMs: 50, timeoutMs: 3000 });
      // Stop the mail server once some of the messages are in.
      let stopped = false;
      const watcher = (async () => {
        while ((await count(db, 'Outage')) < 6) await new Promise((r) => setTimeout(r, 5));
        await dovecot.stop();
        stopped = true;
      })();
      const first = await reader.pollAndRecord();
      await watcher;
      assert.ok(stopped);
      assert.equal(first, undefined, 'the look that lost its mailbox failed');
      assert.equal(reader.status().state, 'retrying');
      const takenBefore = await count(db, 'Outage');
      assert.ok(takenBefore >= 6 && takenBefore < 30, `${takenBefore} taken before the outage`);
      // While it is down, looking fails and is retried; nothing is taken or lost.
      assert.equal(await reader.pollAndRecord(), undefined);
      assert.equal(reader.status().failures, 2);
      await dovecot.start();
      const after = await reader.pollAndRecord();
      assert.ok(after);
      assert.equal(reader.status().state, 'ok');
      assert.equal(takenBefore + after.taken, 30, 'each message taken once in all');
      assert.ok(after.alreadyTaken <= 1, 'at most the message in hand at the outage is seen again, and left alone');
      assert.equal(await count(db, 'Outage'), 30);
      assert.deepEqual(await mailboxState(dovecot), { messages: 50, taken: 50 });
    });
  });
}
