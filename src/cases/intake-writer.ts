import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { MessageKind, MessageMethod } from '../db/schema.js';
import { isAppError } from '../platform/errors.js';
import { isDatabaseUnavailable } from '../platform/http-errors.js';
import type { CaseRow } from './case-record.js';
import { messageIdSql } from '../notify/message-ids.js';
import type { MailThread } from '../notify/outbox.js';

/**
 * Writing new cases: each case, its events, its message and that message's mail, in one
 * statement, and the creates that arrive while earlier ones are being written in one statement
 * together (group commit). A create is answered only after the statement holding it has committed,
 * so what a caller was told was recorded stays recorded through a crash; a statement is atomic, so
 * a case is never written without its events. When several creates share a statement and one of
 * them breaks a constraint (two copies of one retried create, say), nothing of that statement was
 * written and each is written again on its own, so only the one at fault gets the error.
 */

/** The columns intake writes, with their types: all of a case's but those the database fills and those later steps set. */
const intakeColumnTypes = {
  kind: 'text',
  status: 'text',
  channel: 'text',
  service_centre_id: 'integer',
  request_type_id: 'integer',
  division_id: 'integer',
  owner_id: 'integer',
  customer_name: 'text',
  customer_email: 'text',
  customer_phone: 'text',
  preferred_contact: 'text',
  description: 'text',
  summary: 'text',
  address: 'text',
  latitude: 'double precision',
  longitude: 'double precision',
  attributes: 'jsonb',
  received_at: 'timestamptz',
  recorded_at: 'timestamptz',
  created_by: 'integer',
  created_via: 'text',
  idempotency_key: 'text',
  idempotency_hash: 'text',
  dst_version_id: 'integer',
  acknowledge_by: 'timestamptz',
  resolve_by: 'timestamptz',
  acknowledged_at: 'timestamptz',
  acknowledged_by: 'integer',
  resolved_at: 'timestamptz',
  resolved_by: 'integer',
  resolution: 'text',
  first_contact_resolution: 'boolean',
  completion_business_days: 'integer',
  media_url: 'text',
  address_id: 'text',
  next_due_at: 'timestamptz',
  next_check_at: 'timestamptz',
} as const satisfies Partial<Record<keyof CaseRow, string>>;

type IntakeColumn = keyof typeof intakeColumnTypes;
export const intakeColumns = Object.keys(intakeColumnTypes) as IntakeColumn[];

/** What the statement returns of each case: what the database chose, and the attributes as jsonb keeps them. */
const returned = ['id', 'reference', 'version', 'escalation_level', 'attributes', 'acknowledgment_recorded'] as const;

/** The columns no step of intake sets: they start empty. */
const laterColumns = [
  'committed_by',
  'revised_resolve_by',
  'last_update_at',
  'transfer_to_division_id',
  'transfer_requested_at',
  'transfer_requested_by',
  'transfer_follow_up_by',
  'escalated_at',
  'revised_at',
  // Only the history import (src/history) sets these.
  'import_source_id',
  'resolve_by_basis',
  // Only moderation (cases/moderate-case.ts) sets these.
  'description_moderation',
  'public_description',
  'duplicate_of_id',
  'merged_at',
] as const;

const emptyLaterColumns = Object.fromEntries(laterColumns.map((column) => [column, null])) as Record<(typeof laterColumns)[number], null>;

/** A new case's row as intake writes it (the attributes as JSON text). */
export type IntakeRow = { [C in IntakeColumn]: C extends 'attributes' ? string : CaseRow[C] };
// A column added to service_case (and to schema.ts) must be written by intake, returned, or left empty.
type Unaccounted = Exclude<keyof CaseRow, IntakeColumn | (typeof returned)[number] | (typeof laterColumns)[number]>;
const everyColumnAccountedFor: [Unaccounted] extends [never] ? true : Unaccounted = true;
void everyColumnAccountedFor;

export interface IntakeEvent {
  type: string;
  data: Record<string, unknown>;
}

