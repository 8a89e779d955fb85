/** Rollup periods of a local calendar date: day, ISO week and month. */
export const granularities = ['day', 'week', 'month'] as const;
export type Granularity = (typeof granularities)[number];

const utc = (date: string) => new Date(`${date}T00:00:00Z`);

export function isoWeek(date: string): string {
  const d = utc(date);
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function periodOf(date: string, granularity: Granularity): string {
  switch (granularity) {
    case 'day':
      return date;
    case 'week':
      return isoWeek(date);
    case 'month':
      return date.slice(0, 7);
  }
}

/**
 * Rollup items of one view are kept in one partition per month (daily buckets) or per
 * year (weekly, monthly buckets), so a year of any granularity reads in ≤ 12 queries.
 */
export const partitionOfPeriod = (period: string, granularity: Granularity) =>
  granularity === 'day' ? period.slice(0, 7) : period.slice(0, 4);

/** Every partition a date range's periods live in, in order. */
export function partitionsBetween(from: string, to: string, granularity: Granularity): string[] {
  const first = partitionOfPeriod(periodOf(from, granularity), granularity);
  const last = partitionOfPeriod(periodOf(to, granularity), granularity);
  const out: string[] = [];
  if (granularity === 'day') {
    let [y, m] = first.split('-').map(Number) as [number, number];
    for (;;) {
      const key = `${y}-${String(m).padStart(2, '0')}`;
      out.push(key);
      if (key >= last) break;
      m += 1;
      if (m > 12) {
        m = 1;
        y += 1;
      }
    }
  } else {
    for (let y = Number(first); y <= Number(last); y++) out.push(String(y));
  }
  return out;
}
