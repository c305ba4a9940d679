import type { Tx } from '../../db/connect.js';
import type { StaffMember } from '../../directory/staff.js';
import { documentHref, documentTitle, listTrainingFor, type TrainingItem } from '../../governance/training.js';
import { formatDate } from '../format.js';
import { StatusBadge } from './training-pages.js';

/**
 * The governance items of a person's home page: what they still have to read (CSS §7.2). Shown
 * below the queues' counts, so urgent case work stays first and is never blocked.
 */

export interface GovernanceHomeData {
  training: TrainingItem[];
  zone: string;
}

export async function loadGovernanceHome(tx: Tx, staff: StaffMember, now: Date): Promise<GovernanceHomeData> {
  const { items, zone } = await listTrainingFor(tx, staff.id, now);
  return { training: items.filter((i) => i.status !== 'done'), zone };
}

export function GovernanceHomeItems(props: { data: GovernanceHomeData }) {
  const { training, zone } = props.data;
  if (training.length === 0) return null;
  const overdue = training.some((i) => i.status === 'overdue');
  return (
    <section class={`card training-banner${overdue ? ' training-banner--overdue' : ''}`} aria-labelledby="home-training">
      <h2 id="home-training">What to read</h2>
      <p class="muted">Every staff member reads the Standard and their division's targets and confirms it (CSS §7.2). Your cases come first; read when you have a moment.</p>
      <ul class="home-cases">
        {training.map((i) => (
          <li>
            <a href={documentHref(i.document)}>{documentTitle(i.document)}</a> <StatusBadge item={i} />
            <span class="home-due">
              {i.status === 'overdue' ? 'Was due by' : 'Due by'} {formatDate(i.dueAt, zone)}
            </span>
          </li>
        ))}
      </ul>
      <p class="home-more">
        <a href="/staff/training">Read and confirm</a>
      </p>
    </section>
  );
}
