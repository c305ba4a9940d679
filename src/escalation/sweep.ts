import { sql } from 'kysely';
import type { Db, Tx } from '../db/connect.js';
import type { BreachKind } from '../db/schema.js';
import { loadMunicipality } from '../directory/municipality.js';
import { enqueueMail, enqueueMails } from '../notify/outbox.js';
import { escalationDigest, escalationDigestLine, escalationMessage, longDate } from '../notify/templates.js';
import { escalationRoles, firstLevelDue, nextLevelDue, type EscalationLevel, type EscalationReason, type EscalationState } from '../standard/escalation.js';

/**
 * The sweep (CSS §5, INTERPRETATION §6): every case whose next check time has come is looked at
 * once. Missed deadlines are recorded as breaches; eligible service requests are escalated to the
 * Division Head; two weeks after an escalation a request goes up a level or onto the Manager of
 * Customer Service's review list. Each case's next check time is kept in the narrow case_due
 * table (migration 012), so a sweep reads only the cases that are due and moves their times on
 * without rewriting the heavily indexed case rows.
 *
 * Exactly once: a transaction-level advisory lock lets one sweeper work at a time, and unique
 * constraints (a breach per case, kind and deadline; an escalation per case and level; a review
 * entry per escalation) make a second sweeper's writes no-ops. Notifications are written only for
 * rows this sweep inserted. Each batch commits on its own, so a sweep killed halfway leaves the
 * rest due for the next one. On PostgreSQL the lock is held by a transaction of its own for the
 * whole sweep, and the batches run on two connections at once (each locks its cases with SKIP
 * LOCKED, so no case is in two batches); the embedded database has one connection, so there each
 * batch takes the lock and the batches run in turn.
 */

export const sweepLockKey = 72_657_004;

export interface SweepResult {
  /** Another sweeper held the lock: this one did nothing. */
  skipped: boolean;
  checked: number;
  breaches: { reference: string; kind: BreachKind; deadline: string }[];
  escalations: { reference: string; level: EscalationLevel; role: string; reason: EscalationReason }[];
  reviewListed: { reference: string; level: number }[];
}

interface DueRow {
  id: number;
  reference: string;
  kind: 'inquiry' | 'service_request';
  status: 'open' | 'resolved';
  division_id: number;
  department_id: number;
  division_name: string;
  division_head: string;
  department_head: string;
  customer_name: string | null;
  customer_email: string | null;
  type_name: string | null;
  acknowledged_at: Date | null;
  acknowledge_by: Date;
  resolve_by: Date | null;
  revised_resolve_by: Date | null;
  revised_at: Date | null;
  last_update_at: Date | null;
  escalation_level: number;
  escalated_at: Date | null;
  resolved_at: Date | null;
  escalation_id: number | null;
}

const ms = (d: Date | string | null): number | null => (d === null ? null : new Date(d).getTime());

type StateFields = Pick<
  DueRow,
  'kind' | 'status' | 'acknowledged_at' | 'acknowledge_by' | 'resolve_by' | 'revised_resolve_by' | 'revised_at' | 'last_update_at' | 'escalation_level' | 'escalated_at' | 'resolved_at'
>;

/** A case as the escalation rules (src/standard/escalation.ts) read it. */
export function escalationState(c: StateFields): EscalationState {
  return {
    kind: c.kind,
    status: c.status,
    acknowledgedAt: ms(c.acknowledged_at),
    acknowledgeBy: ms(c.acknowledge_by)!,
    resolveBy: ms(c.resolve_by),
    revisedResolveBy: ms(c.revised_resolve_by),
    revisedAt: ms(c.revised_at),
    lastUpdateAt: ms(c.last_update_at),
    escalationLevel: c.escalation_level,
    escalatedAt: ms(c.escalated_at),
    resolvedAt: ms(c.resolved_at),
  };
}

