import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { loadMunicipalityConfig } from '../../src/directory/municipality-config.js';
import { seedMunicipality } from '../../src/directory/seed-municipality.js';
import { sendAtRiskDigests } from '../../src/performance/at-risk.js';
import { AppError } from '../../src/platform/errors.js';
import { configCopy } from '../helpers/config-dir.js';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { consoleAs } from '../helpers/console.js';

/**
 * The at-risk share and the minimum group size are the City's to choose (INTERPRETATION §7,
 * config/performance.yaml): a broken file says what to fix, and the queue, the digest, the KPIs
 * and the pages all use what the City set.
 */

function loadError(edit: (text: string) => string): string {
  const dir = configCopy({ 'performance.yaml': edit });
  try {
    loadMunicipalityConfig(dir);
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error.message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.fail('the broken performance.yaml was accepted');
}

describe('config/performance.yaml', () => {
  test('shipped: 75% and 10, the defaults; without the file the same', () => {
    const dir = configCopy();
    try {
      assert.deepEqual(loadMunicipalityConfig(dir).performance, { atRiskShare: 0.75, minimumGroupSize: 10 });
      rmSync(`${dir}/performance.yaml`);
      assert.deepEqual(loadMunicipalityConfig(dir).performance, { atRiskShare: 0.75, minimumGroupSize: 10 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a share that is not a percentage from 1% to 99%, a group size of 0, a misspelt setting: each error names the file, line and fix', () => {
    assert.match(loadError((t) => t.replace('atRiskShare: 75%', 'atRiskShare: 150%')), /performance\.yaml:\d+: atRiskShare.*write a percentage from 1% to 99%, e\.g\. "75%"/);
    assert.match(loadError((t) => t.replace('atRiskShare: 75%', 'atRiskShare: three quarters')), /atRiskShare.*"three quarters" is not a share/);
    assert.match(loadError((t) => t.replace('minimumGroupSize: 10', 'minimumGroupSize: 0')), /performance\.yaml:\d+: minimumGroupSize/);
    assert.match(loadError((t) => t.replace('minimumGroupSize: 10', 'minimumGroupsize: 10')), /minimumGroupsize.*did you mean minimumGroupSize/);
  });
});

for (const engine of testEngines()) {
  describe(`a City that sets 50% and 2 in performance.yaml, on ${engine.name}`, () => {
    let api: TestApi;
    let roads: Client;
    let first: string;
    let second: string;
    before(async () => {
      api = await startApi(engine, '2026-11-23T15:00:00Z');
      const dir = configCopy({ 'performance.yaml': (t) => t.replace('atRiskShare: 75%', 'atRiskShare: 50%').replace('minimumGroupSize: 10', 'minimumGroupSize: 2') });
      try {
        await seedMunicipality({ db: api.db, config: loadMunicipalityConfig(dir), now: new Date('2026-11-23T15:00:00Z') });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const cs = await api.as(demo.csRep);
      roads = await api.as(demo.roadsStaff);
      // Received Monday 10:00 (Lindsay, UTC-5); acknowledgment due Wednesday 16:30: 54.5 hours. Half is Tuesday 13:15 (18:15Z).
      first = (await cs.post('/api/v1/cases', potholeByPhone())).body.case.reference;
      second = (await cs.post('/api/v1/cases', potholeByPhone({ summary: 'Second pothole on Kent St. W.' }))).body.case.reference;
    });
    after(() => api.close());

    const queue = async () => ((await roads.get('/api/v1/queues/at-risk')).body.items as { reference: string }[]).map((c) => c.reference).sort();

    test('at 49% of the time: not at risk; at 50%: in the queue, and the digest says 50%', async () => {
      api.clock.set('2026-11-24T18:00:00Z');
      assert.deepEqual(await queue(), []);
      assert.equal((await sendAtRiskDigests({ db: api.db, now: new Date('2026-11-24T18:00:00Z') })).warned, 0);
      api.clock.set('2026-11-24T18:20:00Z');
      assert.deepEqual(await queue(), [first, second].sort(), 'at 75% (the default) they would not be at risk until Wednesday');
      const r = await sendAtRiskDigests({ db: api.db, now: new Date('2026-11-24T18:20:00Z') });
      assert.equal(r.warned, 2);
      const mail = await api.db.kysely.selectFrom('outbox').select('body').where('subject', 'like', '%at risk of missing a target').execute();
      assert.ok(mail.length > 0);
      for (const m of mail) assert.match(m.body!, /have used 50% of the time to their next target/);
    });

    test('the queue page says 50%', async () => {
      const page = await (await consoleAs(api, demo.roadsStaff)).get('/staff/queues/at-risk');
      assert.equal(page.status, 200);
      assert.match(page.body, /Open cases that have used 50% of the time to their next target/);
    });

    test('two cases acknowledged on time give a percentage, not "too few" (the minimum is 2)', async () => {
      for (const reference of [first, second]) {
        const acked = await roads.post(`/api/v1/cases/${reference}/acknowledge`, { nextSteps: 'A crew will patch it.', contact: 'Roads Operations, 705-324-9411' });
        assert.equal(acked.status, 200, JSON.stringify(acked.body));
      }
      const kpis = await roads.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30');
      assert.equal(kpis.status, 200, JSON.stringify(kpis.body));
      assert.equal(kpis.body.total.minimumGroupSize, 2);
      assert.equal(kpis.body.total.acknowledgment.serviceRequest.state, 'value');
      assert.equal(kpis.body.total.acknowledgment.serviceRequest.value, 1);
      // The query may still ask for another minimum.
      const asked = await roads.get('/api/v1/kpis?from=2026-11-01&to=2026-11-30&minimumGroupSize=10');
      assert.equal(asked.body.total.acknowledgment.serviceRequest.state, 'too_few');
    });
  });
}
