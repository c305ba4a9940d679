/**
 * The periods of the CSS §6.3 reports (INTERPRETATION §7) as pure date arithmetic: bi-annual
 * (January to June, July to December), annual (the calendar year), and the customer-feedback
 * analysis (a quarter by default, or any range of days). Dates are the City's local dates,
 * YYYY-MM-DD, inclusive. No I/O, no clock: "today" is always given.
 */

export type ReportKind = 'biannual' | 'annual' | 'feedback';
export const reportKinds: readonly ReportKind[] = ['biannual', 'annual', 'feedback'];

export interface ReportPeriod {
  /** 2026-H1, 2026, 2026-Q3, or 2026-03-01..2026-04-15. */
  code: string;
  from: string;
  to: string;
  /** "January to June 2026". */
  label: string;
}

export interface ReportDueRules {
  /** MM-DD of the same year, for January to June. */
  firstHalf: string;
  /** MM-DD of the next year, for July to December. */
  secondHalf: string;
  /** MM-DD of the next year. */
  annual: string;
  /** Days after a quarter's (or any period's) last day. */
  feedbackDays: number;
}

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY = 86_400_000;
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY;
const dateOf = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
export const addDays = (date: string, days: number): string => dateOf(dayNumber(date) + days);
const isDate = (text: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && dateOf(dayNumber(text)) === text;
const lastDay = (year: number, month: number): string => dateOf(Date.UTC(year, month, 0) / DAY); // month 1..12
const pad = (n: number): string => String(n).padStart(2, '0');

function longDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d} ${months[m - 1]} ${y}`;
}

export function halfYear(year: number, half: 1 | 2): ReportPeriod {
  return half === 1
    ? { code: `${year}-H1`, from: `${year}-01-01`, to: `${year}-06-30`, label: `January to June ${year}` }
    : { code: `${year}-H2`, from: `${year}-07-01`, to: `${year}-12-31`, label: `July to December ${year}` };
}

export function calendarYear(year: number): ReportPeriod {
  return { code: String(year), from: `${year}-01-01`, to: `${year}-12-31`, label: String(year) };
}

export function quarter(year: number, q: 1 | 2 | 3 | 4): ReportPeriod {
  const first = (q - 1) * 3 + 1;
  return { code: `${year}-Q${q}`, from: `${year}-${pad(first)}-01`, to: lastDay(year, first + 2), label: `${months[first - 1]} to ${months[first + 1]} ${year} (Q${q})` };
}

export function dayRange(from: string, to: string): ReportPeriod {
  return { code: `${from}..${to}`, from, to, label: `${longDate(from)} to ${longDate(to)}` };
}

/** Reads a period as written on the command line or in a form; the error says what to write. */
export function parseReportPeriod(kind: ReportKind, text: string): ReportPeriod | { error: string } {
  const t = text.trim();
  const year = (y: string) => Number(y) >= 2000 && Number(y) <= 2100;
  if (kind === 'biannual') {
    const m = /^(\d{4})-H([12])$/i.exec(t);
    if (m && year(m[1]!)) return halfYear(Number(m[1]), Number(m[2]) as 1 | 2);
    return { error: `"${t.slice(0, 30)}" is not a half-year: write the year and H1 (January to June) or H2 (July to December), e.g. 2026-H1.` };
  }
  if (kind === 'annual') {
    if (/^\d{4}$/.test(t) && year(t)) return calendarYear(Number(t));
    return { error: `"${t.slice(0, 30)}" is not a year: write it as four digits, e.g. 2026.` };
  }
  const q = /^(\d{4})-Q([1-4])$/i.exec(t);
  if (q && year(q[1]!)) return quarter(Number(q[1]), Number(q[2]) as 1 | 2 | 3 | 4);
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(t);
  if (range && isDate(range[1]!) && isDate(range[2]!)) {
    if (range[1]! > range[2]!) return { error: `The period starts (${range[1]}) after it ends (${range[2]}): give the first day first.` };
    if (dayNumber(range[2]!) - dayNumber(range[1]!) > 366 * 2) return { error: 'A feedback analysis covers at most two years: give a shorter range.' };
    return dayRange(range[1]!, range[2]!);
  }
  return { error: `"${t.slice(0, 30)}" is not a period: write a quarter (2026-Q3) or a range of days (2026-03-01..2026-04-15).` };
}

/** The period of the same length just before (the executive summary's comparison). */
export function previousPeriod(p: ReportPeriod): ReportPeriod {
  let m = /^(\d{4})-H([12])$/.exec(p.code);
  if (m) return m[2] === '1' ? halfYear(Number(m[1]) - 1, 2) : halfYear(Number(m[1]), 1);
  if (/^\d{4}$/.test(p.code)) return calendarYear(Number(p.code) - 1);
  m = /^(\d{4})-Q([1-4])$/.exec(p.code);
  if (m) return Number(m[2]) === 1 ? quarter(Number(m[1]) - 1, 4) : quarter(Number(m[1]), (Number(m[2]) - 1) as 1 | 2 | 3);
  const length = dayNumber(p.to) - dayNumber(p.from) + 1;
  return dayRange(addDays(p.from, -length), addDays(p.from, -1));
}

/** The latest period of this kind that has ended before `today` (what is to be reported next). */
export function latestEndedPeriod(kind: ReportKind, today: string): ReportPeriod {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  if (kind === 'annual') return calendarYear(year - 1);
  if (kind === 'biannual') return month >= 7 ? halfYear(year, 1) : halfYear(year - 1, 2);
  const q = Math.floor((month - 1) / 3); // quarters ended this year
  return q === 0 ? quarter(year - 1, 4) : quarter(year, q as 1 | 2 | 3);
}

/** When a period's report is due (CSS §6.3, dates in config/reports.yaml). */
export function reportDueOn(kind: ReportKind, p: ReportPeriod, rules: ReportDueRules): string {
  const year = Number(p.to.slice(0, 4));
  if (kind === 'annual') return `${year + 1}-${rules.annual}`;
  if (kind === 'biannual') return p.code.endsWith('H1') ? `${year}-${rules.firstHalf}` : `${year + 1}-${rules.secondHalf}`;
  return addDays(p.to, rules.feedbackDays);
}

/** Due (from the day after the period ends to the due date) or overdue (after it). */
export function dueState(dueOn: string, today: string): 'due' | 'overdue' {
  return today > dueOn ? 'overdue' : 'due';
}

/** The months (YYYY-MM) a period touches, in order. */
export function monthsOf(p: { from: string; to: string }): string[] {
  const out: string[] = [];
  let y = Number(p.from.slice(0, 4));
  let m = Number(p.from.slice(5, 7));
  const end = p.to.slice(0, 7);
  for (;;) {
    const key = `${y}-${pad(m)}`;
    out.push(key);
    if (key >= end) return out;
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
  }
}

export const reportTitles: Record<ReportKind, string> = {
  biannual: 'Bi-annual performance report',
  annual: 'Annual report to Council',
  feedback: 'Customer feedback analysis',
};

export const reportAudiences: Record<ReportKind, { code: 'smt_working_group' | 'council' | 'working_group'; words: string }> = {
  biannual: { code: 'smt_working_group', words: 'the Senior Management Team and the Corporate Customer Service Standards Working Group' },
  annual: { code: 'council', words: 'City Council' },
  feedback: { code: 'working_group', words: 'the Corporate Customer Service Standards Working Group' },
};

/**
 * The scorecard's verdict on a share against its target (percent), with the configured margin:
 * met, within N points under it, or not met. Too few cases or none: no verdict (INTERPRETATION §7).
 */
export type Verdict = 'met' | 'within' | 'not_met' | 'too_few' | 'no_data';

export function verdict(figure: { state: 'value' | 'too_few' | 'no_data'; value: number | null }, targetPercent: number, withinPoints: number): Verdict {
  if (figure.state !== 'value') return figure.state;
  const points = figure.value! * 100;
  // Rounding to a tenth of a point keeps 94.99999 from missing 95.
  const rounded = Math.round(points * 10) / 10;
  if (rounded >= targetPercent) return 'met';
  return rounded >= targetPercent - withinPoints ? 'within' : 'not_met';
}
