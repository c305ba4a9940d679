import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureCase, type ReplayCase } from '../../src/standard/what-if.js';

const hour = 3_600_000;
const imported = (over: Partial<ReplayCase> = {}): ReplayCase => ({
  receivedAt: 0,
  acknowledgeBy: 2 * hour,
  resolveBy: 48 * hour,
  acknowledgedAt: null,
  resolvedAt: 10 * hour,
  firstContactResolution: false,
  revisedResolveBy: null,
  revisedAt: null,
  choice: null,
  ...over,
});

test('replay (CSS §8, INTERPRETATION §7): imported history whose source recorded no acknowledgment is "not recorded" under the proposal too, never missed', () => {
  const asOf = 1_000 * hour;
  const noRecord = measureCase(imported({ acknowledgmentRecorded: false }), 1 * hour, 5 * hour, asOf);
  assert.equal(noRecord.acknowledgment, 'not_recorded');
  // The resolution is still measured: resolved at 10 h against a proposed 5 h target.
  assert.equal(noRecord.resolution, 'missed');
  // A case of citydesk's own with no acknowledgment by then is missed.
  assert.equal(measureCase(imported(), 1 * hour, 5 * hour, asOf).acknowledgment, 'missed');
});
