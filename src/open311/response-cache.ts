import { sql } from 'kysely';
import type { CaseServices } from '../cases/case-services.js';

/**
 * Answers to anonymous GETs, kept for a moment. Everything GeoReport v2 shows is public and
 * every change to a case writes an audit event in the same transaction, so an answer stays good
 * while the directory's revision and the newest case_event id are what they were when it was
 * built. A stored answer is used only while both are unchanged and for at most `maxAgeMs` (1 s)
 * of the clock: it may be up to one second stale, when a transaction that drew a lower event id
 * commits after a later one, and by one database round trip, since requests that arrive while the
 * change check is in flight share its answer.
 */
export interface CachedAnswer {
  status: number;
  contentType: string;
  body: string;
}

export class ResponseCache {
  private readonly entries = new Map<string, CachedAnswer & { marker: string; storedAt: number }>();
  private pending: Promise<string> | undefined;
  /** Answers being built, by key: requests that miss together wait for the first one's answer. */
  private readonly building = new Map<string, { marker: string; answer: Promise<CachedAnswer | undefined> }>();

  constructor(
    private readonly services: CaseServices,
    private readonly maxAgeMs = 1_000,
    private readonly maxEntries = 1_000,
  ) {}

  /** What an answer built now depends on: the directory revision and the newest case event. */
  marker(): Promise<string> {
    this.pending ??= (async () => {
      try {
        const directory = await this.services.directory.get();
        const { rows } = await sql<{ id: string | number | null }>`select max(id) as id from case_event`.execute(this.services.db.kysely);
        return `${directory.revision}:${rows[0]?.id ?? 0}`;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }

  get(key: string, marker: string): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const age = this.services.clock.now().getTime() - entry.storedAt;
    // Either way: a test's clock can be set back.
    if (entry.marker !== marker || age < 0 || age >= this.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /**
   * The answer another request is building for this key (with the same marker), or undefined after
   * this request took the job: then `done` must be called with its answer (undefined when it fails).
   */
  join(key: string, marker: string): { waitFor: Promise<CachedAnswer | undefined> } | { done: (answer: CachedAnswer | undefined) => void } {
    const inFlight = this.building.get(key);
    if (inFlight && inFlight.marker === marker) return { waitFor: inFlight.answer };
    let settle!: (answer: CachedAnswer | undefined) => void;
    const answer = new Promise<CachedAnswer | undefined>((resolve) => (settle = resolve));
    const entry = { marker, answer };
    this.building.set(key, entry);
    return {
      done: (built) => {
        if (this.building.get(key) === entry) this.building.delete(key);
        settle(built);
      },
    };
  }

  set(key: string, marker: string, answer: CachedAnswer): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { ...answer, marker, storedAt: this.services.clock.now().getTime() });
  }
}
