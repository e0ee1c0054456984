// Times in the window: compact in lists, relative in status, full in the detail pane. `now` and the locale
// options are parameters so the rules can be tested without a clock or a machine locale.

export interface TimeFormat {
  locale?: string;
  timeZone?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function parts(date: Date, format: TimeFormat): { year: string; month: string; day: string } {
  const formatter = new Intl.DateTimeFormat('en-CA', { timeZone: format.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const get = (type: string): string => formatter.formatToParts(date).find((part) => part.type === type)?.value ?? '';
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** Today: "14:05"; this year: "4 Mar"; older: "4 Mar 2024". */
export function formatListTime(iso: string, now: number, format: TimeFormat = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const here = parts(new Date(now), format);
  const then = parts(date, format);
  const { locale, timeZone } = format;
  if (here.year === then.year && here.month === then.month && here.day === then.day) {
    return date.toLocaleTimeString(locale, { timeZone, hour: '2-digit', minute: '2-digit' });
  }
  const sameYear = here.year === then.year;
  return date.toLocaleDateString(locale, { timeZone, day: 'numeric', month: 'short', year: sameYear ? undefined : 'numeric' });
}

/** "just now", "5 min ago", "3 h ago", "2 d ago"; and "in 12 s" for times ahead (a scheduled retry). */
export function formatRelative(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const delta = at - now;
  const ahead = delta > 0;
  const span = Math.abs(delta);
  if (!ahead && span < 5_000) return 'just now';
  let amount: string;
  if (span < MINUTE) amount = `${Math.max(1, Math.round(span / 1000))} s`;
  else if (span < HOUR) amount = `${Math.floor(span / MINUTE)} min`;
  else if (span < DAY) amount = `${Math.floor(span / HOUR)} h`;
  else amount = `${Math.floor(span / DAY)} d`;
  return ahead ? `in ${amount}` : `${amount} ago`;
}

/** The full, unambiguous time for tooltips and the detail pane. */
export function formatFullTime(iso: string, format: TimeFormat = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(format.locale, { timeZone: format.timeZone, dateStyle: 'medium', timeStyle: 'medium' });
}