/** The heads an escalation goes to, and the Manager of Customer Service, get one message each. */
export async function notifyHeads(
  trx: Tx,
  escalations: { reference: string; typeName: string | null; divisionName: string; divisionId: number; departmentId: number; level: EscalationLevel; reason: string }[],
  now: Date,
  when: string,
  municipality: string,
): Promise<void> {
  if (escalations.length === 0) return;
  const heads = await trx
    .selectFrom('staff_user')
    .select(['email', 'role', 'division_id', 'department_id'])
    .where('active', '=', true)
    .where('role', 'in', ['division_head', 'department_head', 'cao', 'manager_customer_service'])
    .execute();
  const digests = new Map<string, string[]>();
  for (const e of escalations) {
    const line = escalationDigestLine({ ...e, levelRole: escalationRoles[e.level] });
    const to = heads.filter(
      (h) =>
        h.role === 'manager_customer_service' ||
        (e.level === 1 && h.role === 'division_head' && h.division_id === e.divisionId) ||
        (e.level === 2 && h.role === 'department_head' && h.department_id === e.departmentId) ||
        (e.level === 3 && h.role === 'cao'),
    );
    for (const h of to) {
      const lines = digests.get(h.email);
      if (lines) lines.push(line);
      else digests.set(h.email, [line]);
    }
  }
  for (const [to, lines] of digests) await enqueueMail(trx, { to, ...escalationDigest({ municipality, when, lines }), now });
}

export async function sweep(options: {
  db: Db;
  now: Date;
  batchSize?: number;
  /** Stop after this many batches (a bounded run; what is left stays due for the next sweep). */
  maxBatches?: number;
  /** On PostgreSQL, how many batches run at once (default 2), each on its own connection. */
  connections?: number;
}): Promise<SweepResult> {
  const { db, now } = options;
  const batchSize = options.batchSize ?? 5000;
  const result: SweepResult = { skipped: false, checked: 0, breaches: [], escalations: [], reviewListed: [] };
  const municipality = await loadMunicipality(db.kysely);
  const zone = municipality.settings.calendar.timeZone;
  let batches = 0;
  const bounded = options.maxBatches ?? Infinity;
  /** One batch: the due cases it could lock, swept and committed; how many there were. */
  const sweepOne = (takeLock: boolean) =>
    db.kysely.transaction().execute(async (trx) => {
      if (takeLock && !(await lockSweep(trx))) return 'locked' as const;
      const due = await loadDue(trx, now, batchSize);
      if (due.length > 0) await sweepBatch(trx, due, now, zone, municipality.name, result);
      return due.length;
    });
  /** Batches one after another until one comes back short (nothing more is due) or the bound is reached. */
  const work = async (takeLock: boolean): Promise<void> => {
    while (batches < bounded) {
      batches += 1;
      const batch = await sweepOne(takeLock);
      if (batch === 'locked') {
        result.skipped = result.checked === 0;
        return;
      }
      result.checked += batch;
      if (batch < batchSize) return;
    }
  };
  if (db.engine === 'pglite') {
    await work(true);
  } else {
    await db.kysely.transaction().execute(async (leader) => {
      if (!(await lockSweep(leader))) {
        result.skipped = true;
        return;
      }
      await Promise.all(Array.from({ length: options.connections ?? 2 }, () => work(false)));
    });
  }
  return result;
}

