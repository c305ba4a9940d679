import { Command, Option } from 'commander';
import closeWithGrace from 'close-with-grace';
import { DateTime } from 'luxon';
import { readSettings, type Settings } from './platform/config.js';
import { systemClock } from './platform/clock.js';
import { AppError, isAppError } from './platform/errors.js';
import { createLogger } from './platform/logger.js';
import { openPreparedDatabase } from './db/prepare.js';
import { migrate } from './db/migrate.js';
import { openDatabase, type Db } from './db/connect.js';
import { loadMunicipalityConfig } from './directory/municipality-config.js';
import { seedMunicipality } from './directory/seed-municipality.js';
import { buildCalendar, loadMunicipality } from './directory/municipality.js';
import { findServiceTargets } from './directory/find-service-targets.js';
import { createApiKey } from './open311/api-keys.js';
import { checkAttributeValues } from './standard/attributes.js';
import { dueTimes } from './standard/due-times.js';
import { chooseTargets, formatTarget } from './standard/targets.js';
import { buildApp } from './server.js';
import { formatDateTime } from './web/format.js';
import { smtpTransport, startOutboxDelivery } from './notify/deliver-outbox.js';
import { createStaffUser } from './directory/staff.js';
import { sweepGovernance } from './governance/governance-sweep.js';
import { sweep } from './escalation/sweep.js';
import { startSweeper } from './escalation/sweeper.js';
import { MailboxReader } from './mail/mailbox-reader.js';
import { kpiCommand } from './performance/kpi-command.js';
import { reportCommand } from './reports/report-command.js';
import { sweepSurveys } from './feedback/sweep-surveys.js';
import { importCommand } from './history/import-command.js';
import { demoCommand } from './history/demo-command.js';

/** The `citydesk` command. Every action reads its settings once and reports errors in one line. */

const program = new Command('citydesk')
  .description('citydesk: service requests and customer service to the Corporate Customer Service Standard')
  .showHelpAfterError('(run citydesk --help for usage)')
  .configureOutput({ outputError: (text, write) => write(text) });

function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      if (isAppError(error)) {
        process.stderr.write(`citydesk: ${error.message}\n`);
      } else {
        process.stderr.write(`citydesk: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      }
      process.exitCode = 1;
    }
  };
}

/** Opens the configured database, migrated and seeded, for a command; closes it after. */
async function withDatabase<T>(settings: Settings, purpose: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openPreparedDatabase({ settings, clock: systemClock, purpose });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/**
 * For commands that only read: when the running server holds the embedded database, answer from
 * the configuration files instead (loaded into a throw-away in-memory database) and say so.
 */
async function withReadDatabase<T>(settings: Settings, purpose: string, fn: (db: Db) => Promise<T>): Promise<T> {
  try {
    return await withDatabase(settings, purpose, fn);
  } catch (error) {
    if (!(isAppError(error) && error.code === 'EMBEDDED_DATABASE_BUSY')) throw error;
    process.stderr.write(
      `citydesk: note: ${error.message.split('. ')[0]}. Answering from ${settings.configDir} and the default closure calendar; closure days changed by administrators are not included.\n`,
    );
    const db = await openPreparedDatabase({ settings, clock: systemClock, purpose, dataDir: 'memory://' });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }
}

function parseInstant(text: string, zone: string, option: string): Date {
  const parsed = DateTime.fromISO(text.trim(), { zone });
  if (!parsed.isValid) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${option} "${text}" is not an ISO-8601 date and time. Write e.g. 2026-11-26T10:00 (the City's local time) or 2026-11-26T10:00:00-05:00.`,
    );
  }
  if (parsed.year < 1970 || parsed.year > 2100) {
    throw new AppError('VALIDATION_FAILED', `${option} "${text}" is outside the years citydesk keeps a calendar for (1970 to 2100).`);
  }
  return parsed.toJSDate();
}

