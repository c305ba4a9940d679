import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../platform/errors.js';

/**
 * The embedded database is one folder that only one process may open. A lock file holding the
 * owner's process id keeps a second process (a second server, or a CLI command while the server
 * runs) out with a clear message; a lock left by a process that no longer runs is taken over.
 */
export function lockEmbeddedDatabase(dataDir: string, purpose: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'citydesk.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        try {
          if (readOwner(path)?.pid === process.pid) unlinkSync(path);
        } catch {
          // Already gone.
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      if (owner && owner.pid !== process.pid && isRunning(owner.pid)) {
        throw new AppError(
          'EMBEDDED_DATABASE_BUSY',
          `The embedded database in ${dataDir} is in use by process ${owner.pid} (${owner.purpose ?? 'citydesk'}). ` +
            'Stop it first, or run citydesk on PostgreSQL (DATABASE_URL) to use commands while the server runs.',
        );
      }
      // A stale lock: its process is gone. Take it over.
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it first; try again.
      }
    }
  }
  throw new AppError('EMBEDDED_DATABASE_BUSY', `Could not lock the embedded database in ${dataDir}; another citydesk is starting. Try again.`);
}

function readOwner(path: string): { pid: number; purpose?: string } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; purpose?: unknown };
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, purpose: typeof parsed.purpose === 'string' ? parsed.purpose : undefined } : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
