import { loadMunicipalityConfig } from '../src/directory/municipality-config.js';
import { closureSource } from '../src/directory/municipality.js';
import { BusinessCalendar } from '../src/standard/calendar.js';
import type { Target } from '../src/standard/targets.js';

/**
 * Due-time computations per second on one core (target: at least 500,000), over receipt instants
 * spread across 2024–2030 and the four kinds of target in the sample's proportions.
 */
export async function benchCalendar(): Promise<boolean> {
  const config = loadMunicipalityConfig('config');
  const calendar = new BusinessCalendar(config.calendar, closureSource(config.closureRules, []));
  const start = Date.parse('2024-01-01T00:00:00-05:00');
  const span = Date.parse('2030-12-01T00:00:00-05:00') - start;
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const targets: Target[] = [
    { amount: 2, unit: 'business_days' },
    { amount: 3, unit: 'business_days' },
    { amount: 15, unit: 'business_days' },
    { amount: 8, unit: 'business_hours' },
    { amount: 24, unit: 'hours' },
    { amount: 7, unit: 'calendar_days' },
  ];
  const count = 2_000_000;
  const receipts = new Float64Array(count);
  for (let i = 0; i < count; i += 1) receipts[i] = start + Math.floor(random() * span);
  // Warm up (builds the index for every year and lets the JIT settle).
  let checksum = 0;
  for (let i = 0; i < 200_000; i += 1) checksum += calendar.dueAt(receipts[i]!, targets[i % targets.length]!);

  const results: Record<string, number> = {};
  for (const [label, pick] of [
    ['mixed targets', (i: number) => targets[i % targets.length]!],
    ['N business days', (i: number) => targets[i % 3]!],
    ['N business hours', () => targets[3]!],
  ] as const) {
    const began = process.hrtime.bigint();
    for (let i = 0; i < count; i += 1) checksum += calendar.dueAt(receipts[i]!, pick(i));
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    results[label] = count / seconds;
  }
  const receiptBegan = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) checksum += calendar.receiptBusinessDay(receipts[i]!).length;
  results['receipt business day'] = count / (Number(process.hrtime.bigint() - receiptBegan) / 1e9);

  for (const [label, perSecond] of Object.entries(results)) {
    console.log(`${label.padEnd(22)} ${Math.round(perSecond).toLocaleString('en-CA').padStart(12)} per second`);
  }
  const met = results['mixed targets']! >= 500_000;
  console.log(`target: at least 500,000 due-time computations per second (mixed): ${met ? 'met' : 'NOT met'} (checksum ${checksum % 1000})`);
  return met;
}
