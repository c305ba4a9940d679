import type { Tx } from '../db/connect.js';

export interface PersonToTell {
  id: number;
  email: string;
}

/**
 * Who is told when a case needs someone to act (its customer's e-mail bounced, CSS §4.1; it is at
 * risk of missing a target): the case's owner, while they are active staff of the case's division;
 * with no such owner, the division's active staff and its Division Head. One list per case, in the
 * order given, from one query.
 */
export async function peopleWhoCanAct(tx: Tx, cases: readonly { divisionId: number; ownerId: number | null }[]): Promise<PersonToTell[][]> {
  if (cases.length === 0) return [];
  const people = await tx
    .selectFrom('staff_user')
    .select(['id', 'email', 'role', 'division_id'])
    .where('active', '=', true)
    .where('division_id', 'in', [...new Set(cases.map((c) => c.divisionId))])
    .orderBy('id')
    .execute();
  return cases.map((c) => {
    const staff = people.filter((p) => p.division_id === c.divisionId);
    const owner = c.ownerId === null ? undefined : staff.find((p) => p.id === c.ownerId);
    const told = owner ? [owner] : staff.filter((p) => p.role === 'division_staff' || p.role === 'division_head');
    return told.map((p) => ({ id: p.id, email: p.email }));
  });
}
