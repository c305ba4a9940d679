import type { Tx } from '../../db/connect.js';
import type { StaffMember } from '../../directory/staff.js';
import { listReviews, type ReviewView } from '../../governance/list-reviews.js';
import { scheduleReviews } from '../../governance/schedule-reviews.js';
import { documentHref, documentTitle, listTrainingFor, type TrainingItem } from '../../governance/training.js';
import { formatCalendarDate, formatDate } from '../format.js';
import { ReviewBadge } from './review-pages.js';
import { StatusBadge } from './training-pages.js';

/**
 * The governance items of a person's home page, below the queues' counts (urgent case work stays
 * first and is never blocked): what they still have to read (CSS §7.2), and for the Working Group
 * and the Manager of Customer Service, or a review's owner, the reviews due soon or overdue (§8.2).
 */

export interface GovernanceHomeData {
  training: TrainingItem[];
  reviews: ReviewView[];
  zone: string;
}

/** Reviews due within this many days show on the home page (overdue ones always do). */
const reviewHorizonDays = 90;

export async function loadGovernanceHome(tx: Tx, staff: StaffMember, now: Date, today: string): Promise<GovernanceHomeData> {
  const { items, zone } = await listTrainingFor(tx, staff.id, now);
  let reviews: ReviewView[] = [];
  const oversees = staff.role === 'working_group' || staff.role === 'manager_customer_service';
  if (oversees || staff.role === 'division_head') {
    // The sweep schedules reviews every minute; the overseers' home does not wait for it.
    if (oversees) await scheduleReviews(tx, now);
    const horizon = new Date(Date.parse(`${today}T00:00:00Z`) + reviewHorizonDays * 86_400_000).toISOString().slice(0, 10);
    reviews = (await listReviews(tx, staff, today)).open.filter((r) => (oversees || r.owner?.id === staff.id) && (r.state === 'overdue' || r.dueOn <= horizon));
  }
  return { training: items.filter((i) => i.status !== 'done'), reviews, zone };
}

export function GovernanceHomeItems(props: { data: GovernanceHomeData }) {
  const { training, reviews, zone } = props.data;
  return (
    <>
      {training.length > 0 ? (
        <section class={`card training-banner${training.some((i) => i.status === 'overdue') ? ' training-banner--overdue' : ''}`} aria-labelledby="home-training">
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
      ) : null}
      {reviews.length > 0 ? (
        <section class="card training-banner" aria-labelledby="home-reviews">
          <h2 id="home-reviews">Reviews due</h2>
          <p class="muted">The annual review of each division's targets and the Standard's review once per Council term (CSS §8.2).</p>
          <ul class="home-cases">
            {reviews.map((r) => (
              <li>
                <a href={`/staff/reviews/${r.id}`}>{r.title}</a> <ReviewBadge review={r} />
                <span class="home-due">
                  Due by {formatCalendarDate(r.dueOn)}; owner {r.owner?.name ?? 'not assigned'}
                </span>
              </li>
            ))}
          </ul>
          <p class="home-more">
            <a href="/staff/governance">All reviews</a>
          </p>
        </section>
      ) : null}
    </>
  );
}
