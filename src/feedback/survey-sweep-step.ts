import type { Db } from '../db/connect.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { sweepSurveys } from './sweep-surveys.js';
import { defaultSurveyLinks, type SurveyLinks } from './survey-token.js';

/** The survey sweep as one step of the server's timer: logs what it did (counts only), never throws. */
export async function surveySweepStep(options: { db: Db; clock: Clock; logger?: Logger | undefined; links?: SurveyLinks | undefined }): Promise<void> {
  try {
    const result = await sweepSurveys({ db: options.db, now: options.clock.now(), links: options.links ?? defaultSurveyLinks });
    if (result.invited.length + result.notInvited.length > 0) {
      options.logger?.info({ invited: result.invited.length, notInvited: result.notInvited.length }, 'survey sweep');
    }
  } catch (error) {
    options.logger?.error({ err: error }, 'survey sweep failed; the next one will retry');
  }
}