/** The case's first message, written before its reference is known: `marker` stands where the reference goes. */
export interface IntakeMessage {
  kind: MessageKind;
  automated: boolean;
  method: MessageMethod;
  sentBy: number | null;
  subject: string;
  body: string;
  marker: string;
}

/** Everything one create writes. */
export interface NewCase {
  /** e.g. SR-2026-: the number drawn from `sequence` follows it. */
  referencePrefix: string;
  sequence: 'service_request_number' | 'general_inquiry_number';
  row: IntakeRow;
  now: Date;
  actor: { id: number | null; label: string };
  events: IntakeEvent[];
  message: IntakeMessage | null;
  /**
   * The message's e-mail: its Message-ID is signed in the statement, naming the reference it draws
   * (notify/message-ids.ts); `thread`, the customer's e-mail it answers (a contact that came by e-mail).
   */
  mail: { nonce: string; domain: string; to: string; thread?: MailThread | undefined } | null;
}

/** One value per case for each of these, passed as arrays: the statement unnests them side by side. */
const perCase = [
  ['reference_prefix', 'text'],
  ['sequence', 'text'],
  ...intakeColumns.map((column) => [column, intakeColumnTypes[column] === 'jsonb' ? 'text' : intakeColumnTypes[column]] as const),
  ['at', 'timestamptz'],
  ['actor_id', 'integer'],
  ['actor_label', 'text'],
  ['message_kind', 'text'],
  ['message_automated', 'boolean'],
  ['message_method', 'text'],
  ['message_sent_by', 'integer'],
  ['message_subject', 'text'],
  ['message_body', 'text'],
  ['marker', 'text'],
  ['mail_nonce', 'text'],
  ['mail_domain', 'text'],
  ['mail_to', 'text'],
  ['mail_in_reply_to', 'text'],
  ['mail_reference_ids', 'text'],
] as const;
/** The events of all the cases, one array entry each: which case (1, 2, … in the order given), type and data. */
const perEvent = [
  ['case_ord', 'integer'],
  ['type', 'text'],
  ['data', 'text'],
] as const;

const placeholders = (fields: readonly (readonly [string, string])[], from: number): string =>
  fields.map(([, type], i) => `$${from + i}::${type}[]`).join(', ');
const names = (fields: readonly (readonly [string, string])[]): string => fields.map(([name]) => name).join(', ');

/**
 * The statement: the cases with their next reference numbers, inserted in the order given; their
 * events in order (so their ids follow the case's); the messages with the reference put in where
 * the marker stands; each message's mail in the outbox; and the case's next check in the sweep's
 * queue (case_due). Its text is the same for one case or
 * a hundred, so it is prepared once per connection.
 */
