import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type TestApi } from '../helpers/api.js';
import { consoleAs } from '../helpers/console.js';
import { deliverOutbox, MAX_ATTEMPTS } from '../../src/notify/deliver-outbox.js';

/**
 * Mail that failed for good waits for a person (CSS §4: the customer must hear from the City):
 * the Manager of Customer Service or an administrator sends it again from the outbox page, and
 * the message goes out at the next delivery. Nobody else may; a message sent or waiting already
 * is never sent twice.
 */

const outboxRow = (api: TestApi, id: number) => api.db.kysely.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

for (const engine of testEngines()) {
  test(`[${engine.name}] failed mail is sent again from the outbox page by the Manager of Customer Service, and by nobody else`, async (t) => {
    const api = await startApi(engine, '2026-03-02T10:00:00-05:00');
    t.after(() => api.close());
    const created = await (await api.as(demo.csRep)).post('/api/v1/cases', potholeByPhone());
    assert.equal(created.status, 201);
    const { id } = await api.db.kysely.selectFrom('outbox').select('id').executeTakeFirstOrThrow();
    await api.db.kysely.updateTable('outbox').set({ status: 'failed', attempts: MAX_ATTEMPTS, last_error: '550 mailbox unavailable' }).where('id', '=', id).execute();

    const roads = await consoleAs(api, demo.roadsStaff);
    assert.doesNotMatch((await roads.get('/staff/outbox?state=failed')).body, />Send again</);
    assert.equal((await roads.post(`/staff/outbox/${id}/retry`)).status, 403);
    assert.equal((await outboxRow(api, id)).status, 'failed', 'a refused retry changes nothing');

    const manager = await consoleAs(api, demo.csManager);
    const failedPage = await manager.get('/staff/outbox?state=failed');
    assert.match(failedPage.body, /Last error: 550 mailbox unavailable/);
    assert.match(failedPage.body, />Send again<span class="visually-hidden">: message \d+ to dana@example.org</);
    const retried = await manager.post(`/staff/outbox/${id}/retry`);
    assert.equal(retried.status, 303);
    assert.equal(retried.headers['location'], `/staff/outbox?state=waiting&retried=${id}`);
    assert.match((await manager.get(retried.headers['location'] as string)).body, new RegExp(`Message ${id} is waiting to be sent again`));
    const row = await outboxRow(api, id);
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 0);
    const audit = await api.db.kysely.selectFrom('directory_event').select(['type', 'actor_label']).where('type', '=', 'outbox_message_retried').execute();
    assert.deepEqual(audit, [{ type: 'outbox_message_retried', actor_label: 'Jordan Ellis <cs.manager@kawarthalakes.example>' }]);

    // Waiting already: not queued twice.
    const again = await manager.post(`/staff/outbox/${id}/retry`);
    assert.equal(again.headers['location'], `/staff/outbox?state=all&refused=${id}`);

    // The next delivery sends it, once.
    const sent: string[] = [];
    const result = await deliverOutbox({ db: api.db, transport: { send: async (mail) => void sent.push(mail.to) }, now: api.clock.now(), from: 'City <inquiries@example.org>' });
    assert.equal(result.sent, 1);
    assert.deepEqual(sent, ['dana@example.org']);
    assert.equal((await manager.post(`/staff/outbox/${id}/retry`)).headers['location'], `/staff/outbox?state=all&refused=${id}`, 'a sent message is never sent again');
  });

  test(`[${engine.name}] a message stuck in "sending" (a delivery that never finished) waits for a person, who may send it again after 15 minutes`, async (t) => {
    const api = await startApi(engine, '2026-03-02T10:00:00-05:00');
    t.after(() => api.close());
    assert.equal((await (await api.as(demo.csRep)).post('/api/v1/cases', potholeByPhone())).status, 201);
    const { id } = await api.db.kysely.selectFrom('outbox').select('id').executeTakeFirstOrThrow();
    await api.db.kysely.updateTable('outbox').set({ status: 'sending', attempts: 1 }).where('id', '=', id).execute();
    const admin = await consoleAs(api, demo.admin);
    assert.equal((await admin.post(`/staff/outbox/${id}/retry`)).headers['location'], `/staff/outbox?state=all&refused=${id}`, 'it may still be on its way');
    api.clock.set('2026-03-02T10:20:00-05:00');
    const later = await consoleAs(api, demo.admin);
    assert.equal((await later.post(`/staff/outbox/${id}/retry`)).headers['location'], `/staff/outbox?state=waiting&retried=${id}`);
    assert.equal((await outboxRow(api, id)).status, 'pending');
  });
}
