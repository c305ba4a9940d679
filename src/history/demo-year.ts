import { DateTime } from 'luxon';
import type { Db } from '../db/connect.js';
import type { Row } from '../db/schema.js';
import { loadDirectory, type Directory } from '../directory/directory-cache.js';
import { createStaffUser, loadStaffMember, type StaffMember } from '../directory/staff.js';
import { acknowledgeCase } from '../cases/acknowledge-case.js';
import { caseServices, type CaseServices } from '../cases/case-services.js';
import { findCase, type CaseRow } from '../cases/case-record.js';
import { createCase, type IntakeInput } from '../cases/create-case.js';
import { reclassifyCase } from '../cases/reclassify-case.js';
import { reopenCase, resolveCase } from '../cases/resolve-case.js';
import { sendUpdate } from '../cases/send-update.js';
import { confirmTransfer, transferCase } from '../cases/transfer-case.js';
import { requestEscalation } from '../escalation/request-escalation.js';
import { decideReviewListEntry, reviewEscalation } from '../escalation/review-escalation.js';
import { sweep } from '../escalation/sweep.js';
import { fixedClock } from '../platform/clock.js';
import { AppError, isAppError } from '../platform/errors.js';
import type { AttributeValues } from '../standard/attributes.js';
import { seededRandom } from './seeded-random.js';
import { answerSurvey } from '../feedback/answer-survey.js';
import { sweepSurveys } from '../feedback/sweep-surveys.js';
import { defaultSurveyLinks, signSurveyToken, surveyKey } from '../feedback/survey-token.js';

/**
 * `citydesk demo`: a year of the sample City, lived through citydesk's own use cases and sweep
 * with a moving clock: contacts taken with the read-back by Customer Service or sent from the
 * portal, acknowledged (most on time, some late), updated with revised timelines, transferred and
 * confirmed, reclassified, escalated by the sweep at each level and reviewed by the heads,
 * resolved and sometimes reopened. Nothing is written into the tables directly, so everything a
 * City sees afterwards (queues, timelines, outbox, breaches, escalations, KPIs) is what citydesk
 * itself made. The same seed, year and end give the same year.
 */

/**
 * What to simulate. A database holding a demo year stopped part-way (Ctrl-C) continues it: the
 * options left out are the stopped year's, and those given must be its own (else an error says
 * what to do, or with `force` the stopped year is left as it is and a new one begins on top).
 */
export interface DemoOptions {
  db: Db;
  /** Default: the year of `now`. */
  year?: number;
  /** Default 2019. */
  seed?: number;
  /** Cases over the whole year (default 8,500, Kawartha Lakes' 2019 volume); a shorter period gets its share. */
  casesPerYear?: number;
  /** The simulation stops here, or at the end of the year if sooner (default: `now`). */
  until?: Date;
  /** The real time: the simulation never goes past it (default: no limit but the year's end and `until`). */
  now?: Date;
  /** Accept a database that already holds citydesk's own cases, or leave a stopped demo year as it is and start another. */
  force?: boolean;
  /** Aborted: the run stops after the current step and saves a checkpoint the next run continues from. */
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; at: string }) => void;
  /** Steps between two onProgress calls (default 50). */
  progressEvery?: number;
  /** Told, before its first step, that a stopped demo year is being continued. */
  onContinue?: (run: { stoppedAt: string; year: number; seed: number; casesPerYear: number; until: string }) => void;
  /** The demo accounts' password (config/staff.yaml demoPassword), for the accounts the demo adds. */
  password: string | undefined;
}

export interface DemoSummary {
  year: number;
  seed: number;
  from: string;
  until: string;
  cases: number;
  actions: Record<string, number>;
  /** Steps the Standard's rules refused at their moment (a case transferred meanwhile, say): counted, not forced. */
  refused: Record<string, number>;
  /** The first refusal of each kind, in the words citydesk gave. */
  refusedExamples: Record<string, string>;
  sweeps: number;
  breaches: number;
  escalations: Record<'1' | '2' | '3', number>;
  staffCreated: number;
  stopped: boolean;
  /** When stopped (Ctrl-C): the simulated time it had reached. */
  stoppedAt: string | null;
  /** When this run continued a stopped one: the simulated time it continued from. */
  continuedFrom: string | null;
}

type PlanStepKind = 'intake' | 'acknowledge' | 'update' | 'transfer' | 'confirm' | 'reclassify' | 'resolve' | 'reopen' | 'ask-escalation';
type OtherStep = { kind: 'review'; reference: string; level: number } | { kind: 'decide'; reference: string } | { kind: 'survey'; reference: string } | { kind: 'sweep' };
type Step = { kind: PlanStepKind; plan: CasePlan } | OtherStep;
/** A step as the checkpoint keeps it: its case plan by number, as several steps share one plan. */
type SavedStep = { kind: PlanStepKind; plan: number } | OtherStep;
interface SavedAgenda {
  next: number;
  items: { at: number; seq: number; step: SavedStep }[];
}

interface CasePlan {
  n: number;
  reference?: string;
  receivedAt: number;
  kind: 'inquiry' | 'service_request';
  typeCode?: string;
  channel: string;
  late: boolean;
  revise: boolean;
  transfer: boolean;
  reclassify: boolean;
  reopen: boolean;
  lateResolution: boolean;
  askEscalation: boolean;
  firstContact: boolean;
  resolveAfter: number;
  holdAcknowledgment: boolean;
  slowConfirmation: boolean;
  /** How late a late acknowledgment comes, in days after its target. */
  lateBy: [number, number];
}

