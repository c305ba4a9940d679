/**
 * The partial index on the time of public updates serves the Open311 updates list and the
 * followers' sweep (issue 19), which ask for every type in updateEventTypes at once. PostgreSQL
 * uses a partial index only when its predicate covers the query's, so the latest migration that
 * builds it must list exactly those types: a new public event added to the list without a new
 * index would quietly turn both queries into scans of every event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateEventTypes } from '../../src/open311/open311-update-status.js';

const dir = join(import.meta.dirname, '../../src/db/migrations');

test('the public-update index lists every public update type, and only those', () => {
  const builds = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .map((text) => /create index case_event_public_update_at on case_event \(at\)\s*where type in \(([^)]*)\)/.exec(text))
    .filter((m): m is RegExpExecArray => m !== null);
  assert.ok(builds.length > 0, 'a migration builds case_event_public_update_at');
  const listed = [...builds.at(-1)![1]!.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(listed, [...updateEventTypes].sort());
});
