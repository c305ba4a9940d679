#!/usr/bin/env node
// Runs every test file under test/ with node:test through tsx. Node 20's --test does not expand
// globs, so the files are listed here. Pass paths or name fragments to run a subset:
//   node scripts/test.js calendar
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.test\.tsx?$/.test(path) ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = walk('test')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`No test files match ${filters.join(', ')}`);
  process.exit(1);
}
// The browser tests drive Debian's Chromium (the project never downloads a browser of its own).
// On a machine without it, install it here so that `npm test` alone sets everything up.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The reports' tests print PDFs with it too.
if (files.some((f) => f.startsWith(join('test', 'web')) || f.startsWith(join('test', 'reports'))) && !existsSync(chromium)) {
  console.log(`Chromium is not at ${chromium}; installing Debian's package (apt-get install -y chromium) for the browser tests…`);
  const root = process.getuid?.() === 0;
  const install = (args) => spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['apt-get', ...args], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install(['install', '-y', '--no-install-recommends', 'chromium']).status !== 0) {
    install(['update']);
    install(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (!existsSync(chromium)) {
    console.error(`Chromium could not be installed. Install it yourself (apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium binary, and run the tests again.`);
    process.exit(1);
  }
}

// The mail tests read a real IMAP server: Debian's Dovecot (dovecot-imapd), started by the tests
// themselves. Install it the same way; where that fails, the mail tests skip and say why.
const dovecot = process.env.DOVECOT_PATH ?? '/usr/sbin/dovecot';
if (files.some((f) => f.startsWith(join('test', 'mail'))) && !existsSync(dovecot)) {
  console.log(`Dovecot is not at ${dovecot}; installing Debian's package (apt-get install -y dovecot-imapd) for the mail tests…`);
  const root = process.getuid?.() === 0;
  const install = (args) => spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['apt-get', ...args], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install(['install', '-y', '--no-install-recommends', 'dovecot-imapd']).status !== 0) {
    install(['update']);
    install(['install', '-y', '--no-install-recommends', 'dovecot-imapd']);
  }
  if (!existsSync(dovecot)) console.log('Dovecot could not be installed: the mail tests will be skipped. Install dovecot-imapd yourself (or set DOVECOT_PATH) to run them.');
}

// The reports' tests read the PDFs they print with Debian's poppler-utils (pdftotext, pdftoppm,
// pdfimages). Install it the same way; without it those tests cannot check a PDF and stop here.
const pdftotext = process.env.PDFTOTEXT_PATH ?? '/usr/bin/pdftotext';
if (files.some((f) => f.startsWith(join('test', 'reports'))) && !existsSync(pdftotext)) {
  console.log(`pdftotext is not at ${pdftotext}; installing Debian's package (apt-get install -y poppler-utils) for the report tests…`);
  const root = process.getuid?.() === 0;
  const install = (args) => spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['apt-get', ...args], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install(['install', '-y', '--no-install-recommends', 'poppler-utils']).status !== 0) {
    install(['update']);
    install(['install', '-y', '--no-install-recommends', 'poppler-utils']);
  }
  if (!existsSync(pdftotext)) {
    console.error('poppler-utils could not be installed. Install it yourself (apt-get install -y poppler-utils), or set PDFTOTEXT_PATH, and run the tests again.');
    process.exit(1);
  }
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
