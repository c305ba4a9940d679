/**
 * Issue #11, finding 3: the track page and anonymous Open311 answers carry no personal information
 * in any written form: phone numbers without separators or with Unicode dashes, parts of a
 * hyphenated surname, spelt-out e-mail addresses, staff first names in service_notice, and
 * personal details in media_url and address_id (INTERPRETATION §9).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, potholeByPhone, startApi, type TestApi } from '../helpers/api.js';
import { testEngines } from '../helpers/db.js';
import { createApiKey } from '../../src/open311/api-keys.js';
import { form, formHeaders } from './open311-client.js';

const leaks = ['Quixote', 'Smithers', 'Dana', '7055550199', '5550199', '555\u20110199', '0199', 'example dot org', 'dana.q', 'Riley', 'Chen', 'Sam', 'Patel', 'Okafor', 'quinn'];

for (const engine of testEngines()) {
  describe(`public surfaces on ${engine.name} (issue #11 finding 3)`, () => {
    let api: TestApi;
    let staffCase: string;
    let open311Case: string;
    let submitNotice: string;

    before(async () => {
      api = await startApi(engine, '2026-11-23T15:00:00Z');
      const cs = await api.as(demo.csRep);
      const created = await cs.post(
        '/api/v1/cases',
        potholeByPhone({
          customer: { name: 'Dana Quixote-Smithers', email: 'dana.q@example.org', phone: '705-555-0199', preferredContact: 'phone' },
          description: 'Caller (7055550199, or (705)5550199, or 705\u2011555\u20110199) says Smithers next door saw it; write to dana at example dot org.',
          mediaUrl: 'https://photos.example/dana.q@example.org/Quixote-Smithers.jpg',
        }),
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      staffCase = created.body.case.reference;
      const roads = await api.as(demo.roadsStaff);
      const ack = await roads.post(`/api/v1/cases/${staffCase}/acknowledge`, {
        nextSteps: 'Riley will inspect it on Wednesday; Sam approves the patch. Questions: 705\u2013555\u20130199.',
        contact: 'Roads Operations, 705-324-9411 ext. 1200',
        method: 'record',
      });
      assert.equal(ack.status, 200, JSON.stringify(ack.body));

      const { key } = await createApiKey({ tx: api.db.kysely, name: 'Redaction client', now: api.clock.now() });
      const submitted = await api.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: formHeaders,
        payload: form({
          api_key: key,
          service_code: 'streetlight',
          address_id: 'quinn.okafor@example.net Quinn Okafor',
          first_name: 'Quinn',
          last_name: 'Okafor',
          phone: '705 555 0142',
          description: 'Light out. Quinn, 7055550142.',
          media_url: 'https://photos.example/u/quinn%40example.net/light.jpg',
          'attribute[pole_number]': 'KL-0042',
        }),
      });
      assert.equal(submitted.statusCode, 200, submitted.body);
      open311Case = JSON.parse(submitted.body)[0].service_request_id;
      submitNotice = JSON.parse(submitted.body)[0].service_notice;
    });
    after(() => api.close());

    const assertClean = (body: string, where: string) => {
      for (const detail of leaks) assert.ok(!body.toLowerCase().includes(detail.toLowerCase()), `${where} shows "${detail}": ${body.slice(0, 2000)}`);
    };

    test('finding 3: the track page shows no part of the customer\u2019s name, no phone in any form, no spelt-out e-mail', async () => {
      const page = await api.app.inject({ url: `/track/${staffCase}` });
      assert.equal(page.statusCode, 200);
      const text = page.body.replace(/<[^>]+>/g, ' ');
      assertClean(text, 'the track page');
      assert.match(text, /says \[removed\] next door saw it/, 'the rest of the text reads');
      assert.match(text, /\[removed\] will inspect it on Wednesday/);
    });

    test('finding 3: Open311 answers redact every field: status_notes, service_notice, description, media_url, address_id, notes', async () => {
      for (const id of [staffCase, open311Case]) {
        for (const format of ['json', 'xml']) {
          for (const url of [`/open311/v2/requests/${id}.${format}`, `/open311/v2/requests/${id}.${format}?extensions=true`, `/open311/v2/requests.${format}?extensions=true`]) {
            const response = await api.app.inject({ url });
            assert.equal(response.statusCode, 200, response.body);
            assertClean(response.body, url);
          }
        }
      }
      const [mine] = JSON.parse((await api.app.inject({ url: `/open311/v2/requests/${staffCase}.json` })).body);
      assert.match(mine.service_notice, /^\[removed\] will inspect it on Wednesday; \[removed\] approves the patch\. Questions: \[removed\]\.$/);
      assert.equal(mine.media_url, null, 'a media_url carrying personal details is not shown');
      const [theirs] = JSON.parse((await api.app.inject({ url: `/open311/v2/requests/${open311Case}.json` })).body);
      assert.equal(theirs.address_id, '[removed] [removed]');
      assert.equal(theirs.media_url, null, 'a percent-encoded e-mail address in media_url is caught');
      assertClean(submitNotice, 'the POST answer\u2019s service_notice');
    });
  });
}
