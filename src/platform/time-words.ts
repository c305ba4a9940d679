/**
 * One way to write a time of day wherever staff and residents read one (issue 18): "4:30 pm",
 * lowercase am/pm after a space, no leading zero on the hour, the minutes always given. Pages,
 * customer messages and the command line all write times through clockTime.
 */

/** 16, 30 → "4:30 pm"; 0, 5 → "12:05 am"; 12, 0 → "12:00 pm". */
export function clockTime(hour: number, minute: number): string {
  const h = ((Math.trunc(hour) % 24) + 24) % 24;
  return `${h % 12 === 0 ? 12 : h % 12}:${String(Math.trunc(minute)).padStart(2, '0')} ${h < 12 ? 'am' : 'pm'}`;
}

/** Minutes after midnight (a closing time of 16:30 is 990) → "4:30 pm". */
export const clockTimeOfMinutes = (minutes: number): string => clockTime(Math.floor(minutes / 60), minutes % 60);

const weekdayNames = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Administration hours in words (ISO weekdays 1–7, minutes after midnight): "Monday to Friday, 8:30 am to 4:30 pm, except holidays". */
export function administrationHoursWords(hours: { days: readonly number[]; opens: number; closes: number }): string {
  const sorted = [...hours.days].sort((a, b) => a - b);
  const consecutive = sorted.every((d, i) => i === 0 || d === sorted[i - 1]! + 1);
  const dayWords =
    sorted.length === 0 ? '' : consecutive && sorted.length > 2 ? `${weekdayNames[sorted[0]! - 1]} to ${weekdayNames[sorted.at(-1)! - 1]}` : sorted.map((d) => weekdayNames[d - 1]).join(', ');
  return `${dayWords}, ${clockTimeOfMinutes(hours.opens)} to ${clockTimeOfMinutes(hours.closes)}, except holidays`;
}
