import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../db/connect.js';
import type { Directory } from '../directory/directory-cache.js';
import type { Open311Discovery } from './open311-format.js';
import { listOpen311Services, open311ServiceDefinition } from './list-open311-services.js';

/**
 * Service discovery (GeoReport v2): where the endpoint is, what it speaks, whom to ask for a key;
 * the spec's fields and no others.
 */
export const specification = 'http://wiki.open311.org/GeoReport_v2';
/** When this endpoint's own behaviour last changed (what it answers and how). */
export const behaviourChangeset = '2026-12-01T00:00:00Z';

/**
 * The changeset: the later of the endpoint's behaviour and the moment the services and their
 * definitions took their present form. That moment is kept in the database with a hash of what the
 * services answer, so every server copy gives the same changeset and it moves
 * when a service or a definition changes, and only then.
 */
const changesets = new WeakMap<Directory, Promise<number>>();

async function servicesChangedAt(tx: Tx, directory: Directory, now: Date): Promise<number> {
  const services = await listOpen311Services(tx, directory);
  const definitions = services.map((s) => open311ServiceDefinition(directory, s.service_code));
  const fingerprint = createHash('sha256').update(JSON.stringify([services, definitions])).digest('hex');
  const { rows } = await sql<{ fingerprint: string; first_seen: Date | string }>`select fingerprint, first_seen from open311_changeset order by first_seen desc limit 1`.execute(tx);
  if (rows[0]?.fingerprint === fingerprint) return new Date(rows[0].first_seen).getTime();
  // A new form, or a return to an earlier one: either is a change, now.
  const { rows: saved } = await sql<{ first_seen: Date | string }>`
    insert into open311_changeset (fingerprint, first_seen) values (${fingerprint}, ${now})
    on conflict (fingerprint) do update set first_seen = excluded.first_seen
    returning first_seen`.execute(tx);
  return new Date(saved[0]!.first_seen).getTime();
}

export async function open311Changeset(tx: Tx, directory: Directory, now: Date): Promise<string> {
  let pending = changesets.get(directory);
  if (!pending) {
    pending = servicesChangedAt(tx, directory, now);
    changesets.set(directory, pending);
    pending.catch(() => changesets.delete(directory));
  }
  const at = Math.max(await pending, Date.parse(behaviourChangeset));
  return directory.calendar.format(Math.floor(at / 1000) * 1000);
}

export async function open311Discovery(tx: Tx, directory: Directory, baseUrl: string, now: Date): Promise<Open311Discovery> {
  const contact = directory.municipality.settings.contact;
  const changeset = await open311Changeset(tx, directory, now);
  return {
    changeset,
    contact: `${directory.municipality.name}: ${contact.email}, ${contact.phone}`,
    key_service: `Ask ${directory.municipality.name} for an api_key: ${contact.email}, ${contact.phone}.`,
    endpoints: [{ specification, url: `${baseUrl}/open311/v2`, changeset, type: 'production', formats: ['text/xml', 'application/json'] }],
  };
}