/** A binary heap of steps by time (ties in insertion order), so the simulation is deterministic. */
class Agenda {
  private items: { at: number; seq: number; step: Step }[] = [];
  private seq = 0;
  get size(): number {
    return this.items.length;
  }
  push(at: number, step: Step): void {
    const item = { at, seq: this.seq++, step };
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[p]!, a[i]!)) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): { at: number; step: Step } | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
  private less(x: { at: number; seq: number }, y: { at: number; seq: number }): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
  /** The steps to come, with the plans they share listed once. */
  save(): { agenda: SavedAgenda; plans: CasePlan[] } {
    const plans = new Map<number, CasePlan>();
    const items = this.items.map(({ at, seq, step }) => {
      if (!('plan' in step)) return { at, seq, step };
      plans.set(step.plan.n, step.plan);
      return { at, seq, step: { kind: step.kind, plan: step.plan.n } };
    });
    return { agenda: { next: this.seq, items }, plans: [...plans.values()] };
  }
  /** The agenda saved: the steps of one case plan share it again, and ties keep their order. */
  static restore(saved: SavedAgenda, plans: readonly CasePlan[]): Agenda {
    const byNumber = new Map(plans.map((p) => [p.n, p]));
    const agenda = new Agenda();
    agenda.items = saved.items.map(({ at, seq, step }) => {
      if (!('plan' in step)) return { at, seq, step };
      const plan = byNumber.get(step.plan);
      if (!plan) throw new Error(`the demo checkpoint's agenda names case plan ${step.plan}, which it does not hold`);
      return { at, seq, step: { kind: step.kind, plan } };
    });
    agenda.seq = saved.next;
    return agenda;
  }
}

const firstNames = ['Avery', 'Blake', 'Cameron', 'Dana', 'Emerson', 'Finley', 'Gray', 'Harper', 'Indigo', 'Jamie', 'Kendall', 'Logan', 'Marley', 'Noor', 'Oakley', 'Parker', 'Quinn', 'Reese', 'Sage', 'Toni'];
const lastNames = ['Anderson', 'Bouchard', 'Campbell', 'Desjardins', 'Evans', 'Fraser', 'Gagnon', 'Hughes', 'Ivanov', 'Johnston', 'Kaur', 'Leblanc', 'MacDonald', 'Nguyen', 'Ouellette', 'Patel', 'Roy', 'Smith', 'Tremblay', 'Wilson'];
const streets = ['Kent St W', 'Lindsay St S', 'Colborne St E', 'Angeline St N', 'Queen St', 'William St N', 'Glenelg St W', 'Mary St W', 'Peel St', 'Russell St E', 'Durham St W', 'Bond St W'];
const places = [
  { town: 'Lindsay', lat: 44.3561, lon: -78.7395 },
  { town: 'Bobcaygeon', lat: 44.5392, lon: -78.5433 },
  { town: 'Fenelon Falls', lat: 44.5349, lon: -78.7399 },
  { town: 'Omemee', lat: 44.2986, lon: -78.5589 },
  { town: 'Woodville', lat: 44.4, lon: -78.9833 },
];
const questions = ['Which days is garbage collected on my street?', 'How do I pay my property tax instalment online?', 'Is the Lindsay Service Centre open on Saturday?', 'Do I need a permit for a backyard deck?', 'When do the beaches open for the summer?', 'How do I get a new blue box?'];

const DAY = 86_400_000;

/** How to begin again from nothing: citydesk never deletes a case's history, so on a new database. */
export const newDatabaseAdvice =
  'stop citydesk, move the data folder away (CITYDESK_DATA_DIR, ./data by default) or point DATABASE_URL at a new database, start citydesk once and run citydesk demo again';

/**
 * A demo year stopped part-way (Ctrl-C) keeps its cases up to the stop and a checkpoint, and the
 * next `citydesk demo` continues it. What to do.
 */
export const stoppedDemoAdvice = `A demo stopped part-way (Ctrl-C) keeps its cases up to the stop and where it was: run citydesk demo again (without options, or with the same ones) to continue it where it stopped. To start again from nothing instead, ${newDatabaseAdvice}.`;

/** The demo's summary in words, for the terminal. */
export function describeDemoSummary(summary: DemoSummary): string {
  const actions = Object.entries(summary.actions)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  return (
    (summary.continuedFrom ? `Continued the demo year stopped at ${summary.continuedFrom.slice(0, 16)}.\n` : '') +
    `Simulated ${summary.from.slice(0, 10)} to ${(summary.stoppedAt ?? summary.until).slice(0, 16)} (seed ${summary.seed})${summary.stopped ? `: STOPPED before the end (${summary.until.slice(0, 16)})` : ''}:\n` +
    `  ${summary.cases} cases; ${actions}\n` +
    `  ${summary.sweeps} sweeps recorded ${summary.breaches} missed deadlines and escalated ${summary.escalations[1]} to Division Heads, ${summary.escalations[2]} to Department Heads, ${summary.escalations[3]} to the CAO\n` +
    (summary.staffCreated > 0 ? `  ${summary.staffCreated} demo staff accounts created (password as in config/staff.yaml)\n` : '') +
    (summary.stopped ? `${stoppedDemoAdvice}\n` : '') +
    `Sign in at /staff with a demo account (README) to see it.\n`
  );
}

