/**
 * Issue 13: `citydesk demo` on a database holding a demo year stopped part-way (Ctrl-C) says it
 * continues that year and does; options of another year get an error that says what to do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { seedMunicipality } from '../../src/directory/seed-municipality.js';
import { runDemoYear } from '../../src/history/demo-year.js';
import { citydesk, cliEnv } from '../helpers/cli.js';
import { sampleConfig } from '../helpers/factories.js';

describe('citydesk demo continues a stopped demo year', () => {
  it('says "Continuing the demo year stopped at …" and finishes it; another seed is refused with what to do', { timeout: 900_000 }, async () => {
    // The data folder a user has after a demo stopped with Ctrl-C: nine days of January, stopped after 30 steps.
    const env = cliEnv();
    const db = await openDatabase({ dataDir: env['CITYDESK_DATA_DIR']! });
    let stoppedAt: string;
    try {
      await migrate(db);
      await seedMunicipality({ db, config: sampleConfig(), now: new Date('2025-01-01T12:00:00Z'), hash: async () => 'not-a-password-hash' });
      const controller = new AbortController();
      let steps = 0;
      const stopped = await runDemoYear({
        db,
        year: 2026,
        seed: 3,
        casesPerYear: 120,
        until: new Date('2026-01-09T18:30:00Z'),
        password: 'demo-password-for-tests',
        signal: controller.signal,
        progressEvery: 1,
        onProgress: () => void (++steps === 30 && controller.abort()),
      });
      assert.equal(stopped.stopped, true);
      stoppedAt = stopped.stoppedAt!;
    } finally {
      await db.close();
    }
    const shown = stoppedAt.slice(0, 16).replace('T', ' ');

    const other = await citydesk(['demo', '--seed', '4'], env, 300_000);
    assert.equal(other.code, 1, other.stderr);
    assert.match(other.stderr, new RegExp(`citydesk: This database holds a demo year stopped at ${stoppedAt.slice(0, 16)} \\(--year 2026 --seed 3 --cases 120 --until 2026-01-09T13:30\\); --seed 4 \\(its seed is 3\\) would make another year on top of it\\. To continue it, run citydesk demo without this option`));

    const resumed = await citydesk(['demo', '--seed', '3', '--json'], env, 600_000);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`^Continuing the demo year stopped at ${shown} \\(year 2026, seed 3, 120 cases a year, to 2026-01-09 13:30\\)…$`, 'm'));
    const summary = JSON.parse(resumed.stdout) as { stopped: boolean; continuedFrom: string; until: string; cases: number };
    assert.equal(summary.stopped, false);
    assert.equal(summary.continuedFrom, stoppedAt);
    assert.equal(summary.until, '2026-01-09T13:30:00-05:00');
    assert.ok(summary.cases >= 20, `${summary.cases} cases`);

    // Finished, the year is the database's own cases: a further run is refused as before.
    const again = await citydesk(['demo'], env, 300_000);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already holds cases of its own/);
  });
});
