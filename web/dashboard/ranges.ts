/** Calendar dates (YYYY-MM-DD) as the viewer sees them, and how a range maps onto rollup periods. */
import type { Granularity } from '#shared/domain/periods.ts';

const DAY = 86_400_000;

/** The viewer's calendar date: toISOString() alone gives the UTC date, a day behind in Asia every morning. */
export const localDate = (d: Date): string => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);

const utc = (date: string) => Date.parse(`${date}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (date: string, days: number) => iso(utc(date) + days * DAY);
const daysBetween = (from: string, to: string) => Math.round((utc(to) - utc(from)) / DAY);
const lastOfMonth = (date: string) => {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return iso(Date.UTC(y, m, 0));
};
const firstOfMonth = (date: string) => `${date.slice(0, 7)}-01`;

export const presets = ['7d', '30d', '90d', 'thisMonth', 'lastMonth', '12m'] as const;
export type Preset = (typeof presets)[number];

/** The dates a preset stands for, ending today (the viewer's date). */
export function presetRange(preset: Preset, today: string): { from: string; to: string } {
  switch (preset) {
    case '7d':
      return { from: addDays(today, -6), to: today };
    case '30d':
      return { from: addDays(today, -29), to: today };
    case '90d':
      return { from: addDays(today, -89), to: today };
    case 'thisMonth':
      return { from: firstOfMonth(today), to: today };
    case 'lastMonth': {
      const last = addDays(firstOfMonth(today), -1);
      return { from: firstOfMonth(last), to: last };
    }
    case '12m':
      return { from: addDays(today, -364), to: today };
  }
}

/** The range of the same length just before this one: what "compared with the previous period" means. */
export function previousRange(from: string, to: string): { from: string; to: string } {
  const days = daysBetween(from, to) + 1;
  return { from: addDays(from, -days), to: addDays(from, -1) };
}

/** The longest range the dashboard asks for: the closed-loop figures cover at most a year. */
const MAX_RANGE_DAYS = 366;

export function rangeProblem(from: string, to: string): 'invalid' | 'reversed' | 'tooLong' | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || Number.isNaN(utc(from) + utc(to))) {
    return 'invalid';
  }
  if (from > to) return 'reversed';
  if (daysBetween(from, to) > MAX_RANGE_DAYS) return 'tooLong';
  return undefined;
}

interface Segment {
  granularity: Extract<Granularity, 'day' | 'month'>;
  from: string;
  to: string;
}

/**
 * The fewest rollup reads that cover exactly from..to: whole months as monthly buckets, the
 * partial months at either end as daily ones (a monthly bucket would bring in days outside
 * the range).
 */
export function exactSegments(from: string, to: string): Segment[] {
  const firstWhole = from === firstOfMonth(from) ? from : addDays(lastOfMonth(from), 1);
  const lastWhole = to === lastOfMonth(to) ? to : addDays(firstOfMonth(to), -1);
  if (firstWhole > lastWhole) return [{ granularity: 'day', from, to }];
  const segments: Segment[] = [];
  if (from < firstWhole) segments.push({ granularity: 'day', from, to: addDays(firstWhole, -1) });
  segments.push({ granularity: 'month', from: firstWhole, to: lastWhole });
  if (lastWhole < to) segments.push({ granularity: 'day', from: addDays(lastWhole, 1), to });
  return segments;
}

/** Whether weekly or monthly buckets at the range's edges reach beyond it (whole calendar periods). */
export function edgesArePartial(from: string, to: string, granularity: Granularity): boolean {
  if (granularity === 'day') return false;
  if (granularity === 'month') return from !== firstOfMonth(from) || to !== lastOfMonth(to);
  const weekday = (date: string) => new Date(utc(date)).getUTCDay() || 7;
  return weekday(from) !== 1 || weekday(to) !== 7;
}
