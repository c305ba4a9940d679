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
    .option('--year <year>', 'the year to simulate (default: this year, up to now)')
    .option('--seed <n>', 'the random seed: the same seed and end give the same year', '2019')
    .option('--cases <n>', 'cases in a whole year (default 8500; a part of a year gets its share)', '8500')
    .option('--until <iso-8601>', 'stop the simulation at this time instead (local time without an offset)')
    .option('--force', 'run even though the database already holds cases of its own')
    .option('--json', 'print the summary as JSON')
    .action(
      tools.action(async (options: { year?: string; seed: string; cases: string; until?: string; force?: boolean; json?: boolean }) => {
        const settings = readSettings();
        const now = systemClock.now();
        const config = loadMunicipalityConfig(settings.configDir);
        const zone = config.calendar.timeZone;
        const year = options.year === undefined ? DateTime.fromJSDate(now, { zone }).year : Number(options.year);
        if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new AppError('VALIDATION_FAILED', `--year "${options.year}" is not a year; write e.g. --year 2026.`);
        const seed = Number(options.seed);
        if (!Number.isInteger(seed) || seed < 0) throw new AppError('VALIDATION_FAILED', `--seed "${options.seed}" must be a whole number, e.g. --seed 7.`);
        const cases = Number(options.cases);
        if (!Number.isInteger(cases) || cases < 1 || cases > 200_000) throw new AppError('VALIDATION_FAILED', `--cases "${options.cases}" must be a whole number from 1 to 200000.`);
        let until = now;
        if (options.until) {
          const parsed = DateTime.fromISO(options.until, { zone });
          if (!parsed.isValid) throw new AppError('VALIDATION_FAILED', `--until "${options.until}" is not a date and time; write e.g. 2026-06-30T12:00.`);
          until = parsed.toJSDate();
        }
        if (until.getTime() > now.getTime()) until = now;
        const password = config.staff.demoPassword;
        const controller = new AbortController();
        const onSignal = () => {
          controller.abort();
          process.stderr.write('\nStopping the demo year after the current step (a stopped year cannot be continued; the summary says what to do)…\n');
        };
        process.on('SIGINT', onSignal);
        const tty = process.stderr.isTTY && !options.json;
        try {
          const summary = await tools.withDatabase(settings, 'citydesk demo', (db) =>
            runDemoYear({
              db,
              year,
              seed,
              casesPerYear: cases,
              until,
              force: Boolean(options.force),
              password,
              signal: controller.signal,
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
