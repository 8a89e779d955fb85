/**
 * Quiet hours in the customer's local time. A send time inside them moves to their end
 * (never dropped, never early). Works on wall-clock minutes so DST changes are handled
 * by the time zone database, not by fixed offsets.
 */
export interface QuietHours {
  start: string;
  end: string;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Building a formatter costs far more than using one (time zone data is loaded each time): one per zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string) {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    seconds: Number(parts.second),
  };
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export const localDate = (at: Date, timeZone: string) => wallClock(at, timeZone).date;

export function isQuiet(at: Date, timeZone: string, quiet: QuietHours): boolean {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  const { minutes } = wallClock(at, timeZone);
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

/** The earliest instant at or after `at` that is outside quiet hours. */
export function nextSendableTime(at: Date, timeZone: string, quiet: QuietHours): Date {
  if (!isQuiet(at, timeZone, quiet)) return at;
  const end = minutesOf(quiet.end);
  const { date, minutes } = wallClock(at, timeZone);
  const endDate = minutes < end ? date : addDays(date, 1);
  let candidate = instantOfWallClock(endDate, end, timeZone);
  // When clocks fall back the end time happens twice: the first may lie before `at`.
  while (candidate < at) candidate = new Date(candidate.getTime() + 3_600_000);
  // A DST gap can swallow the end minute itself; then the first minute after it counts.
  while (isQuiet(candidate, timeZone, quiet)) candidate = new Date(candidate.getTime() + 60_000);
  return candidate;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The instant at which a time zone's wall clock shows `date` at `minutes` past midnight. */
export function instantOfWallClock(date: string, minutes: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const wanted = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1, 0, minutes);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const shown = wallClock(new Date(guess), timeZone);
    const [sy, sm, sd] = shown.date.split('-').map(Number);
    const shownUtc = Date.UTC(sy ?? 0, (sm ?? 1) - 1, sd ?? 1, 0, shown.minutes, shown.seconds);
    guess += wanted - shownUtc;
  }
  return new Date(guess);
}
