import type { Command } from 'commander';
import { Option } from 'commander';
import type { Db } from '../db/connect.js';
import { readSettings, type Settings } from '../platform/config.js';
import { systemClock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { formatNames, resolveFormat } from './history-formats.js';
import { anomalyNames, importHistory, type ImportProgress, type ImportSummary } from './import-history.js';
import { timeRules } from './history-times.js';
import type { Anomaly } from './map-history-row.js';

/** `citydesk import`: the command's options, its progress bar and its summary. */

interface CommandTools {
  action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void>;
  withDatabase<T>(settings: Settings, purpose: string, fn: (db: Db) => Promise<T>): Promise<T>;
}

export function importCommand(program: Command, tools: CommandTools): void {
  program
    .command('import')
    .description("import another system's service-request history (streams; Ctrl-C stops, a rerun continues)")
    .addOption(new Option('--format <format>', 'the export format').choices([...formatNames]).makeOptionMandatory())
    .requiredOption('--file <path>', 'the exported file (CSV, or JSON for Socrata and Open311)')
    .option('--mapping <file.yaml>', 'columns (for --format csv), zone, time rule and the lookup tables: types, agencies, channels')
    .option('--source <code>', "the source's code (default: the format's name); row ids are unique within a source")
    .addOption(new Option('--organization <how>', 'from-data: a division per agency and a request type per source type').choices(['from-data']))
    .option('--times <rule>', `how the source wrote its times: ${timeRules.join(', ')} (default: the format's)`)
    .option('--zone <zone>', "the source's time zone, e.g. America/New_York (default: the format's)")
    .option('--dry-run', 'read, map and check everything; write nothing')
    .option('--batch-size <rows>', 'rows checked and written together (default 2000)')
    .addOption(new Option('--progress <how>', 'progress on standard error: bar (default on a terminal), lines (one line per batch written, for logs) or none').choices(['bar', 'lines', 'none']))
    .option('--json', 'print the summary as JSON')
    .action(
      tools.action(async (options: { format: string; file: string; mapping?: string; source?: string; organization?: string; times?: string; zone?: string; dryRun?: boolean; json?: boolean; batchSize?: string; progress?: string }) => {
        const batchSize = options.batchSize === undefined ? undefined : Number(options.batchSize);
        if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 100_000)) {
          throw new AppError('VALIDATION_FAILED', `--batch-size "${options.batchSize}" must be a whole number from 1 to 100000.`);
        }
        const format = resolveFormat({ format: options.format, mappingFile: options.mapping, source: options.source, times: options.times, zone: options.zone });
        const settings = readSettings();
        const controller = new AbortController();
        const onSignal = () => {
          if (controller.signal.aborted) process.exit(130);
          controller.abort();
          process.stderr.write('\nStopping after the batch being written (Ctrl-C again to stop at once; the batch is then not written)…\n');
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        const how = options.progress ?? (process.stderr.isTTY && !options.json ? 'bar' : 'none');
        const bar = how === 'bar' ? progressBar() : how === 'lines' ? progressLines() : undefined;
        try {
          const summary = await tools.withDatabase(settings, 'citydesk import', (db) =>
            importHistory({
              db,
              now: () => systemClock.now(),
              file: options.file,
              format,
              organizationFromData: options.organization === 'from-data',
              dryRun: Boolean(options.dryRun),
              signal: controller.signal,
              ...(batchSize ? { batchSize } : {}),
              ...(bar ? { onProgress: bar } : {}),
            }),
          );
          if (how === 'bar') process.stderr.write('\n');
          if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
          else process.stdout.write(describeSummary(summary));
          if (summary.stopped) process.exitCode = 130;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
    );
}

function progressLines(): (p: ImportProgress) => void {
  return (p) => process.stderr.write(`progress: ${p.rows} rows, ${p.bytesRead} of ${p.bytesTotal} bytes, ${p.seconds.toFixed(1)} s\n`);
}

function progressBar(): (p: ImportProgress) => void {
  return (p) => {
    const share = p.bytesTotal > 0 ? p.bytesRead / p.bytesTotal : 1;
    const width = 30;
    const filled = Math.round(share * width);
    const rate = p.seconds > 0 ? p.rows / p.seconds : 0;
    const left = share > 0 && share < 1 ? (p.seconds / share) * (1 - share) : 0;
    const time = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(share * 100)}%  ${p.rows.toLocaleString('en-CA')} rows  ${Math.round(rate).toLocaleString('en-CA')}/s  ${time(left)} left   `);
  };
}

export function describeSummary(s: ImportSummary): string {
  const lines: string[] = [];
  const verb = s.dryRun ? 'would be' : 'were';
  lines.push(`${s.file} (${s.format}, source "${s.source}")${s.dryRun ? ': dry run, nothing written' : ''}${s.stopped ? ': STOPPED before the end; run the same command again to continue' : ''}`);
  if (s.resumedFrom > 0) lines.push(`  continued a stopped import after ${s.resumedFrom.toLocaleString('en-CA')} rows`);
  lines.push(`  ${s.rows.toLocaleString('en-CA')} rows read: ${s.imported} ${verb} imported, ${s.updated} updated (changed since the last import), ${s.unchanged} unchanged, ${s.notImported} not imported (unmapped type)`);
  const targets = s.targets;
  lines.push(`  resolution targets: ${targets.source_due_date} from the source's due date, ${targets.city_dst} from the City's DST, ${targets.none} with none`);
  if (s.organization.divisionsCreated + s.organization.typesCreated > 0) {
    lines.push(`  organization from the data: ${s.organization.divisionsCreated} divisions and ${s.organization.typesCreated} request types ${s.dryRun ? 'would be ' : ''}created`);
  }
  const anomalies = Object.entries(s.anomalies) as [Anomaly, number][];
  if (s.fileAnomalies.byteOrderMark) lines.push('  the file starts with a byte-order mark (read and ignored)');
  if (anomalies.length > 0) {
    lines.push('  anomalies flagged (kept as the source wrote them):');
    for (const [name, n] of anomalies.sort((a, b) => b[1] - a[1])) lines.push(`    ${String(n).padStart(8)}  ${anomalyNames[name]} (${name})`);
  }
  for (const kind of ['type', 'agency', 'channel'] as const) {
    const values = Object.entries(s.unmapped[kind]).sort((a, b) => b[1] - a[1]);
    if (values.length === 0) continue;
    lines.push(`  unmapped ${kind} values (add them to the mapping file${kind === 'channel' ? '' : ' or use --organization from-data'}):`);
    for (const [value, n] of values.slice(0, 25)) lines.push(`    ${String(n).padStart(8)}  ${value}`);
    if (values.length > 25) lines.push(`    … and ${values.length - 25} more (--json lists them all)`);
  }
  const hours = s.times.hourOfDay;
  const max = Math.max(1, ...hours);
  lines.push(`  times read as ${s.times.rule} in ${s.times.zone}; receipts by local hour of day:`);
  lines.push(`    ${hours.map((h) => ' ▁▂▃▄▅▆▇█'[Math.round((h / max) * 8)]).join('')}  (00 to 23)`);
  if (s.times.warning) lines.push(`  WARNING: ${s.times.warning}`);
  return `${lines.join('\n')}\n`;
}
