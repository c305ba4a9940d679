import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const bin = resolve('bin/citydesk.js');

/** The environment a fresh machine has: no database URL, a new data folder unless given. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', CITYDESK_DATA_DIR: mkdtempSync(join(tmpdir(), 'citydesk-data-')) };
  delete env['DATABASE_URL'];
  delete env['NODE_TEST_CONTEXT'];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs `citydesk <args>` as a user would (npx citydesk …) and collects what it printed. */
export function citydesk(args: string[], env: NodeJS.ProcessEnv, timeout = 60_000): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { env, timeout }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Starts `citydesk start` and resolves when it answers /readyz. */
export async function startServer(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess & { output(): string }> {
  let output = '';
  const child = spawn(process.execPath, [bin, 'start'], { env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' } });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`citydesk start exited with ${child.exitCode}: ${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`citydesk start did not become ready: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Object.assign(child, { output: () => output });
}

export function stopped(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    if (child.exitCode !== null) done(child.exitCode);
    else child.once('exit', (code) => done(code));
  });
}