const fenceParameter = perCase.length + perEvent.length + 1;
const statement = `
  with given as materialized (
    select * from unnest(${placeholders(perCase, 1)}) with ordinality as g (${names(perCase)}, ord)
  ), numbered as materialized (
    select g.*, g.reference_prefix || lpad(n::text, greatest(6, length(n::text)), '0') as reference
    from given g, lateral nextval(g.sequence::regclass) as n
  ), c as (
    insert into service_case (reference, ${intakeColumns.join(', ')})
    select reference, ${intakeColumns.map((column) => (intakeColumnTypes[column] === 'jsonb' ? `${column}::jsonb` : column)).join(', ')}
    from numbered order by ord
    returning ${returned.join(', ')}
  ), written as materialized (
    select c.*, n.ord, n.at, n.actor_id, n.actor_label, n.message_kind, n.message_automated, n.message_method, n.message_sent_by,
           replace(n.message_subject, n.marker, c.reference) as message_subject, replace(n.message_body, n.marker, c.reference) as message_body,
           n.mail_nonce, n.mail_domain, n.mail_to, n.mail_in_reply_to, n.mail_reference_ids, n.next_check_at
    from c join numbered n on n.reference = c.reference
  ), e as (
    insert into case_event (case_id, at, actor_id, actor_label, type, data)
    select w.id, w.at, w.actor_id, w.actor_label, ev.type, ev.data::jsonb
    from unnest(${placeholders(perEvent, perCase.length + 1)}) with ordinality as ev (${names(perEvent)}, n)
    join written w on w.ord = ev.case_ord
    order by ev.n
  ), m as (
    insert into case_message (case_id, at, kind, automated, method, sent_by, subject, body)
    select w.id, w.at, w.message_kind, w.message_automated, w.message_method, w.message_sent_by, w.message_subject, w.message_body
    from written w where w.message_kind is not null
    order by w.ord
    returning id, case_id
  ), o as (
    insert into outbox (message_id, case_message_id, to_address, subject, body, next_attempt_at, created_at, in_reply_to, reference_ids)
    select ${messageIdSql('w.reference', 'w.mail_nonce', 'w.mail_domain')}, m.id, w.mail_to, null, null, w.at, w.at, w.mail_in_reply_to, w.mail_reference_ids
    from m join written w on w.id = m.case_id
    where w.mail_to is not null
  ), d as (
    insert into case_due (case_id, next_check_at)
    select w.id, w.next_check_at from written w where w.next_check_at is not null
  ), f as (
    insert into intake_fence (token, at, case_ids)
    select $${fenceParameter}::uuid, min(w.at), array_agg(w.id order by w.ord) from written w
  )
  select w.ord, ${returned.map((column) => `w.${column}`).join(', ')} from written w order by w.ord`;

type Written = Pick<CaseRow, (typeof returned)[number]> & { ord: string | number };

/** The values of one case's fields, in perCase's order. */
function caseValues(c: NewCase): unknown[] {
  const extra: Record<Exclude<(typeof perCase)[number][0], IntakeColumn>, unknown> = {
    reference_prefix: c.referencePrefix,
    sequence: c.sequence,
    at: c.now,
    actor_id: c.actor.id,
    actor_label: c.actor.label,
    message_kind: c.message?.kind ?? null,
    message_automated: c.message?.automated ?? null,
    message_method: c.message?.method ?? null,
    message_sent_by: c.message?.sentBy ?? null,
    message_subject: c.message?.subject ?? null,
    message_body: c.message?.body ?? null,
    marker: c.message?.marker ?? null,
    // Mail goes only with a message.
    mail_nonce: c.message && c.mail ? c.mail.nonce : null,
    mail_domain: c.message && c.mail ? c.mail.domain : null,
    mail_to: c.message && c.mail ? c.mail.to : null,
    mail_in_reply_to: c.message && c.mail?.thread ? c.mail.thread.inReplyTo : null,
    mail_reference_ids: c.message && c.mail?.thread ? c.mail.thread.references.join(' ') : null,
  };
  return perCase.map(([name]) => (name in intakeColumnTypes ? c.row[name as IntakeColumn] : extra[name as keyof typeof extra]));
}

/** Writes the cases in one statement; each comes back as `returning *` would give it. */
async function writeTogether(db: Db, cases: readonly NewCase[]): Promise<CaseRow[]> {
  const token = randomUUID();
  try {
    return await writeStatement(db, cases, token);
  } catch (error) {
    // No connection could be had (an AppError): the statement was never sent.
    if (isAppError(error) || !isDatabaseUnavailable(error)) throw error;
    // The connection broke with the statement in flight: it may or may not have committed.
    return settleInDoubt(db, cases, token, error);
  }
}

/** How long a create whose statement's fate is unknown waits for the database to say: 50 tries, 200 ms apart. */
const inDoubtTries = 50;

/**
 * Finds out whether an intake statement cut off by a broken connection committed, by claiming its
 * fence token on another connection (see migration 011): the cases as written, or the error when
 * nothing was (or, the database staying out of reach for about 10 s, when it cannot be told).
 */
