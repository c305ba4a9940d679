import type { Db } from '../db/connect.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { sweep } from './sweep.js';
import { sweepGovernance } from '../governance/governance-sweep.js';
import { surveySweepStep } from '../feedback/survey-sweep-step.js';
import type { SurveyLinks } from '../feedback/survey-token.js';
import { sendAtRiskDigests } from '../performance/at-risk.js';
import { DirectoryCache } from '../directory/directory-cache.js';
import { sweepFollowers } from '../notify/sweep-followers.js';
import { discardUnsentPhotos } from '../cases/case-photos.js';

/** Runs the sweep every minute inside the server; runs never overlap, errors are logged. */
export function startSweeper(options: { db: Db; clock: Clock; logger?: Logger | undefined; intervalMs?: number; surveyLinks?: SurveyLinks }): { stop(): Promise<void> } {
  const { db, clock, logger } = options;
  const directory = new DirectoryCache(db, clock);
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = (): void => {
    if (running || stopped) return;
    running = sweep({ db, now: clock.now() })
      .then((result) => {
        if (result.breaches.length + result.escalations.length + result.reviewListed.length > 0) {
          logger?.info({ breaches: result.breaches.length, escalations: result.escalations.length, reviewListed: result.reviewListed.length }, 'escalation sweep');
        }
      })
      .catch((error: unknown) => logger?.error({ err: error }, 'escalation sweep failed; the next one will retry'))
      // Training reminders and overdue notices, review schedules (src/governance/).
      .then(() => sweepGovernance({ db, now: clock.now() }))
      .then((g) => (g.reminders.length + g.overdue.length + g.reviewsScheduled.length > 0 ? logger?.info({ reminders: g.reminders.length, overdue: g.overdue.length, reviews: g.reviewsScheduled.length }, 'governance sweep') : undefined))
      .catch((error: unknown) => logger?.error({ err: error }, 'governance sweep failed; the next one will retry'))
      // One digest per person for cases newly at risk (src/performance/at-risk.ts).
      .then(() => sendAtRiskDigests({ db, now: clock.now() }))
      .then((r) => (r.warned > 0 ? logger?.info({ warned: r.warned, digests: r.digests.length }, 'at-risk digests') : undefined))
      .catch((error: unknown) => logger?.error({ err: error }, 'at-risk digests failed; the next sweep will retry'))
      .then(() => surveySweepStep({ db, clock, logger, links: options.surveyLinks }))
      // Each public update to the people who follow the request (src/notify/sweep-followers.ts).
      .then(async () => sweepFollowers({ db, directory: await directory.get(), now: clock.now(), links: options.surveyLinks }))
      .then((f) => (f.sent > 0 ? logger?.info({ sent: f.sent }, 'follower updates') : undefined))
      .catch((error: unknown) => logger?.error({ err: error }, 'follower updates failed; the next sweep will retry'))
      // Photos of portal forms never sent (src/cases/case-photos.ts).
      .then(() => discardUnsentPhotos(db, clock.now()))
      .then((n) => (n > 0 ? logger?.info({ discarded: n }, 'unsent report photos discarded') : undefined))
      .catch((error: unknown) => logger?.error({ err: error }, 'discarding unsent photos failed; the next sweep will retry'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
