import type { Tx } from '../../db/connect.js';
import type { QueueName } from '../../cases/case-queries.js';
import { bulkCaseLimit, type BulkOutcome } from '../../cases/bulk-case-work.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { Select, TextArea, type FieldErrors, type Option } from '../components.js';
import { formatCount } from '../format.js';

/**
 * Issue 18 point 5: work several cases of a queue at once. The queue's table becomes one plain
 * form (it works without JavaScript and with the keyboard alone): a checkbox per case, then
 * "Assign" or "Transfer" with what each needs. Each case is judged by the single-case rule
 * (bulk-case-work.ts); the page says, case by case, what was done and what was refused.
 */

/** A transfer is answered by the receiving division (confirm or decline), one by one. */
export const bulkQueues = (queue: QueueName): boolean => queue !== 'transfers-in' && queue !== 'transfers-out';

export interface BulkFormModel {
  /** Whom the person can assign to: the active staff of their own division (none: no assign part). */
  owners: Option[];
  /** Where the person can transfer to (none: no transfer part). */
  divisions: Option[];
  selected: ReadonlySet<string>;
  values: { ownerId?: string | undefined; toDivision?: string | undefined; note?: string | undefined };
  errors: FieldErrors;
}

/**
 * What this person is offered. The offer is a courtesy: the use case judges each case, so a case
 * of another division is refused with its reason even when the form was offered.
 */
export async function bulkOffer(tx: Tx, directory: Directory, staff: StaffMember): Promise<Pick<BulkFormModel, 'owners' | 'divisions'>> {
  const owners =
    staff.divisionId === null
      ? []
      : (await tx.selectFrom('staff_user').select(['id', 'name']).where('division_id', '=', staff.divisionId).where('active', '=', true).orderBy('name').execute()).map((s) => ({
          value: String(s.id),
          label: s.name,
        }));
  const transfers = staff.inCustomerService || staff.divisionId !== null;
  const divisions = transfers ? [...directory.divisions].sort((a, b) => a.name.localeCompare(b.name)).map((d) => ({ value: d.code, label: d.name })) : [];
  return { owners, divisions };
}

/** The controls under the table: assign to someone, or transfer with the note a transfer needs. */
export function BulkControls(props: { bulk: BulkFormModel; division: string | null }) {
  const { bulk } = props;
  return (
    <div class="bulk-actions">
      <p class="bulk-actions__intro">
        {`Tick the cases to change, then assign them or transfer them (up to ${formatCount(bulkCaseLimit)} at once). Each case is checked as on its own page: any you may not change is refused with the reason, and the others are done.`}
      </p>
      <div class="bulk-actions__groups">
        {bulk.owners.length > 0 ? (
          <fieldset class="bulk-actions__group card">
            <legend>Assign the selected cases</legend>
            <Select
              name="ownerId"
              label="Owner"
              hint={`A member of ${props.division ?? 'your division'}; only cases of ${props.division ?? 'your division'} can be assigned to them.`}
              options={bulk.owners}
              value={bulk.values.ownerId}
              placeholder="Choose a staff member"
              error={bulk.errors['ownerId']}
              markOptional={false}
            />
            {/* Assigning needs only the owner: the transfer's required fields do not hold it back. */}
            <button type="submit" name="action" value="assign" formNoValidate>
              Assign the selected cases
            </button>
          </fieldset>
        ) : null}
        {bulk.divisions.length > 0 ? (
          <fieldset class="bulk-actions__group card">
            <legend>Transfer the selected cases</legend>
            <p class="hint">The division that has each case keeps it until a member of the receiving division confirms receipt (CSS §3.1); the customers' targets never restart.</p>
            <Select name="toDivision" label="Division" options={bulk.divisions} value={bulk.values.toDivision} placeholder="Choose a division" error={bulk.errors['toDivision']} required />
            <TextArea
              name="note"
              label="Note for the receiving division"
              hint="Why they are theirs and what they need to know; the same note goes with each case."
              value={bulk.values.note}
              error={bulk.errors['note']}
              rows={3}
              maxLength={2000}
              required
            />
            <button type="submit" name="action" value="transfer">
              Transfer the selected cases
            </button>
          </fieldset>
        ) : null}
      </div>
    </div>
  );
}

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** What one bulk action did and refused, case by case, each reference a link to its case. */
export function BulkOutcomeNotice(props: { outcome: BulkOutcome }) {
  const { done, refused, action } = props.outcome;
  const verb = action === 'assign' ? 'assigned' : 'transferred';
  const caseLink = (reference: string) => <a href={`/staff/cases/${encodeURIComponent(reference)}`}>{reference}</a>;
  return (
    <div id="bulk-outcome" tabIndex={-1}>
      {done.length > 0 ? (
        <div class="alert alert--ok" role="status">
          <h2>{`${plural(done.length, 'case', 'cases')} ${verb}`}</h2>
          <ul class="bulk-list">
            {done.map((d) => (
              <li>
                {caseLink(d.reference)} {d.what}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {refused.length > 0 ? (
        <div class="alert alert--error" role="alert">
          <h2>{`${plural(refused.length, 'case was', 'cases were')} not ${verb}`}</h2>
          <ul class="bulk-list">
            {refused.map((r) => (
              <li>
                <strong>{r.reference}</strong>: {r.why}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