async function settleInDoubt(db: Db, cases: readonly NewCase[], token: string, cause: unknown): Promise<CaseRow[]> {
  for (let tries = 1; ; tries += 1) {
    try {
      const claimed = await sql<{ token: string }>`
        insert into intake_fence (token, at) values (${token}::uuid, ${cases[0]!.now}) on conflict do nothing returning token`.execute(db.kysely);
      if (claimed.rows.length > 0) throw cause; // the statement did not commit, and now cannot
      const fence = await sql<{ case_ids: (string | number)[] }>`select case_ids from intake_fence where token = ${token}::uuid`.execute(db.kysely);
      const ids = fence.rows[0]!.case_ids.map(Number);
      const rows = await db.kysely.selectFrom('service_case').selectAll().where('id', 'in', ids).execute();
      const byId = new Map(rows.map((row) => [Number(row.id), row as CaseRow]));
      return ids.map((id) => byId.get(id)!);
    } catch (error) {
      if (error === cause || !isDatabaseUnavailable(error) || tries >= inDoubtTries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function writeStatement(db: Db, cases: readonly NewCase[], token: string): Promise<CaseRow[]> {
  const columns: unknown[][] = perCase.map(() => []);
  const events: unknown[][] = perEvent.map(() => []);
  cases.forEach((c, i) => {
    caseValues(c).forEach((value, field) => columns[field]!.push(value));
    for (const event of c.events) {
      events[0]!.push(i + 1);
      events[1]!.push(event.type);
      events[2]!.push(JSON.stringify(event.data));
    }
  });
  const query = CompiledQuery.raw(statement, [...columns, ...events, token]) as CompiledQuery<Written>;
  const { rows } = await db.executePrepared(query);
  if (rows.length !== cases.length) throw new Error(`intake wrote ${rows.length} cases of ${cases.length}`);
  // The case as `returning *` would give it: what was written, what the database chose, and the
  // columns later steps set, empty.
  return rows.map(({ ord, ...written }) => ({ ...cases[Number(ord) - 1]!.row, ...written, ...emptyLaterColumns }));
}

/** A statement that failed this way wrote nothing, and the cases in it can be tried again one by one. */
const isRefusedData = (error: unknown): boolean => /^2[23]/.test(String((error as { code?: unknown }).code ?? ''));

interface Waiting {
  newCase: NewCase;
  resolve: (row: CaseRow) => void;
  reject: (error: unknown) => void;
}

/** At most this many intake statements run at once per database; creates arriving meanwhile wait and go together. */
const statementsAtOnce = 1;
const casesPerStatement = 100;

class IntakeWriter {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  private fencesKeptFrom = 0;

  constructor(private readonly db: Db) {}

  /** At most once an hour, drops the fence rows of statements older than a day (nothing can be in doubt about them). */
  private forgetOldFences(now: Date): void {
    if (now.getTime() < this.fencesKeptFrom + 3_600_000) return;
    this.fencesKeptFrom = now.getTime();
    void sql`delete from intake_fence where at < ${new Date(now.getTime() - 86_400_000)}`.execute(this.db.kysely).catch(() => {
      this.fencesKeptFrom = 0; // try again with the next statement
    });
  }

  write(newCase: NewCase): Promise<CaseRow> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ newCase, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < statementsAtOnce && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, casesPerStatement);
      this.running += 1;
      void this.run(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    try {
      const rows = await writeTogether(this.db, batch.map((w) => w.newCase));
      batch.forEach((w, i) => w.resolve(rows[i]!));
      this.forgetOldFences(batch[0]!.newCase.now);
    } catch (error) {
      if (batch.length === 1 || !isRefusedData(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      await Promise.all(
        batch.map((w) =>
          writeTogether(this.db, [w.newCase]).then(
            ([row]) => w.resolve(row!),
            (own: unknown) => w.reject(own),
          ),
        ),
      );
    }
  }
}

const writers = new WeakMap<Db, IntakeWriter>();

/** Records a new case with its events, message and mail; resolves once they are committed. */
export function writeNewCase(db: Db, newCase: NewCase): Promise<CaseRow> {
  let writer = writers.get(db);
  if (!writer) {
    writer = new IntakeWriter(db);
    writers.set(db, writer);
  }
  return writer.write(newCase);
}