program
  .command('start')
  .description('run the citydesk server (PORT, HOST; DATABASE_URL or the embedded database in CITYDESK_DATA_DIR)')
  .action(
    action(async () => {
      const settings = readSettings();
      const logger = createLogger(settings.logLevel);
      const db = await openPreparedDatabase({ settings, clock: systemClock, purpose: `citydesk start (port ${settings.port})`, logger });
      const surveyLinks = { publicUrl: settings.publicUrl, secret: settings.surveyLinkSecret };
      const municipality = await loadMunicipality(db.kysely);
      const mailbox = settings.imap ? new MailboxReader({ db, clock: systemClock, settings: settings.imap, logger, ownAddress: municipality.settings.contact.email }) : undefined;
      const app = await buildApp({ db, clock: systemClock, logger, trustProxy: settings.trustProxy, mailbox, surveyLinks, chromiumPath: settings.chromiumPath });
      const from = `${municipality.name} <${municipality.settings.contact.email}>`;
      const transport = settings.smtpUrl ? smtpTransport(settings.smtpUrl, from) : undefined;
      const delivery = transport ? startOutboxDelivery({ db, clock: systemClock, transport, from, logger }) : undefined;
      if (!transport) logger.info('SMTP_URL is not set: messages to customers stay in the outbox and the case history');
      const sweeper = startSweeper({ db, clock: systemClock, logger, surveyLinks });
      if (mailbox) {
        mailbox.start();
        logger.info({ mailbox: settings.imap!.display }, 'reading the mailbox for e-mail contacts');
      } else logger.info('IMAP_URL is not set: no mailbox is read; e-mail contacts are entered by hand');
      app.addHook('onClose', async () => {
        await sweeper.stop();
        await mailbox?.stop();
        await delivery?.stop();
        transport?.close();
        await db.close();
      });
      closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
        if (err) logger.error({ err }, 'stopping after an unexpected error');
        else logger.info({ signal }, 'stopping: finishing requests in flight');
        await app.close();
      });
      try {
        await app.listen({ port: settings.port, host: settings.host });
      } catch (error) {
        await app.close();
        const e = error as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') throw new AppError('CONFIG_INVALID', `Port ${settings.port} is already in use. Stop what uses it, or set PORT to another port.`);
        throw error;
      }
      logger.info({ url: `http://${settings.host}:${settings.port}`, database: db.engine === 'pglite' ? settings.dataDir : 'postgres' }, 'citydesk is running');
    }),
  );

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(
    action(async () => {
      const settings = readSettings();
      const db = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir, purpose: 'citydesk migrate' });
      try {
        const applied = await migrate(db);
        process.stdout.write(applied.length > 0 ? `Applied ${applied.join(', ')}.\n` : 'The database is up to date.\n');
      } finally {
        await db.close();
      }
    }),
  );

program
  .command('seed')
  .description('load the municipality from the configuration files (CITYDESK_CONFIG_DIR, default ./config)')
  .option('--check', 'only validate the configuration files; write nothing')
  .action(
    action(async (options: { check?: boolean }) => {
      const settings = readSettings();
      const config = loadMunicipalityConfig(settings.configDir);
      if (options.check) {
        process.stdout.write(`${settings.configDir}: the configuration of ${config.name} is valid (${config.requestTypes.length} request types).\n`);
        return;
      }
      const db = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir, purpose: 'citydesk seed' });
      try {
        await migrate(db);
        const result = await seedMunicipality({ db, config, now: systemClock.now() });
        process.stdout.write(
          `Loaded ${config.name}: ${result.departments} departments, ${result.divisions} divisions, ${result.requestTypes} request types.\n` +
            (result.dstVersionsCreated.length > 0 ? `New DST versions: ${result.dstVersionsCreated.join('; ')}.\n` : 'Division Service Targets unchanged.\n'),
        );
      } finally {
        await db.close();
      }
    }),
  );

const collect = (value: string, previous: string[]): string[] => [...previous, value];

