import type { Command } from 'commander';
import { DateTime } from 'luxon';
import type { Db } from '../db/connect.js';
import { loadMunicipalityConfig } from '../directory/municipality-config.js';
import { readSettings, type Settings } from '../platform/config.js';
import { systemClock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { describeDemoSummary, runDemoYear } from './demo-year.js';

/** `citydesk demo`: the simulated year, its progress bar and its summary. */

interface CommandTools {
  action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void>;
  withDatabase<T>(settings: Settings, purpose: string, fn: (db: Db) => Promise<T>): Promise<T>;
}

export function demoCommand(program: Command, tools: CommandTools): void {
  program
    .command('demo')
    .description("fill the database with a simulated year of the sample City, made through citydesk's own use cases and sweep")
    .option('--year <year>', 'the year to simulate (default: this year, up to now; a stopped year: its own)')
    .option('--seed <n>', 'the random seed: the same seed and end give the same year (default 2019; a stopped year: its own)')
    .option('--cases <n>', 'cases in a whole year (default 8500; a part of a year gets its share)')
    .option('--until <iso-8601>', 'stop the simulation at this time instead (local time without an offset)')
    .option('--force', 'run even though the database already holds cases of its own, or leave a stopped demo year as it is and start another')
    .option('--json', 'print the summary as JSON')
    .action(
      tools.action(async (options: { year?: string; seed?: string; cases?: string; until?: string; force?: boolean; json?: boolean }) => {
        const settings = readSettings();
        const now = systemClock.now();
        const config = loadMunicipalityConfig(settings.configDir);
        const zone = config.calendar.timeZone;
        // Options left out are the defaults, or a stopped demo year's own when it is continued.
        const year = options.year === undefined ? undefined : Number(options.year);
        if (year !== undefined && (!Number.isInteger(year) || year < 2000 || year > 2100)) throw new AppError('VALIDATION_FAILED', `--year "${options.year}" is not a year; write e.g. --year 2026.`);
        const seed = options.seed === undefined ? undefined : Number(options.seed);
        if (seed !== undefined && (!/^\d+$/.test(options.seed!) || !Number.isSafeInteger(seed))) throw new AppError('VALIDATION_FAILED', `--seed "${options.seed}" must be a whole number, e.g. --seed 7.`);
        const cases = options.cases === undefined ? undefined : Number(options.cases);
        if (cases !== undefined && (!Number.isInteger(cases) || cases < 1 || cases > 200_000)) throw new AppError('VALIDATION_FAILED', `--cases "${options.cases}" must be a whole number from 1 to 200000.`);
        let until: Date | undefined;
        if (options.until) {
          const parsed = DateTime.fromISO(options.until, { zone });
          if (!parsed.isValid) throw new AppError('VALIDATION_FAILED', `--until "${options.until}" is not a date and time; write e.g. 2026-06-30T12:00.`);
          until = parsed.toJSDate();
        }
        const password = config.staff.demoPassword;
        const controller = new AbortController();
        const onSignal = () => {
          controller.abort();
          process.stderr.write('\nStopping the demo year after the current step; run citydesk demo again to continue it where it stopped…\n');
        };
        process.on('SIGINT', onSignal);
        const tty = process.stderr.isTTY && !options.json;
        try {
          const summary = await tools.withDatabase(settings, 'citydesk demo', (db) =>
            runDemoYear({
              db,
              ...(year !== undefined ? { year } : {}),
              ...(seed !== undefined ? { seed } : {}),
              ...(cases !== undefined ? { casesPerYear: cases } : {}),
              ...(until !== undefined ? { until } : {}),
              now,
              force: Boolean(options.force),
              password,
              signal: controller.signal,
              onContinue: (run) =>
                process.stderr.write(
                  `Continuing the demo year stopped at ${run.stoppedAt.slice(0, 16).replace('T', ' ')} (year ${run.year}, seed ${run.seed}, ${run.casesPerYear} cases a year, to ${run.until.slice(0, 16).replace('T', ' ')})…\n`,
                ),
              ...(tty
                ? {
                    onProgress: (p: { done: number; total: number; at: string }) => {
                      const share = p.total > 0 ? p.done / p.total : 1;
                      process.stderr.write(`\r[${'#'.repeat(Math.round(share * 30)).padEnd(30, '.')}] ${Math.round(share * 100)}%  simulated time ${p.at.slice(0, 16)}   `);
                    },
                  }
                : {}),
            }),
          );
          if (tty) process.stderr.write('\n');
          if (options.json) {
            process.stdout.write(`${JSON.stringify(summary)}\n`);
            if (summary.stopped) process.exitCode = 130;
            return;
          }
          process.stdout.write(describeDemoSummary(summary));
          if (summary.stopped) process.exitCode = 130;
        } finally {
          process.off('SIGINT', onSignal);
        }
      }),
    );
}
