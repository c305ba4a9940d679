import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Result } from 'autocannon';

/**
 * HTTP load from autocannon in a child process, so the load generator does not share the server's
 * event loop: a warm-up, then the measured run. `onMeasuring` is called as the measured run starts
 * (take CPU and row counts then).
 */

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  warmupSeconds: number;
  measureSeconds: number;
}

export type LoadResult = Pick<Result, 'latency' | 'duration' | 'errors' | 'timeouts' | 'non2xx' | '2xx' | 'requests' | 'statusCodeStats'>;

const loadScript = `
const [autocannonUrl, json] = process.argv.slice(1);
const { default: autocannon } = await import(autocannonUrl);
const o = JSON.parse(json);
const common = { url: o.url, method: o.method, headers: o.headers, body: o.body, connections: o.connections, timeout: 10 };
await autocannon({ ...common, duration: o.warmupSeconds });
process.stdout.write('measuring\\n');
const r = await autocannon({ ...common, duration: o.measureSeconds });
const { latency, duration, errors, timeouts, non2xx, requests, statusCodeStats } = r;
process.stdout.write(JSON.stringify({ latency, duration, errors, timeouts, non2xx, '2xx': r['2xx'], requests, statusCodeStats }) + '\\n');
`;

export function loadInChild(options: LoadOptions, onMeasuring: () => void): Promise<LoadResult> {
  const autocannonUrl = pathToFileURL(createRequire(import.meta.url).resolve('autocannon')).href;
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', loadScript, autocannonUrl, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let measuring = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (!measuring && output.startsWith('measuring\n')) {
        measuring = true;
        onMeasuring();
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`the load generator failed (exit ${code}): ${output}`));
      else resolve(JSON.parse(last) as LoadResult);
    });
  });
}