program
  .command('due')
  .description('when a contact received at a given time must be acknowledged and resolved')
  .requiredOption('--received <iso-8601>', 'when the City received it, e.g. 2026-11-26T10:00 (local) or with an offset')
  .addOption(new Option('--inquiry', 'a general inquiry (acknowledgment target only)').conflicts('type'))
  .option('--type <code>', 'a service request of this request type, e.g. pothole')
  .option('--attr <key=value>', 'an attribute of the request, e.g. road_class=3 (repeatable)', collect, [])
  .option('--json', 'print JSON: {"receivedAt", "receiptBusinessDay", "acknowledgeBy", "resolveBy"}')
  .action(
    action(async (options: { received: string; inquiry?: boolean; type?: string; attr: string[]; json?: boolean }) => {
      if (!options.inquiry && !options.type) throw new AppError('VALIDATION_FAILED', 'Say what was received: --inquiry, or --type <code> for a service request.');
      const attributes: Record<string, string> = {};
      for (const pair of options.attr) {
        const at = pair.indexOf('=');
        if (at < 1) throw new AppError('VALIDATION_FAILED', `--attr "${pair}" is not key=value, e.g. --attr road_class=3.`);
        attributes[pair.slice(0, at)] = pair.slice(at + 1);
      }
      if (options.inquiry && options.attr.length > 0) throw new AppError('VALIDATION_FAILED', '--attr applies to service requests (--type), not to inquiries.');
      const settings = readSettings();
      await withReadDatabase(settings, 'citydesk due', async (db) => {
        const municipality = await loadMunicipality(db.kysely);
        const calendar = await buildCalendar(db.kysely, municipality);
        const receivedAt = parseInstant(options.received, calendar.timeZone, '--received').getTime();
        let due;
        let explanation: string;
        if (options.inquiry) {
          const target = municipality.settings.generalInquiry.acknowledge;
          due = dueTimes(calendar, receivedAt, { acknowledge: target });
          explanation = `General inquiry: acknowledge within ${formatTarget(target)} (CSS §3.3).`;
        } else {
          const found = await findServiceTargets(db.kysely, { requestTypeCode: options.type!, receivedAt, calendar });
          const problems = checkAttributeValues(found.requestType.attributes, attributes, { enforceRequired: false });
          if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `--attr: ${problems[0]!.message}.`, problems);
          const chosen = chooseTargets(found.targets, attributes);
          due = dueTimes(calendar, receivedAt, chosen);
          explanation =
            `${found.requestType.name} (${found.division.name}), DST version ${found.dstVersion.version} effective ${found.dstVersion.effectiveFrom}` +
            `${chosen.chosenBy ? `, ${chosen.chosenBy.attribute} ${chosen.chosenBy.value}` : ''}: ` +
            `acknowledge within ${formatTarget(chosen.acknowledge)}, resolve within ${formatTarget(chosen.resolve)}.`;
        }
        const json = {
          receivedAt: calendar.format(due.receivedAt),
          receiptBusinessDay: due.receiptBusinessDay,
          acknowledgeBy: calendar.format(due.acknowledgeBy),
          resolveBy: due.resolveBy === null ? null : calendar.format(due.resolveBy),
        };
        if (options.json) {
          process.stdout.write(`${JSON.stringify(json)}\n`);
          return;
        }
        const human = (ms: number): string => `${formatDateTime(ms, calendar.timeZone)} (${calendar.format(ms)})`;
        process.stdout.write(
          [
            explanation,
            `Received:             ${human(due.receivedAt)}`,
            `Receipt business day: ${DateTime.fromISO(due.receiptBusinessDay).toFormat('cccc d LLLL yyyy')}`,
            `Acknowledge by:       ${human(due.acknowledgeBy)}`,
            `Resolve by:           ${due.resolveBy === null ? 'no resolution target (general inquiry)' : human(due.resolveBy)}`,
          ].join('\n') + '\n',
        );
      });
    }),
  );

