import type { Logger } from '../platform/logger.js';
import type { Settings } from '../platform/config.js';
import type { Clock } from '../platform/clock.js';
import { loadMunicipalityConfig } from '../directory/municipality-config.js';
import { isSeeded } from '../directory/municipality.js';
import { seedMunicipality } from '../directory/seed-municipality.js';
import { openDatabase, type Db } from './connect.js';
import { migrate } from './migrate.js';

/**
 * Opens the database citydesk is configured for, applies pending migrations and, on a database
 * that has no municipality yet (the first start), loads config/.
 */
export async function openPreparedDatabase(options: {
  settings: Pick<Settings, 'databaseUrl' | 'dataDir' | 'configDir'>;
  clock: Clock;
  purpose: string;
  logger?: Logger | undefined;
  dataDir?: string;
}): Promise<Db> {
  const { settings, clock, logger } = options;
  const db = await openDatabase({
    databaseUrl: settings.databaseUrl,
    dataDir: options.dataDir ?? settings.dataDir,
    purpose: options.purpose,
    onConnectionLost: (error) => logger?.warn({ code: (error as { code?: string }).code, reason: error.message }, 'a database connection was lost; requests that needed it answer 503 until the database is back'),
  });
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger?.info({ migrations: applied }, 'database migrated');
    if (!(await isSeeded(db.kysely))) {
      const config = loadMunicipalityConfig(settings.configDir);
      const result = await seedMunicipality({ db, config, now: clock.now() });
      logger?.info({ municipality: config.name, ...result }, 'municipality loaded from config');
    }
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
