/**
 * `npm run bench -- <name>`: citydesk's speed and memory targets. Each benchmark prints its
 * figures and whether it met its target; record them in bench/README.md with the machine.
 */
import { cpus, totalmem } from 'node:os';
import { benchCalendar } from './calendar.bench.js';
import { benchIntake } from './intake.bench.js';
import { benchOpen311 } from './open311.js';
import { benchSweep } from './sweep.bench.js';

const benchmarks: Record<string, () => Promise<boolean>> = {
  calendar: benchCalendar,
  console: async () => (await import('./console.js')).benchConsole(),
  import: async () => (await import('./import.bench.js')).benchImport(),
  intake: benchIntake,
  kpi: async () => (await import('./kpi.bench.js')).benchKpi(),
  open311: benchOpen311,
  replay: async () => (await import('./replay.bench.js')).benchReplay(),
  report: async () => (await import('./report.bench.js')).benchReport(),
  sweep: benchSweep,
};

const names = process.argv.slice(2);
const chosen = names.length > 0 ? names : Object.keys(benchmarks);
const unknown = chosen.filter((n) => !(n in benchmarks));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}. Benchmarks: ${Object.keys(benchmarks).join(', ')}.`);
  process.exit(2);
}
console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
let allMet = true;
for (const name of chosen) {
  console.log(`\n== ${name}`);
  allMet = (await benchmarks[name]!()) && allMet;
}
process.exitCode = allMet ? 0 : 1;
