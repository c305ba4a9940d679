import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startApi } from '../helpers/api.js';
import { consoleAs, pageText } from '../helpers/console.js';
import { testEngines } from '../helpers/db.js';
import { compose } from '../helpers/mail-messages.js';
import { takeMessage } from '../../src/mail/take-message.js';
import { enqueueMails } from '../../src/notify/outbox.js';

/**
 * The e-mail triage queue and the outbox show 25 a page, with links to the pages before and
 * after: 26 of each make two pages, the second with the one left over.
 */

const now = '2026-03-09T10:00:00-04:00';
const rowsOf = (html: string): number => (html.match(/<tr>/g) ?? []).length - 1; // less the header row

for (const engine of testEngines()) {
  test(`[${engine.name}] the e-mail triage queue and the outbox go 25 a page, with links between the pages, and say so when a page is empty`, async (t) => {
    const api = await startApi(engine, now);
    t.after(() => api.close());
    for (let i = 0; i < 26; i++) {
      const raw = await compose({ from: `Resident ${i} <r${i}@example.org>`, subject: `Question ${i}`, text: 'Hello', messageId: `<q${i}@example.org>` });
      await takeMessage({ db: api.db, raw, place: { mailbox: 'INBOX', uidValidity: 7, uid: i + 1, arrivedAt: new Date(Date.parse(now) - (26 - i) * 60_000) }, now: new Date(now) });
    }
    await api.db.kysely.transaction().execute((tx) =>
      enqueueMails(tx, Array.from({ length: 26 }, (_, i) => ({ to: demo.csManager, subject: `Notice ${i}`, body: 'Text', caseMessageId: null })), new Date(now)),
    );
    const manager = await consoleAs(api, demo.csManager);

    // Oldest first in the queue: the first page ends at Question 24, the second holds Question 25.
    const mail1 = await manager.get('/staff/mail');
    assert.equal(rowsOf(mail1.body), 25);
    assert.match(pageText(mail1.body), /Question 0 .*Question 24 .*Page 1 Next page/);
    assert.match(mail1.body, /<nav class="pagination" aria-label="Pages of e-mail"><span>Page 1<\/span><a href="\/staff\/mail\?page=2">Next page<\/a><\/nav>/);
    const mail2 = await manager.get('/staff/mail?page=2');
    assert.equal(rowsOf(mail2.body), 1);
    assert.match(pageText(mail2.body), /Question 25 .*Previous page Page 2/);
    assert.doesNotMatch(pageText(mail2.body), /Next page/);
    assert.match(pageText((await manager.get('/staff/mail?page=3')).body), /No more e-mail\. Previous page Page 3/);
    assert.match(pageText((await manager.get('/staff/mail?show=done')).body), /No e-mail has been dealt with yet\./);

    // Newest first in the outbox (same time: the last one queued first).
    const out1 = await manager.get('/staff/outbox');
    assert.equal(rowsOf(out1.body), 25);
    assert.match(pageText(out1.body), /All messages, page 1 .*Notice 25 .*Notice 1 .*Page 1 Older messages/);
    assert.match(out1.body, /<a href="\/staff\/outbox\?page=2">Older messages<\/a>/);
    const out2 = await manager.get('/staff/outbox?page=2');
    assert.equal(rowsOf(out2.body), 1);
    assert.match(pageText(out2.body), /All messages, page 2 .*Notice 0 .*Newer messages Page 2/);
    assert.doesNotMatch(pageText(out2.body), /Older messages/);
    assert.match(pageText((await manager.get('/staff/outbox?state=failed')).body), /No messages to show\./);
    assert.match(pageText((await manager.get('/staff/outbox?state=waiting&page=3')).body), /No more messages\. Newer messages Page 3/);
    assert.match((await manager.get('/staff/outbox?state=waiting&page=3')).body, /<a href="\/staff\/outbox\?state=waiting&amp;page=2">Newer messages<\/a>/);
  });
}