export async function runDemoYear(options: DemoOptions): Promise<DemoSummary> {
  const { db } = options;
  let directory = await loadDirectory(db.kysely);
  const zone = directory.calendar.timeZone;
  const realNow = options.now ?? new Date();
  const { checkpoint, ownCases } = await continuing(db, options, (at) => directory.calendar.format(at));

  const year = checkpoint?.year ?? options.year ?? DateTime.fromJSDate(realNow, { zone }).year;
  const seed = checkpoint?.seed ?? options.seed ?? 2019;
  const perYear = checkpoint?.cases_per_year ?? options.casesPerYear ?? 8500;
  const random = seededRandom(seed);
  if (checkpoint) random.restore(checkpoint.random_state!);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chance = (p: number): boolean => random() < p;

  const from = DateTime.fromObject({ year, month: 1, day: 1, hour: 0 }, { zone }).toMillis();
  const endOfYear = DateTime.fromObject({ year: year + 1, month: 1, day: 1, hour: 0 }, { zone }).toMillis();
  const asked = options.until ?? realNow;
  const until = checkpoint ? new Date(checkpoint.until).getTime() : Math.min(endOfYear, asked.getTime(), options.now?.getTime() ?? Infinity);
  if (until <= from) throw new AppError('VALIDATION_FAILED', `The demo year ${year} has not begun yet: choose ${DateTime.fromMillis(asked.getTime(), { zone }).year} or earlier.`);
  const clock = fixedClock(new Date(checkpoint ? new Date(checkpoint.reached_at!).getTime() : from));
  const staffCreated = checkpoint ? 0 : await ensureDemoStaff(db, directory, options.password, new Date(from));
  directory = await loadDirectory(db.kysely);
  const services: CaseServices = caseServices(db, clock);
  const people = checkpoint ? await restorePeople(db, checkpoint.people as SavedPeople) : await demoPeople(db, directory);
  const calendar = directory.calendar;
  if (checkpoint) options.onContinue?.({ stoppedAt: calendar.format(clock.now().getTime()), year, seed, casesPerYear: perYear, until: calendar.format(until) });

  const summary: DemoSummary = checkpoint
    ? { ...(checkpoint.summary as DemoSummary), stopped: false, stoppedAt: null, continuedFrom: calendar.format(clock.now().getTime()) }
    : {
        year,
        seed,
        from: calendar.format(from),
        until: calendar.format(until),
        cases: 0,
        actions: {},
        refused: {},
        refusedExamples: {},
        sweeps: 0,
        breaches: 0,
        escalations: { 1: 0, 2: 0, 3: 0 },
        staffCreated,
        stopped: false,
        stoppedAt: null,
        continuedFrom: null,
      };
  const did = (kind: string) => (summary.actions[kind] = (summary.actions[kind] ?? 0) + 1);
  const refused = (kind: string) => (summary.refused[kind] = (summary.refused[kind] ?? 0) + 1);

  const saved = checkpoint?.plans as SavedPlans | undefined;
  const types =
    saved?.types ??
    directory.activeRequestTypeCodes.filter((code) => {
      try {
        directory.serviceTargets(code, from);
        return true;
      } catch {
        return false;
      }
    });
  const agenda = checkpoint ? Agenda.restore(checkpoint.agenda as SavedAgenda, saved!.plans) : new Agenda();
  if (!checkpoint) {
    // The contacts: the year's volume spread over weekdays' administration hours (the portal and
    // e-mail also evenings and weekends), and a livelier last few days so today's queues are full.
    const share = (until - from) / (endOfYear - from);
    const total = Math.max(20, Math.round(perYear * share));
    // The last business day before the end, from the end's time of day: contacts then are due for
    // acknowledgment later today, so "due today" has cases in it when the demo ends.
    let previous = DateTime.fromMillis(until, { zone }).minus({ days: 1 });
    while (!calendar.isBusinessDay(previous.toISODate()!) && previous.toMillis() > from) previous = previous.minus({ days: 1 });
    const previousClose = calendar.hoursOf(previous.toISODate()!).closes;
    const previousFrom = Math.min(previousClose - 3_600_000, previous.toMillis() + (until - DateTime.fromMillis(until, { zone }).startOf('day').toMillis()));
    const lastDays = Math.min(until - from, 2 * DAY);
    const recentCount = Math.max(20, Math.round(total * 0.05));
    for (let n = 0; n < total; n += 1) {
      const recent = n < recentCount;
      // The last days' contacts keep every queue busy when the demo ends: due later today (role 0),
      // acknowledgment overdue (1), just in (2), a transfer waiting for its confirmation (3).
      const role = recent ? n % 4 : -1;
      const inWindow = role === 0 && previousFrom > from;
      const day = inWindow
        ? previousFrom
        : role === 1
          ? until - (5 + random()) * DAY
          : role === 3
            ? until - (2 + random()) * DAY
            : recent
              ? until - lastDays + random() * lastDays
              : from + random() * (until - from);
      const local = DateTime.fromMillis(day, { zone }).startOf('day');
      const date = local.toISODate()!;
      const open = calendar.isBusinessDay(date);
      const hours = calendar.hoursOf(date);
      const portalOnly = !inWindow && (!open || chance(0.12));
      const receivedAt = inWindow
        ? previousFrom + random() * (previousClose - previousFrom)
        : portalOnly
          ? local.toMillis() + (7 + random() * 15) * 3_600_000
          : hours.opens + random() * (hours.closes - hours.opens);
      if (receivedAt >= until || receivedAt < from) continue;
      const kind = chance(0.62) ? 'service_request' : 'inquiry';
      const channel = portalOnly ? (kind === 'inquiry' && chance(0.4) ? 'email' : 'web_portal') : pick(['phone', 'phone', 'phone', 'email', 'web_portal', 'in_person', ...(kind === 'inquiry' ? ['social_media'] : [])]);
      const plan: CasePlan = {
        n,
        receivedAt,
        kind,
        ...(kind === 'service_request' ? { typeCode: pick(types) } : {}),
        channel,
        late: role === 1 || (!recent && chance(0.1)),
        revise: kind === 'service_request' && chance(0.2),
        transfer: role === 3 || chance(0.05),
        reclassify: kind === 'service_request' && chance(0.04),
        reopen: chance(0.03),
        lateResolution: chance(0.14),
        askEscalation: kind === 'service_request' && chance(0.02),
        firstContact: kind === 'inquiry' && channel !== 'web_portal' && channel !== 'email' && channel !== 'social_media' && chance(0.3),
        resolveAfter: random(),
        // The last days' contacts are acknowledged just before their target: some still wait at the end.
        holdAcknowledgment: role === 0 || role === 2,
        slowConfirmation: role === 3,
        lateBy: role === 1 ? [6, 9] : [0.05, 3],
      };
      agenda.push(receivedAt, { kind: 'intake', plan });
    }
    // The sweep, as the server runs it: here twice a business day and once on other days.
    for (let day = DateTime.fromMillis(from, { zone }); day.toMillis() < until; day = day.plus({ days: 1 })) {
      const date = day.toISODate()!;
      const times = calendar.isBusinessDay(date) ? [day.set({ hour: 7 }), day.set({ hour: 12, minute: 30 })] : [day.set({ hour: 9 })];
      for (const t of times) if (t.toMillis() < until) agenda.push(t.toMillis(), { kind: 'sweep' });
    }
  }
  const runId = await beginRun(db, { checkpoint, year, seed, perYear, until, asked: options.until ?? null, ownCases, now: realNow });
  let done = checkpoint?.steps_done ?? 0;
  const progressEvery = options.progressEvery ?? 50;

  const staffOf = (divisionId: number): StaffMember => people.divisionStaff.get(divisionId) ?? people.csRep;
  const caseOf = async (plan: CasePlan): Promise<CaseRow> => findCase(db.kysely, plan.reference!);
  const later = (at: number, min: number, max: number) => at + (min + random() * (max - min)) * DAY;
  /** A time within the administration hours of a business day at or after `at`. */
  const workTime = (at: number): number => {
    let day = DateTime.fromMillis(at, { zone });
    for (let i = 0; i < 14; i += 1) {
      const date = day.toISODate()!;
      if (calendar.isBusinessDay(date)) {
        const h = calendar.hoursOf(date);
        if (at < h.closes) return Math.max(at, h.opens + random() * 3_600_000);
      }
      day = day.plus({ days: 1 }).startOf('day');
      at = day.toMillis();
    }
    return at;
  };
  const futureDate = (now: number, days: number): string => DateTime.fromMillis(now + days * DAY, { zone }).toISODate()!;

  try {
    while (agenda.size > 0) {
      if (options.signal?.aborted) {
        summary.stopped = true;
        summary.stoppedAt = calendar.format(clock.now().getTime());
        break;
      }
      const next = agenda.pop()!;
      if (next.at >= until) continue;
      clock.set(new Date(next.at));
      const step = next.step;
      done += 1;
      if (done % progressEvery === 0) options.onProgress?.({ done, total: done + agenda.size, at: calendar.format(next.at) });
      try {
        switch (step.kind) {
          case 'sweep': {
            const result = await sweep({ db, now: clock.now() });
            summary.sweeps += 1;
            summary.breaches += result.breaches.length;
            for (const e of result.escalations) {
              summary.escalations[String(e.level) as '1' | '2' | '3'] += 1;
              // §5.2: the head it went to reviews it, most within two business days.
              agenda.push(workTime(later(next.at, 0.2, chance(0.8) ? 2 : 9)), { kind: 'review', reference: e.reference, level: e.level });
            }
            for (const r of result.reviewListed) agenda.push(workTime(later(next.at, 0.5, 3)), { kind: 'decide', reference: r.reference });
            // §6.2: the survey sweep invites the customers of resolved cases; about a third answer the e-mail.
            const surveys = await sweepSurveys({ db, now: clock.now(), links: defaultSurveyLinks });
            for (const invited of surveys.invited) {
              did('survey-invitation');
              if (invited.channel === 'email' && chance(0.35)) agenda.push(later(next.at, 0.1, 4), { kind: 'survey', reference: invited.reference });
            }
            break;
          }
          case 'survey': {
            const invitation = await db.kysely
              .selectFrom('survey_invitation as i')
              .innerJoin('service_case as c', 'c.id', 'i.case_id')
              .select(['i.id', 'i.expires_at'])
              .where('c.reference', '=', step.reference)
              .executeTakeFirst();
            if (!invitation) break;
            const key = await surveyKey(db.kysely, defaultSurveyLinks, clock.now());
            const token = signSurveyToken(key, { id: invitation.id, expiresAt: new Date(invitation.expires_at) });
            const rating = 1 + Math.min(4, Math.floor(random() * 5.6));
            await answerSurvey({ services, token, input: { rating: String(rating), resolved: rating >= 3 ? 'yes' : 'no', comment: rating <= 2 ? 'It took too long and nobody called me back.' : '' } });
            did('survey-answer');
            break;
          }
          case 'intake': {
            const plan = step.plan;
            const input = intakeInput(plan, directory, pick, chance, random);
            const origin = plan.channel === 'web_portal' ? { via: 'portal' } : { staff: people.csRep };
            const { caseRow } = await createCase({ services, origin, input });
            plan.reference = caseRow.reference;
            summary.cases += 1;
            did('intake');
            if (caseRow.status === 'resolved') break;
            const ackBy = new Date(caseRow.acknowledge_by).getTime();
            const ackAt = plan.holdAcknowledgment
              ? ackBy - 20 * 60_000
              : plan.late
                ? workTime(later(ackBy, plan.lateBy[0], plan.lateBy[1]))
                : Math.min(ackBy - 60_000, workTime(next.at + (0.1 + random() * 0.7) * (ackBy - next.at)));
            agenda.push(Math.max(next.at + 60_000, ackAt), { kind: 'acknowledge', plan });
            if (plan.askEscalation) agenda.push(later(ackBy, 3, 12), { kind: 'ask-escalation', plan });
            break;
          }
          case 'acknowledge': {
            const plan = step.plan;
            const c = await caseOf(plan);
            const staff = c.division_id === people.customerServiceId ? people.csRep : staffOf(c.division_id);
            // §3.3: an inquiry not answered at once is given the date of its full response.
            const investigate = plan.kind === 'inquiry';
            await acknowledgeCase({
              services,
              staff,
              reference: c.reference,
              input: {
                nextSteps: plan.kind === 'inquiry' ? 'We are looking into your question and will answer by the date given.' : 'A crew will inspect the location and schedule the work.',
                contact: `${staff.name}, ${staff.email}`,
                ...(investigate ? { timeline: futureDate(next.at, 3 + Math.floor(random() * 10)) } : {}),
              },
            });
            did('acknowledge');
            const resolveBy = c.resolve_by === null ? next.at + (2 + random() * 6) * DAY : new Date(c.resolve_by).getTime();
            const span = Math.max(resolveBy - next.at, DAY / 2);
            const resolveAt = plan.lateResolution ? later(resolveBy, 1, 25) : next.at + (0.15 + 0.8 * plan.resolveAfter) * span;
            if (plan.transfer) agenda.push(plan.slowConfirmation ? next.at + 30 * 60_000 : workTime(next.at + 0.1 * span), { kind: 'transfer', plan });
            else if (plan.reclassify) agenda.push(workTime(next.at + 0.1 * span), { kind: 'reclassify', plan });
            if (plan.revise) agenda.push(workTime(next.at + 0.4 * span), { kind: 'update', plan });
            agenda.push(workTime(resolveAt), { kind: 'resolve', plan });
            break;
          }
          case 'update': {
            const c = await caseOf(step.plan);
            if (c.status !== 'open') break;
            await sendUpdate({
              services,
              staff: staffOf(c.division_id),
              reference: c.reference,
              input: { status: 'The work is scheduled; materials are on order.', timeline: futureDate(next.at, 5 + Math.floor(random() * 20)), reason: 'Parts had to be ordered.' },
            });
            did('update');
            break;
          }
          case 'transfer': {
            const c = await caseOf(step.plan);
            if (c.status !== 'open') break;
            const others = people.divisionsWithStaff.filter((id) => id !== c.division_id && id !== people.customerServiceId);
            const to = directory.division(pick(others))!;
            await transferCase({ services, staff: staffOf(c.division_id), reference: c.reference, input: { toDivision: to.code, note: 'This belongs to your division.' } });
            did('transfer');
            // §3.1: the receiving division confirms, most within the day, some late.
            agenda.push(workTime(later(next.at, 0.05, step.plan.slowConfirmation ? 9 : chance(0.85) ? 0.8 : 4) + (step.plan.slowConfirmation ? 5 * DAY : 0)), { kind: 'confirm', plan: step.plan });
            break;
          }
          case 'confirm': {
            const c = await caseOf(step.plan);
            if (c.transfer_to_division_id === null) break;
            await confirmTransfer({ services, staff: staffOf(c.transfer_to_division_id), reference: c.reference });
            did('confirm');
            break;
          }
          case 'reclassify': {
            const c = await caseOf(step.plan);
            if (c.status !== 'open' || c.request_type_id === null) break;
            const current = directory.requestType(c.request_type_id)!;
            const sameDivision = types.filter((t) => t !== current.code && directory.serviceTargets(t, next.at).division.id === c.division_id);
            if (sameDivision.length === 0) break;
            const code = pick(sameDivision);
            await reclassifyCase({ services, staff: staffOf(c.division_id), reference: c.reference, input: { requestType: code, reason: 'The inspection found a different problem.', attributes: attributesFor(directory, code, pick) } });
            did('reclassify');
            break;
          }
          case 'resolve': {
            const plan = step.plan;
            const c = await caseOf(plan);
            if (c.status !== 'open') break;
            if (c.transfer_to_division_id !== null) {
              agenda.push(workTime(later(next.at, 1, 2)), { kind: 'resolve', plan });
              break;
            }
            await resolveCase({ services, staff: staffOf(c.division_id), reference: c.reference, input: { resolution: plan.kind === 'inquiry' ? 'We answered your question by phone and e-mail.' : 'The crew completed the repair.' } });
            did('resolve');
            if (plan.reopen) {
              plan.reopen = false;
              agenda.push(workTime(later(next.at, 1, 6)), { kind: 'reopen', plan });
            }
            break;
          }
          case 'reopen': {
            const plan = step.plan;
            const c = await caseOf(plan);
            if (c.status !== 'resolved') break;
            await reopenCase({ services, staff: people.csRep, reference: c.reference, input: { reason: 'The customer called: the problem is back.' } });
            did('reopen');
            plan.lateResolution = false;
            agenda.push(workTime(later(next.at, 1, 5)), { kind: 'resolve', plan });
            break;
          }
          case 'ask-escalation': {
            const c = await caseOf(step.plan);
            if (c.status !== 'open') break;
            await requestEscalation({ services, reference: c.reference, grounds: 'missed_target', comment: 'The customer asked to speak to someone more senior.', staff: people.csRep });
            did('ask-escalation');
            break;
          }
          case 'review': {
            const c = await findCase(db.kysely, step.reference);
            if (c.status !== 'open' || c.escalation_level !== step.level) break;
            const head = headFor(directory, people, c);
            if (!head) break;
            await reviewEscalation({
              services,
              staff: head,
              reference: c.reference,
              input: { findings: 'Reviewed with the crew lead; the work is now scheduled first.', update: 'We have reviewed your request and scheduled the work.', timeline: futureDate(next.at, 3 + Math.floor(random() * 10)) },
            });
            did('review');
            break;
          }
          case 'decide': {
            const c = await findCase(db.kysely, step.reference);
            if (c.status !== 'open') break;
            await decideReviewListEntry({ services, staff: people.csManager, reference: c.reference, input: { decision: chance(0.3) ? 'escalate' : 'keep', reason: 'Updated and within its revised timeline; the customer agrees.' } });
            did('decide');
            break;
          }
        }
      } catch (error) {
        if (!isAppError(error)) throw error;
        refused(step.kind);
        summary.refusedExamples[step.kind] ??= (error as Error).message;
      }
    }
    // Everything due by the end has been seen by a sweep at the end.
    if (!summary.stopped) {
      clock.set(new Date(until - 1000));
      const last = await sweep({ db, now: clock.now() });
      summary.sweeps += 1;
      summary.breaches += last.breaches.length;
      for (const e of last.escalations) summary.escalations[String(e.level) as '1' | '2' | '3'] += 1;
    }
    if (summary.stopped) {
      const { agenda: remaining, plans } = agenda.save();
      await saveCheckpoint(db, runId, {
        reachedAt: clock.now(),
        randomState: random.state(),
        done,
        agenda: remaining,
        plans: { types, plans },
        people: savePeople(people),
        summary,
        now: realNow,
      });
    } else {
      await db.kysely
        .updateTable('demo_run')
        .set({ status: 'finished', updated_at: realNow, reached_at: new Date(until), summary: JSON.stringify(summary), random_state: null, agenda: null, plans: null, people: null, steps_done: done })
        .where('id', '=', runId)
        .execute();
    }
  } catch (error) {
    // Not a refusal of the Standard's rules (those are counted): the run ends here, without a checkpoint.
    await db.kysely.updateTable('demo_run').set({ status: 'failed', updated_at: realNow }).where('id', '=', runId).execute();
    throw error;
  }
  options.onProgress?.({ done, total: done, at: calendar.format(until) });
  return summary;
}

