import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testEngines } from '../helpers/db.js';
import { listMigrations, migrate } from '../../src/db/migrate.js';

for (const engine of testEngines()) {
  describe(`database on ${engine.name}`, () => {
    test('numbered migrations apply once, in order, and a second run applies nothing', async (t) => {
      const db = await engine.open({ migrate: false });
      t.after(() => db.close());
      const first = await migrate(db);
      assert.deepEqual(first, listMigrations().map((m) => m.name));
      assert.deepEqual(await migrate(db), []);
      const rows = await db.kysely.selectFrom('schema_migration').select(['version', 'name']).orderBy('version').execute();
      assert.deepEqual(rows.map((r) => r.name), first);
    });

    test('two overlapping transactions do not interfere: no write is lost and a rollback leaves nothing', async (t) => {
      const db = await engine.open({ migrate: false });
      t.after(() => db.close());
      await sql`create table counter (id int primary key, n int not null)`.execute(db.kysely);
      await sql`insert into counter values (1, 0)`.execute(db.kysely);
      const log: string[] = [];
      // Each transaction reads n, waits (letting the other run if it can), then writes n + 1.
      // Serialized (PGlite) or row-locked (PostgreSQL with FOR UPDATE), no increment is lost.
      const increment = (label: string) =>
        db.kysely.transaction().execute(async (trx) => {
          log.push(`${label} begin`);
          const row = await sql<{ n: number }>`select n from counter where id = 1 for update`.execute(trx);
          await new Promise((resolve) => setTimeout(resolve, 30));
          await sql`update counter set n = ${row.rows[0]!.n + 1} where id = 1`.execute(trx);
          log.push(`${label} commit`);
        });
      const failing = db.kysely.transaction().execute(async (trx) => {
        await sql`insert into counter values (2, 100)`.execute(trx);
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error('roll back');
      });
      await Promise.all([increment('a'), increment('b'), failing.catch(() => 'rolled back')]);
      const rows = await sql<{ id: number; n: number }>`select id, n from counter order by id`.execute(db.kysely);
      assert.deepEqual(rows.rows, [{ id: 1, n: 2 }], 'both increments kept, the rolled-back insert gone');
      if (engine.name === 'pglite') {
        assert.deepEqual(log, ['a begin', 'a commit', 'b begin', 'b commit'], 'PGlite runs whole transactions one after the other');
      }
    });

    test('a query outside a transaction never sees uncommitted writes', async (t) => {
      const db = await engine.open({ migrate: false });
      t.after(() => db.close());
      await sql`create table note (body text not null)`.execute(db.kysely);
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let inserted!: () => void;
      const wroteDraft = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      const writer = db.kysely.transaction().execute(async (trx) => {
        await sql`insert into note values ('draft')`.execute(trx);
        inserted();
        await held;
        throw new Error('abandon the draft');
      });
      await wroteDraft;
      const reading = sql<{ count: number }>`select count(*)::int as count from note`.execute(db.kysely);
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      await writer.catch(() => undefined);
      const { rows } = await reading;
      assert.equal(rows[0]!.count, 0);
    });
  });
}