program
  .command('closures')
  .description("list a year's closure days (holidays and administrators' changes)")
  .requiredOption('--year <year>', 'the year, e.g. 2026')
  .option('--json', 'print JSON: [{"date", "name"}, …]')
  .action(
    action(async (options: { year: string; json?: boolean }) => {
      if (!/^\d{4}$/.test(options.year) || Number(options.year) < 1900 || Number(options.year) > 2999) {
        throw new AppError('VALIDATION_FAILED', `--year "${options.year}" is not a year; write four digits, e.g. --year 2026.`);
      }
      const settings = readSettings();
      await withReadDatabase(settings, 'citydesk closures', async (db) => {
        const calendar = await buildCalendar(db.kysely);
        const days = calendar.closureDays(Number(options.year));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(days.map((d) => ({ date: d.date, name: d.name })))}\n`);
          return;
        }
        process.stdout.write(`Closure days in ${options.year}:\n`);
        for (const d of days) process.stdout.write(`  ${d.date}  ${DateTime.fromISO(d.date).toFormat('ccc d LLL')}  ${d.name}\n`);
      });
    }),
  );

const apikey = program.command('apikey').description('credentials for the Open311 API');
apikey
  .command('create <name>')
  .description('create an API key for a client; the key is shown once and stored hashed')
  .option('--json', 'print JSON: {"key": …}')
  .action(
    action(async (name: string, options: { json?: boolean }) => {
      const settings = readSettings();
      await withDatabase(settings, 'citydesk apikey create', async (db) => {
        const created = await createApiKey({ tx: db.kysely, name, now: systemClock.now() });
        if (options.json) process.stdout.write(`${JSON.stringify({ key: created.key })}\n`);
        else process.stdout.write(`API key for "${created.name}":\n\n  ${created.key}\n\nStore it now: citydesk keeps only a hash and cannot show it again.\n`);
      });
    }),
  );

program
  .command('sweep')
  .description('record missed deadlines, escalate what is due, send survey invitations and training reminders, schedule reviews (the server does this every minute)')
  .option('--now <iso-8601>', 'sweep as if it were this time (local time without an offset)')
  .option('--json', 'print what the sweep did as JSON')
  .action(
    action(async (options: { now?: string; json?: boolean }) => {
      const settings = readSettings();
      await withDatabase(settings, 'citydesk sweep', async (db) => {
        const municipality = await loadMunicipality(db.kysely);
        const now = options.now ? parseInstant(options.now, municipality.settings.calendar.timeZone, '--now') : systemClock.now();
        const result = await sweep({ db, now });
        const surveys = await sweepSurveys({ db, now, links: { publicUrl: settings.publicUrl, secret: settings.surveyLinkSecret } });
        const governance = await sweepGovernance({ db, now });
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ now: now.toISOString(), ...result, surveys, governance })}\n`);
          return;
        }
        if (result.skipped) {
          process.stdout.write('Another sweep is running; this one did nothing.\n');
          return;
        }
        process.stdout.write(
          `Checked ${result.checked} case${result.checked === 1 ? '' : 's'}: ${result.breaches.length} breach${result.breaches.length === 1 ? '' : 'es'} recorded, ` +
            `${result.escalations.length} escalation${result.escalations.length === 1 ? '' : 's'}, ${result.reviewListed.length} put on the review list.\n`,
        );
        for (const e of result.escalations) process.stdout.write(`  ${e.reference} escalated to level ${e.level} (${e.role}): ${e.reason}\n`);
        for (const r of result.reviewListed) process.stdout.write(`  ${r.reference} on the Manager of Customer Service's review list\n`);
        if (!surveys.skipped) {
          const calls = surveys.invited.filter((i) => i.channel === 'phone').length;
          process.stdout.write(`Surveys: ${surveys.invited.length - calls} invitation${surveys.invited.length - calls === 1 ? '' : 's'} e-mailed, ${calls} put on the follow-up call list, ${surveys.notInvited.length} not invited.\n`);
        }
        if (!governance.skipped) {
          process.stdout.write(`Training: ${governance.reminders.length} reminder${governance.reminders.length === 1 ? '' : 's'} and ${governance.overdue.length} overdue notice${governance.overdue.length === 1 ? '' : 's'} sent.\n`);
          for (const r of governance.reviewsScheduled) process.stdout.write(`  Review scheduled: ${r}\n`);
        }
      });
    }),
  );