type DemoRun = Row<'demo_run'>;
interface SavedPlans {
  /** The request types the year's plans were drawn from. */
  types: string[];
  plans: CasePlan[];
}
/** The demo's people by staff id, as a checkpoint keeps them. */
interface SavedPeople {
  csRep: number;
  csManager: number;
  customerServiceId: number;
  divisionStaff: [number, number][];
  divisionHeads: [number, number][];
  departmentHeads: [number, number][];
  cao: number | null;
  divisionsWithStaff: number[];
}

const ownCaseCount = async (db: Db): Promise<number> =>
  Number((await db.kysely.selectFrom('service_case').select((eb) => eb.fn.countAll<number>().as('n')).where('import_source_id', 'is', null).executeTakeFirstOrThrow()).n);

/** What the stopped run was asked for, in the options' words. */
function describeRun(run: DemoRun, format: (at: number) => string): string {
  return `--year ${run.year} --seed ${run.seed} --cases ${run.cases_per_year} --until ${format(new Date(run.until).getTime()).slice(0, 16)}`;
}

/**
 * The stopped demo year this run continues, if any, and the database's own cases now. Refuses
 * (unless forced) a database whose cases are not a stopped demo year's that this run continues.
 */
async function continuing(db: Db, options: DemoOptions, format: (at: number) => string): Promise<{ checkpoint: DemoRun | undefined; ownCases: number }> {
  const open = await db.kysely.selectFrom('demo_run').selectAll().where('status', 'in', ['running', 'stopped']).orderBy('id', 'desc').executeTakeFirst();
  const ownCases = await ownCaseCount(db);
  const newYear = `For a new demo year from nothing, ${newDatabaseAdvice}`;
  if (open?.status === 'stopped') {
    const stoppedAt = format(new Date(open.reached_at!).getTime()).slice(0, 16);
    const conflicts: string[] = [];
    if (options.year !== undefined && options.year !== open.year) conflicts.push(`--year ${options.year} (it simulates ${open.year})`);
    if (options.seed !== undefined && options.seed !== open.seed) conflicts.push(`--seed ${options.seed} (its seed is ${open.seed})`);
    if (options.casesPerYear !== undefined && options.casesPerYear !== open.cases_per_year) conflicts.push(`--cases ${options.casesPerYear} (it makes ${open.cases_per_year} a year)`);
    const asked = options.until?.getTime();
    if (asked !== undefined && asked !== new Date(open.until).getTime() && asked !== (open.until_asked ? new Date(open.until_asked).getTime() : undefined)) {
      conflicts.push(`--until ${format(asked).slice(0, 16)} (it ends at ${format(new Date(open.until).getTime()).slice(0, 16)})`);
    }
    if (conflicts.length === 0) {
      const expected = open.own_cases_before + (open.summary as DemoSummary).cases;
      if (ownCases !== expected && !options.force) {
        throw new AppError(
          'CONFLICT',
          `This database holds a demo year stopped at ${stoppedAt}, but its cases changed since (${ownCases} of its own, the stopped year left ${expected}): continuing would mix invented cases with them. Add --force to continue it anyway. ${newYear}.`,
        );
      }
      return { checkpoint: open, ownCases };
    }
    if (!options.force) {
      throw new AppError(
        'CONFLICT',
        `This database holds a demo year stopped at ${stoppedAt} (${describeRun(open, format)}); ${conflicts.join(', ')} would make another year on top of it. To continue it, run citydesk demo without ${conflicts.length > 1 ? 'these options' : 'this option'} (or with the stopped year's). ${newYear}. Or add --force to leave the stopped year as it is and add another on top.`,
      );
    }
  } else if (open?.status === 'running' && !options.force) {
    throw new AppError(
      'CONFLICT',
      `A demo year (${describeRun(open, format)}) began on this database and did not stop cleanly (it was killed, or it is still running elsewhere): its cases up to there stay, but it left no checkpoint to continue from. ${newYear}, or add --force if this one is only for trying citydesk out.`,
    );
  }
  if (ownCases > 0 && !options.force) {
    throw new AppError('CONFLICT', `This database already holds cases of its own: the demo year would mix invented cases with them. Run it on a new database (${newDatabaseAdvice}), or add --force if this one is only for trying citydesk out.`);
  }
  return { checkpoint: undefined, ownCases };
}

