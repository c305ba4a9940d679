import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi } from '../helpers/api.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { deliverOutbox, smtpTransport } from '../../src/notify/deliver-outbox.js';

for (const engine of testEngines()) {
  describe(`customers' mail on ${engine.name}`, () => {
    test('the receipt and the acknowledgment reach the customer by e-mail, in plain words, each once', async (t) => {
      const api = await startApi(engine, '2026-11-23T15:00:00Z');
      t.after(() => api.close());
      const smtp = await startSmtpServer();
      t.after(() => smtp.close());
      const transport = smtpTransport(smtp.url);
      t.after(() => transport.close());
      const from = 'City of Kawartha Lakes <inquiries@kawarthalakes.ca>';

      const csRep = await api.as(demo.csRep);
      const roads = await api.as(demo.roadsStaff);
      const created = await csRep.post('/api/v1/cases', potholeByPhone());
      const reference = created.body.case.reference as string;
      await deliverOutbox({ db: api.db, transport, now: api.clock.now(), from });
      await roads.post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'A crew will patch it this week.', contact: 'Roads Operations, 705-324-9411' });
      await deliverOutbox({ db: api.db, transport, now: api.clock.now(), from });
      await deliverOutbox({ db: api.db, transport, now: api.clock.now(), from });

      const mine = smtp.arrivals.filter((a) => a.mail.subject?.includes(reference));
      assert.deepEqual(
        mine.map((a) => a.mail.subject),
        [`We received your service request (Pothole) [${reference}]`, `Roads Operations has your service request (Pothole) [${reference}]`],
      );
      assert.deepEqual(mine[0]!.envelopeTo, ['dana@example.org']);
      assert.match(mine[0]!.mail.text!, /Hello Dana Resident,/);
      assert.match(mine[0]!.mail.text!, /will contact you by Wednesday 25 November 2026 at 4:30 pm/);
      assert.match(mine[1]!.mail.text!, /What happens next: A crew will patch it this week\./);
      const timeline = (await roads.get(`/api/v1/cases/${reference}`)).body.timeline;
      assert.deepEqual(
        timeline.filter((e: { entry: string }) => e.entry === 'message').map((e: { kind: string; delivery: string }) => [e.kind, e.delivery]),
        [['receipt', 'sent'], ['acknowledgment', 'sent']],
      );
    });

    test('without SMTP the messages stay readable in the case history, waiting in the outbox', async (t) => {
      const api = await startApi(engine, '2026-11-23T15:00:00Z');
      t.after(() => api.close());
      const csRep = await api.as(demo.csRep);
      const created = await csRep.post('/api/v1/cases', potholeByPhone());
      const timeline = (await csRep.get(`/api/v1/cases/${created.body.case.reference}`)).body.timeline;
      const receipt = timeline.find((e: { entry: string }) => e.entry === 'message');
      assert.equal(receipt.delivery, 'pending');
      assert.match(receipt.body, /We received your service request/);
    });
  });
}