/** Takes the sweeper's lock for the caller's transaction, if no other sweeper holds it. */
async function lockSweep(trx: Tx): Promise<boolean> {
  return (await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${sweepLockKey}) as locked`.execute(trx)).rows[0]!.locked;
}

async function loadDue(trx: Tx, now: Date, limit: number): Promise<DueRow[]> {
  const { rows } = await sql<DueRow>`
    select c.id, c.reference, c.kind, c.status, c.division_id, d.department_id, d.name as division_name,
           d.head_title as division_head, dep.head_title as department_head,
           c.customer_name, c.customer_email, t.name as type_name,
           c.acknowledged_at, c.acknowledge_by, c.resolve_by, c.revised_resolve_by, c.revised_at, c.last_update_at,
           c.escalation_level, c.escalated_at, c.resolved_at,
           (select e.id from escalation e where e.case_id = c.id and e.level = c.escalation_level) as escalation_id
    from case_due q
    join service_case c on c.id = q.case_id
    join division d on d.id = c.division_id
    join department dep on dep.id = d.department_id
    left join request_type t on t.id = c.request_type_id
    where q.next_check_at <= ${now}
    order by q.next_check_at
    limit ${limit}
    -- Both rows: the case's, so a change to it waits (or the sweep skips it), and the queue's, so a
    -- batch that finds it just swept by the other connection sees its next check moved on.
    for update of q, c skip locked`.execute(trx);
  return rows;
}

async function sweepBatch(trx: Tx, due: DueRow[], now: Date, zone: string, municipality: string, result: SweepResult): Promise<void> {
  const ids = due.map((c) => c.id);
  const byId = new Map(due.map((c) => [c.id, c]));
  const format = (d: Date | number): string => longDate(typeof d === 'number' ? d : d.getTime(), zone);

  // Breaches: each missed deadline once.
  const breaches = (
    await sql<{ case_id: number; kind: BreachKind; deadline: Date }>`
      insert into case_breach (case_id, kind, deadline, detected_at, division_id)
      select c.id, b.kind, b.deadline, ${now}, c.division_id
      from service_case c
      cross join lateral (values
        ('acknowledgment', case when c.acknowledged_at is null then c.acknowledge_by end),
        ('resolution', c.resolve_by),
        ('update', c.committed_by),
        ('transfer_receipt', c.transfer_follow_up_by)) as b(kind, deadline)
      where c.id = any(${ids}) and c.status = 'open' and b.deadline is not null and b.deadline <= ${now}
      on conflict do nothing
      returning case_id, kind, deadline`.execute(trx)
  ).rows;
  for (const b of breaches) result.breaches.push({ reference: byId.get(b.case_id)!.reference, kind: b.kind, deadline: new Date(b.deadline).toISOString() });

  // Escalations and the review list, decided by the Standard's rules.
  const escalate: { caseId: number; level: EscalationLevel; reason: EscalationReason }[] = [];
  const review: { caseId: number; escalationId: number }[] = [];
  for (const c of due) {
    const state = escalationState(c);
    const first = firstLevelDue(state, now.getTime());
    if (first) {
      escalate.push({ caseId: c.id, level: 1, reason: first });
      continue;
    }
    const next = nextLevelDue(state, now.getTime());
    if (next && 'escalate' in next) escalate.push({ caseId: c.id, level: (c.escalation_level + 1) as EscalationLevel, reason: next.escalate });
    else if (next && c.escalation_id !== null) review.push({ caseId: c.id, escalationId: c.escalation_id });
  }

  const inserted =
    escalate.length === 0
      ? []
      : (
          await sql<{ id: number; case_id: number; level: EscalationLevel; reason: EscalationReason }>`
            insert into escalation (case_id, level, escalated_at, reason, division_id, department_id, initiated_by)
            select u.case_id, u.level, ${now}, u.reason, c.division_id, d.department_id, 'sweep'
            from unnest(${escalate.map((e) => e.caseId)}::bigint[], ${escalate.map((e) => e.level)}::int[], ${escalate.map((e) => e.reason)}::text[]) as u(case_id, level, reason)
            join service_case c on c.id = u.case_id
            join division d on d.id = c.division_id
            on conflict do nothing
            returning id, case_id, level, reason`.execute(trx)
        ).rows;
  const listed =
    review.length === 0
      ? []
      : (
          await sql<{ case_id: number }>`
            insert into review_list_entry (case_id, escalation_id, listed_at)
            select u.case_id, u.escalation_id, ${now}
            from unnest(${review.map((r) => r.caseId)}::bigint[], ${review.map((r) => r.escalationId)}::bigint[]) as u(case_id, escalation_id)
            on conflict do nothing
            returning case_id`.execute(trx)
        ).rows;

  // The audit trail: one event per escalation and review listing (a breach is its own immutable
  // row in case_breach, which the case's timeline shows).
  const events: { caseId: number; type: string; data: Record<string, unknown> }[] = [
    ...inserted.map((e) => ({ caseId: e.case_id, type: 'escalated', data: { level: e.level, role: roleTitle(byId.get(e.case_id)!, e.level), reason: e.reason, initiatedBy: 'sweep' } })),
    ...listed.map((l) => ({ caseId: l.case_id, type: 'review_listed', data: { level: byId.get(l.case_id)!.escalation_level } })),
  ];
  if (events.length > 0) {
    await sql`
      insert into case_event (case_id, at, actor_id, actor_label, type, data)
      select u.case_id, ${now}, null, 'citydesk (escalation sweep)', u.type, u.data::jsonb
      from unnest(${events.map((e) => e.caseId)}::bigint[], ${events.map((e) => e.type)}::text[], ${events.map((e) => JSON.stringify(e.data))}::text[]) as u(case_id, type, data)`.execute(trx);
  }

  // The customer is told their request was escalated, and to which role.
  if (inserted.length > 0) {
    const notices = inserted.map((e) => {
      const c = byId.get(e.case_id)!;
      const message = escalationMessage({
        municipality,
        reference: c.reference,
        customerName: c.customer_name,
        what: c.type_name ? `service request (${c.type_name})` : 'service request',
        divisionName: c.division_name,
        levelRole: escalationRoles[e.level],
        headTitle: roleTitle(c, e.level),
        reason: e.reason,
      });
      return { caseId: c.id, reference: c.reference, email: c.customer_email, ...message };
    });
    const messages = (
      await sql<{ id: number; case_id: number }>`
        insert into case_message (case_id, at, kind, automated, method, subject, body)
        select u.case_id, ${now}, 'escalation', true, u.method, u.subject, u.body
        from unnest(${notices.map((n) => n.caseId)}::bigint[], ${notices.map((n) => (n.email ? 'email' : 'record'))}::text[],
                    ${notices.map((n) => n.subject)}::text[], ${notices.map((n) => n.body)}::text[]) as u(case_id, method, subject, body)
        returning id, case_id`.execute(trx)
    ).rows;
    const messageId = new Map(messages.map((m) => [m.case_id, m.id]));
    await enqueueMails(
      trx,
      notices.filter((n) => n.email).map((n) => ({ to: n.email!, subject: n.subject, body: n.body, caseMessageId: messageId.get(n.caseId)!, reference: n.reference })),
      now,
    );

    // The heads and the Manager of Customer Service get one message each, listing their new escalations.
    await notifyHeads(
      trx,
      inserted.map((e) => {
        const c = byId.get(e.case_id)!;
        return { reference: c.reference, typeName: c.type_name, divisionName: c.division_name, divisionId: c.division_id, departmentId: c.department_id, level: e.level, reason: e.reason };
      }),
      now,
      format(now),
      municipality,
    );
  }
  for (const e of inserted) result.escalations.push({ reference: byId.get(e.case_id)!.reference, level: e.level, role: escalationRoles[e.level], reason: e.reason });
  for (const l of listed) result.reviewListed.push({ reference: byId.get(l.case_id)!.reference, level: byId.get(l.case_id)!.escalation_level });

  // The queue moves on: each case's next check is its next deadline still ahead, or the next
  // step of its escalation (the new one's, for a case escalated now). One statement on the narrow
  // case_due rows (migration 012); only the cases escalated now are rewritten in service_case.
  const newLevel = new Map(inserted.map((e) => [e.case_id, e.level]));
  await sql`
    update case_due q set next_check_at = case when c.status <> 'open' then null else (
        select min(v.d) from (values
          (case when c.acknowledged_at is null then c.acknowledge_by end),
          (c.resolve_by),
          (c.committed_by),
          (c.transfer_follow_up_by),
          (case when coalesce(u.level, c.escalation_level) between 1 and 2
                 and (u.level is not null or not exists (
                   select 1 from review_list_entry r join escalation e on e.id = r.escalation_id
                   where e.case_id = c.id and e.level = c.escalation_level))
            then (case when u.level is null then c.escalated_at else ${now} end) + interval '14 days' end)) as v(d)
        where v.d > ${now}) end
    from unnest(${ids}::bigint[], ${ids.map((id) => newLevel.get(id) ?? null)}::int[]) as u(id, level)
    join service_case c on c.id = u.id
    where q.case_id = u.id`.execute(trx);
  if (inserted.length > 0) {
    await sql`
      update service_case c set escalation_level = u.level, escalated_at = ${now}
      from unnest(${inserted.map((e) => e.case_id)}::bigint[], ${inserted.map((e) => e.level)}::int[]) as u(id, level)
      where c.id = u.id`.execute(trx);
  }
}

export function roleTitle(c: Pick<DueRow, 'division_head' | 'department_head'>, level: EscalationLevel): string {
  return level === 1 ? c.division_head : level === 2 ? c.department_head : 'Chief Administrative Officer';
}