/** Records the run's start, or that a stopped one goes on; a stopped or broken run left behind (--force) is marked abandoned. */
async function beginRun(
  db: Db,
  run: { checkpoint: DemoRun | undefined; year: number; seed: number; perYear: number; until: number; asked: Date | null; ownCases: number; now: Date },
): Promise<number> {
  return db.kysely.transaction().execute(async (tx) => {
    if (run.checkpoint) {
      await tx.updateTable('demo_run').set({ status: 'running', updated_at: run.now }).where('id', '=', run.checkpoint.id).execute();
      return run.checkpoint.id;
    }
    await tx.updateTable('demo_run').set({ status: 'abandoned', updated_at: run.now }).where('status', 'in', ['running', 'stopped']).execute();
    const row = await tx
      .insertInto('demo_run')
      .values({ year: run.year, seed: run.seed, cases_per_year: run.perYear, until: new Date(run.until), until_asked: run.asked, status: 'running', started_at: run.now, updated_at: run.now, own_cases_before: run.ownCases })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

/** The checkpoint of a run stopped after its current step, in one transaction. */
async function saveCheckpoint(
  db: Db,
  runId: number,
  state: { reachedAt: Date; randomState: number; done: number; agenda: SavedAgenda; plans: SavedPlans; people: SavedPeople; summary: DemoSummary; now: Date },
): Promise<void> {
  await db.kysely.transaction().execute(async (tx) => {
    await tx
      .updateTable('demo_run')
      .set({
        status: 'stopped',
        updated_at: state.now,
        reached_at: state.reachedAt,
        random_state: state.randomState,
        steps_done: state.done,
        agenda: JSON.stringify(state.agenda),
        plans: JSON.stringify(state.plans),
        people: JSON.stringify(state.people),
        summary: JSON.stringify(state.summary),
      })
      .where('id', '=', runId)
      .execute();
  });
}

function savePeople(people: DemoPeople): SavedPeople {
  const ids = (m: Map<number, StaffMember>): [number, number][] => [...m].map(([key, member]) => [key, member.id]);
  return {
    csRep: people.csRep.id,
    csManager: people.csManager.id,
    customerServiceId: people.customerServiceId,
    divisionStaff: ids(people.divisionStaff),
    divisionHeads: ids(people.divisionHeads),
    departmentHeads: ids(people.departmentHeads),
    cao: people.cao?.id ?? null,
    divisionsWithStaff: people.divisionsWithStaff,
  };
}

/** The stopped year's people again, from their accounts. */
async function restorePeople(db: Db, saved: SavedPeople): Promise<DemoPeople> {
  const load = async (id: number): Promise<StaffMember> => {
    const member = await loadStaffMember(db.kysely, id);
    if (!member) throw new AppError('CONFIG_INVALID', `The stopped demo year works with staff account ${id}, which is no longer in the database: it cannot be continued. For a new demo year from nothing, ${newDatabaseAdvice}.`);
    return member;
  };
  const members = async (pairs: [number, number][]): Promise<Map<number, StaffMember>> => {
    const map = new Map<number, StaffMember>();
    for (const [key, id] of pairs) map.set(key, await load(id));
    return map;
  };
  return {
    csRep: await load(saved.csRep),
    csManager: await load(saved.csManager),
    customerServiceId: saved.customerServiceId,
    divisionStaff: await members(saved.divisionStaff),
    divisionHeads: await members(saved.divisionHeads),
    departmentHeads: await members(saved.departmentHeads),
    cao: saved.cao === null ? undefined : await load(saved.cao),
    divisionsWithStaff: saved.divisionsWithStaff,
  };
}

function attributesFor(directory: Directory, code: string, pick: <T>(list: readonly T[]) => T): AttributeValues {
  const type = directory.serviceTargets(code, Date.UTC(2026, 0, 1)).requestType;
  const values: AttributeValues = {};
  for (const a of type.attributes) {
    if (a.values && a.values.length > 0) values[a.code] = pick(a.values.filter((v) => v.key !== 'unknown')).key;
    else if (a.required) values[a.code] = a.datatype === 'number' ? '12' : 'LP-1042';
  }
  return values;
}

function intakeInput(plan: CasePlan, directory: Directory, pick: <T>(list: readonly T[]) => T, chance: (p: number) => boolean, random: () => number): IntakeInput {
  const first = pick(firstNames);
  const last = pick(lastNames);
  const place = pick(places);
  const email = chance(0.65) ? `${first}.${last}.${plan.n}@example.com`.toLowerCase() : undefined;
  const phone = !email || chance(0.5) ? `705-555-${String(1000 + Math.floor(random() * 8999))}` : undefined;
  const customer = chance(0.05) ? undefined : { name: `${first} ${last}`, email, phone };
  const serviceCentre = plan.channel === 'in_person' ? pick(directory.serviceCentres).code : undefined;
  if (plan.kind === 'inquiry') {
    const question = pick(questions);
    return {
      kind: 'inquiry',
      channel: plan.channel,
      serviceCentre,
      customer,
      description: question,
      summary: `The customer asks: ${question}`,
      summaryConfirmed: true,
      ...(plan.firstContact ? { resolveAtFirstContact: { answer: 'Answered during the call from the City website and the Service Centre hours.' } } : {}),
    };
  }
  const type = directory.serviceTargets(plan.typeCode!, plan.receivedAt).requestType;
  const address = `${10 + Math.floor(random() * 400)} ${pick(streets)}, ${place.town}`;
  return {
    kind: 'service_request',
    channel: plan.channel,
    serviceCentre,
    requestType: type.code,
    customer,
    description: `${type.name} reported near ${address}.`,
    summary: `${type.name} at ${address}. The customer confirmed the location.`,
    summaryConfirmed: true,
    location: { address, latitude: Number((place.lat + (random() - 0.5) * 0.04).toFixed(5)), longitude: Number((place.lon + (random() - 0.5) * 0.06).toFixed(5)) },
    attributes: attributesFor(directory, type.code, pick),
  };
}

interface DemoPeople {
  csRep: StaffMember;
  csManager: StaffMember;
  customerServiceId: number;
  divisionStaff: Map<number, StaffMember>;
  divisionHeads: Map<number, StaffMember>;
  departmentHeads: Map<number, StaffMember>;
  cao: StaffMember | undefined;
  divisionsWithStaff: number[];
}

async function demoPeople(db: Db, directory: Directory): Promise<DemoPeople> {
  const rows = await db.kysely.selectFrom('staff_user').select(['id', 'role', 'division_id', 'department_id']).where('active', '=', true).orderBy('id').execute();
  const members = new Map<number, StaffMember>();
  for (const r of rows) {
    const m = await loadStaffMember(db.kysely, r.id);
    if (m) members.set(r.id, m);
  }
  const find = (role: string) => rows.find((r) => r.role === role);
  const cs = directory.customerServiceDivision();
  const rep = rows.find((r) => r.role === 'customer_service');
  const manager = find('manager_customer_service');
  if (!rep || !manager || !cs) throw new AppError('CONFIG_INVALID', 'The demo needs a Customer Service representative and a Manager of Customer Service account (config/staff.yaml): run citydesk seed first.');
  const divisionStaff = new Map<number, StaffMember>();
  const divisionHeads = new Map<number, StaffMember>();
  const departmentHeads = new Map<number, StaffMember>();
  for (const r of rows) {
    if (r.role === 'division_staff' && r.division_id !== null && !divisionStaff.has(r.division_id)) divisionStaff.set(r.division_id, members.get(r.id)!);
    if (r.role === 'division_head' && r.division_id !== null && !divisionHeads.has(r.division_id)) divisionHeads.set(r.division_id, members.get(r.id)!);
    if (r.role === 'department_head' && r.department_id !== null && !departmentHeads.has(r.department_id)) departmentHeads.set(r.department_id, members.get(r.id)!);
  }
  const cao = find('cao');
  return {
    csRep: members.get(rep.id)!,
    csManager: members.get(manager.id)!,
    customerServiceId: cs.id,
    divisionStaff,
    divisionHeads,
    departmentHeads,
    cao: cao ? members.get(cao.id) : undefined,
    divisionsWithStaff: [...divisionStaff.keys()],
  };
}

/** Who reviews an escalation now: the heads of the division responsible now (CSS §5.2), as reviewEscalation checks. */
function headFor(directory: Directory, people: DemoPeople, c: CaseRow): StaffMember | undefined {
  if (c.escalation_level === 1) return people.divisionHeads.get(c.division_id);
  if (c.escalation_level === 2) {
    const department = directory.division(c.division_id)?.departmentId;
    return department === undefined ? undefined : people.departmentHeads.get(department);
  }
  return c.escalation_level === 3 ? people.cao : undefined;
}

/**
 * Every division that takes service requests gets a demo staff member and a Division Head, and
 * every department a Department Head, where config/staff.yaml has none: the demo's work needs
 * someone in each. They are demo accounts like the shipped ones (same password).
 */
async function ensureDemoStaff(db: Db, directory: Directory, password: string | undefined, now: Date): Promise<number> {
  const rows = await db.kysely.selectFrom('staff_user').select(['email', 'role', 'division_id', 'department_id']).execute();
  const domain = rows.find((r) => r.email.includes('@'))?.email.split('@')[1] ?? 'example.org';
  const departments = await db.kysely.selectFrom('department').select(['id', 'code', 'name', 'is_cao_office']).execute();
  let created = 0;
  const make = async (email: string, name: string, role: string, place: { division?: string; department?: string }) => {
    if (rows.some((r) => r.email.toLowerCase() === email)) return;
    if (password === undefined) throw new AppError('CONFIG_INVALID', `The demo needs an account for ${name} and config/staff.yaml has no demoPassword to give it: add one, or create the account with citydesk user create.`);
    await createStaffUser({ tx: db.kysely, staff: { email, name, role, password, ...place }, now });
    created += 1;
  };
  for (const d of directory.divisions) {
    if (d.isCustomerService || d.code.includes('-imported') || !directory.activeRequestTypeCodes.some((code) => directory.serviceTargets(code, now.getTime()).division.id === d.id)) continue;
    if (!rows.some((r) => r.role === 'division_staff' && r.division_id === d.id)) await make(`demo.${d.code}.staff@${domain}`, `${d.name} staff (demo)`, 'division_staff', { division: d.code });
    if (!rows.some((r) => r.role === 'division_head' && r.division_id === d.id)) await make(`demo.${d.code}.head@${domain}`, `${d.name} Head (demo)`, 'division_head', { division: d.code });
  }
  for (const dep of departments) {
    if (dep.is_cao_office || dep.code.endsWith('-imported')) continue;
    if (!rows.some((r) => r.role === 'department_head' && r.department_id === dep.id)) await make(`demo.${dep.code}.head@${domain}`, `${dep.name} Director (demo)`, 'department_head', { department: dep.code });
  }
  return created;
}

