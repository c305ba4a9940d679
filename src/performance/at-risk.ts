import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db, Tx } from '../db/connect.js';
import { peopleWhoCanAct } from '../cases/people-who-can-act.js';
import { enqueueMails } from '../notify/outbox.js';
import { defaultPerformanceRules } from '../standard/performance-indicators.js';
import { loadMunicipality, performanceRulesOf } from '../directory/municipality.js';

/**
 * At risk, before the breach: open cases that have used a share (default 75%) of the time from
 * receipt to their next target (acknowledgment until acknowledged, then resolution), and whose
 * target has not passed yet. The same reading as atRisk() in src/standard/performance-indicators.ts.
 */

/**
 * The City's at-risk share in SQL: config/performance.yaml as seeded into the municipality's
 * settings (performanceRulesOf reads the same), else the default.
 */
const configuredShare = sql<number>`coalesce((select (settings #>> '{performance,atRiskShare}')::float8 from municipality where id = 1), ${defaultPerformanceRules.atRiskShare}::float8)`;

/** The SQL condition on a case table named `c`; without `share`, the City's (config/performance.yaml). */
export function atRiskCondition(now: Date, share?: number): Expression<SqlBool> {
  const used = share === undefined ? configuredShare : sql<number>`${share}::float8`;
  return sql<SqlBool>`(
    (c.acknowledged_at is null and c.acknowledgment_recorded and c.acknowledge_by >= ${now}::timestamptz
      and ${now}::timestamptz >= c.received_at + (c.acknowledge_by - c.received_at) * ${used})
    or (c.acknowledged_at is not null and c.resolve_by is not null and c.resolve_by >= ${now}::timestamptz
      and ${now}::timestamptz >= c.received_at + (c.resolve_by - c.received_at) * ${used}))`;
}

export interface AtRiskDigest {
  to: string;
  references: string[];
}

/**
 * Warns the people who can act when cases enter the at-risk queue (peopleWhoCanAct: the case's
 * owner, or, with no owner, the division's staff and Division Head). One e-mail per person per
 * run, listing every case newly at risk; each case is warned once per target (at_risk_warning),
 * however often this runs.
 */
export async function sendAtRiskDigests(options: { db: Db; now: Date; share?: number; siteUrl?: string }): Promise<{ warned: number; digests: AtRiskDigest[] }> {
  const { db, now } = options;
  return db.kysely.transaction().execute(async (trx: Tx) => {
    const share = options.share ?? performanceRulesOf(await loadMunicipality(trx)).atRiskShare;
    const fresh = await sql<{ case_id: string | number; reference: string; summary: string; division_id: number; owner_id: number | null; target: string; due: Date }>`
      with risky as (
        select c.id, c.reference, c.summary, c.division_id, c.owner_id,
          case when c.acknowledged_at is null then 'acknowledgment' else 'resolution' end as target,
          case when c.acknowledged_at is null then c.acknowledge_by else c.resolve_by end as due
        from service_case c where c.status = 'open' and ${atRiskCondition(now, share)}
      ), warned as (
        insert into at_risk_warning (case_id, target, due, warned_at)
        select id, target, due, ${now}::timestamptz from risky
        on conflict (case_id, target, due) do nothing
        returning case_id, target, due
      )
      select r.id as case_id, r.reference, r.summary, r.division_id, r.owner_id, w.target, w.due
      from warned w join risky r on r.id = w.case_id and r.target = w.target
      order by w.due, r.reference
    `.execute(trx);
    if (fresh.rows.length === 0) return { warned: 0, digests: [] };
    const told = await peopleWhoCanAct(trx, fresh.rows.map((r) => ({ divisionId: r.division_id, ownerId: r.owner_id })));
    const byPerson = new Map<string, string[]>();
    const lines = new Map<string, string>();
    for (const [i, r] of fresh.rows.entries()) {
      const recipients = told[i]!;
      lines.set(r.reference, `${r.reference}: ${r.summary.slice(0, 120)} (${r.target} due ${new Date(r.due).toISOString().slice(0, 16).replace('T', ' ')} UTC)`);
      for (const p of recipients) byPerson.set(p.email, [...(byPerson.get(p.email) ?? []), r.reference]);
    }
    const site = options.siteUrl ?? '';
    const digests = [...byPerson.entries()].map(([to, references]) => ({ to, references }));
    await enqueueMails(
      trx,
      digests.map((d) => ({
        to: d.to,
        caseMessageId: null,
        subject: `${d.references.length} case${d.references.length === 1 ? '' : 's'} at risk of missing a target`,
        body: [
          `These cases have used ${Math.round(share * 100)}% of the time to their next target. Act before the target passes:`,
          '',
          ...d.references.map((ref) => `- ${lines.get(ref)}`),
          '',
          `The at-risk queue: ${site}/staff/queues/at-risk`,
        ].join('\n'),
      })),
      now,
    );
    return { warned: fresh.rows.length, digests };
  });
}
