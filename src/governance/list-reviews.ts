import type { Tx } from '../db/connect.js';
import type { StaffMember } from '../directory/staff.js';
import { AppError } from '../platform/errors.js';
import { reviewState, type ReviewState } from '../standard/governance.js';
import { seesAllReviews } from './governance-policy.js';

/** The reviews of CSS §8.2 as the pages show them. */

export interface ReviewView {
  id: number;
  kind: 'dst' | 'standard';
  /** "Roads Operations: annual DST review" or "The Standard: comprehensive review". */
  title: string;
  division: { id: number; code: string; name: string } | null;
  termStart: string | null;
  dueOn: string;
  owner: { id: number; name: string } | null;
  state: ReviewState;
  completedAt: Date | null;
  completedBy: string | null;
  findings: string | null;
  outcome: 'no_change' | 'proposed_change' | null;
}

function query(tx: Tx) {
  return tx
    .selectFrom('governance_review as r')
    .leftJoin('division as d', 'd.id', 'r.division_id')
    .leftJoin('staff_user as o', 'o.id', 'r.owner_id')
    .leftJoin('staff_user as c', 'c.id', 'r.completed_by')
    .select([
      'r.id',
      'r.kind',
      'r.division_id',
      'r.term_start',
      'r.due_on',
      'r.owner_id',
      'r.completed_at',
      'r.findings',
      'r.outcome',
      'd.code as division_code',
      'd.name as division_name',
      'o.name as owner_name',
      'c.name as completed_by_name',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof query>['execute']>>[number];

function toView(r: Row, today: string): ReviewView {
  return {
    id: r.id,
    kind: r.kind,
    title: r.kind === 'dst' ? `${r.division_name}: annual DST review` : 'The Standard: comprehensive review for the Council term',
    division: r.division_id !== null ? { id: r.division_id, code: r.division_code!, name: r.division_name! } : null,
    termStart: r.term_start,
    dueOn: r.due_on,
    owner: r.owner_id !== null ? { id: r.owner_id, name: r.owner_name! } : null,
    state: reviewState(r.due_on, r.completed_at ? new Date(r.completed_at).getTime() : null, today),
    completedAt: r.completed_at ? new Date(r.completed_at) : null,
    completedBy: r.completed_by_name,
    findings: r.findings,
    outcome: r.outcome,
  };
}

/** A Division Head sees their own division's reviews; the Working Group, Manager, CAO and administrators see all. */
function scoped<Q extends ReturnType<typeof query>>(q: Q, staff: StaffMember): Q {
  if (seesAllReviews(staff)) return q;
  if (staff.role === 'division_head' && staff.divisionId !== null) return q.where('r.division_id', '=', staff.divisionId) as Q;
  return q.where((eb) => eb.lit(false)) as Q;
}

export async function listReviews(tx: Tx, staff: StaffMember, today: string): Promise<{ open: ReviewView[]; done: ReviewView[] }> {
  const rows = await scoped(query(tx), staff).orderBy('r.due_on').orderBy('r.id').execute();
  const views = rows.map((r) => toView(r, today));
  return { open: views.filter((v) => v.state !== 'done'), done: views.filter((v) => v.state === 'done').sort((a, b) => b.completedAt!.getTime() - a.completedAt!.getTime()) };
}

export async function findReview(tx: Tx, staff: StaffMember, id: number, today: string): Promise<ReviewView> {
  const row = await scoped(query(tx), staff).where('r.id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'There is no such review, or it is not one you can see. Open the list of reviews.');
  return toView(row, today);
}
