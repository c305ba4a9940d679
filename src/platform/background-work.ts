import type { FastifyInstance } from 'fastify';

/**
 * Work a request starts but does not wait for: its answer goes out at once, the same for
 * everyone, and the work's own time (or its absence) cannot be read from the answer's timing.
 * Failures are logged; closing the server waits for work in flight.
 */
export type RunInBackground = (label: string, work: () => Promise<unknown>) => void;

/** Work in flight in this process, whichever server started it. */
const inFlight = new Set<Promise<unknown>>();

/** Resolves when the work requests have started so far in this process has ended (closing a server, and tests, wait for it). */
export async function backgroundSettled(): Promise<void> {
  await Promise.allSettled([...inFlight]);
}

export function backgroundWork(app: FastifyInstance): RunInBackground {
  app.addHook('onClose', backgroundSettled);
  return (label, work) => {
    const running: Promise<unknown> = new Promise((started) => setImmediate(started))
      .then(work)
      .catch((error: unknown) => app.log.error({ err: error }, `${label} failed`))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };
}