program
  .command('kpi')
  .description('performance indicators (CSS §6.2): compliance, completion time, escalations, for every division')
  .option('--from <date>', 'first day of the period, YYYY-MM-DD (default: eleven months before --to, from the 1st)')
  .option('--to <date>', 'last day of the period, YYYY-MM-DD (default: today)')
  .addOption(new Option('--by <grouping>', 'group the figures').choices(['division', 'type', 'channel', 'month']))
  .addOption(new Option('--period <rule>', 'count cases received in the period, or closed in it').choices(['received', 'closed']).default('received'))
  .option('--division <code>', 'only this division')
  .option('--type <code>', 'only this request type (inquiry: general inquiries)')
  .option('--channel <code>', 'only this channel')
  .option('--as-of <iso-8601>', 'figures as they stood at this time (local time without an offset; default now)')
  .option('--min-group <n>', 'fewer cases than this: counts, no percentage (default: minimumGroupSize of config/performance.yaml, else 10)')
  .option('--json', 'print the figures as JSON')
  .option('--csv', 'print the figures as CSV (with a byte-order mark, for spreadsheets)')
  .action(
    action(async (options: Parameters<typeof kpiCommand>[1]) => {
      await withReadDatabase(readSettings(), 'citydesk kpi', (db) => kpiCommand(db, options, (text) => process.stdout.write(text)));
    }),
  );

program
  .command('report <kind>')
  .description('generate and keep a report of CSS §6.3 (biannual, annual or feedback) and write it as HTML, PDF or CSV')
  .requiredOption('--period <period>', 'the period: 2026-H1 or 2026-H2 (biannual), 2026 (annual), 2026-Q3 or 2026-03-01..2026-04-15 (feedback)')
  .addOption(new Option('--format <format>', 'what to write').choices(['pdf', 'csv', 'html']).default('html'))
  .option('--out <file>', 'write to this file (default: standard output)')
  .option('--json', 'end with a one-line JSON summary on standard error')
  .action(
    action(async (kind: string, options: Parameters<typeof reportCommand>[3]) => {
      const settings = readSettings();
      await withDatabase(settings, 'citydesk report', (db) =>
        reportCommand(db, systemClock, kind, options, { write: (data) => process.stdout.write(data), progress: (text) => process.stderr.write(text), stdoutIsTerminal: process.stdout.isTTY === true }, settings.chromiumPath),
      );
    }),
  );

importCommand(program, { action, withDatabase });
demoCommand(program, { action, withDatabase });

const user = program.command('user').description('staff accounts');
user
  .command('create')
  .description('create a staff account; the password is read from CITYDESK_PASSWORD or standard input')
  .requiredOption('--email <email>', 'their e-mail address (they sign in with it)')
  .requiredOption('--name <name>', 'their name as customers and colleagues see it')
  .requiredOption('--role <role>', 'customer_service, division_staff, division_head, department_head, manager_customer_service, cao, working_group or administrator')
  .option('--division <code>', 'their division (division roles)')
  .option('--department <code>', 'the department they head (department_head)')
  .option('--json', 'print JSON: {"id"}')
  .action(
    action(async (options: { email: string; name: string; role: string; division?: string; department?: string; json?: boolean }) => {
      const password = process.env['CITYDESK_PASSWORD'] ?? (process.stdin.isTTY ? '' : (await readStdin()).trim());
      if (!password) throw new AppError('VALIDATION_FAILED', 'Give the password in CITYDESK_PASSWORD or on standard input (echo "…" | citydesk user create …).');
      const settings = readSettings();
      await withDatabase(settings, 'citydesk user create', async (db) => {
        const created = await createStaffUser({ tx: db.kysely, staff: { ...options, password }, now: systemClock.now() });
        process.stdout.write(options.json ? `${JSON.stringify({ id: created.id })}\n` : `Created the account of ${options.name} (${options.email}), ${options.role}.\n`);
      });
    }),
  );

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

await program.parseAsync(process.argv);
