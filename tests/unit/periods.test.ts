import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoWeek, partitionOfPeriod, partitionsBetween, periodOf } from '#shared/domain/periods.ts';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = 86_400_000;

describe('isoWeek', () => {
  it.each([
    ['2026-01-01', '2026-W01'], // a Thursday: week 1 is the one with the year's first Thursday
    ['2025-12-29', '2026-W01'], // the Monday of that week, still in December
    ['2025-12-28', '2025-W52'],
    ['2027-01-01', '2026-W53'], // 2026 has 53 weeks
    ['2026-12-31', '2026-W53'],
    ['2027-01-04', '2027-W01'],
    ['2024-12-30', '2025-W01'],
    ['2021-01-03', '2020-W53'], // a Sunday closes the previous year's last week
    ['2026-06-15', '2026-W25'],
  ])('puts %s in %s', (date, week) => {
    expect(isoWeek(date)).toBe(week);
  });

  it('gives every day of a Monday-to-Sunday week the same week, and the next Monday the next one', () => {
    const mondays = fc.integer({ min: 0, max: 5000 }).map((weeks) => Date.UTC(2019, 11, 30) + weeks * 7 * DAY); // 2019-12-30 is a Monday
    fc.assert(
      fc.property(mondays, (monday) => {
        const week = isoWeek(day(monday));
        for (let d = 1; d < 7; d++) expect(isoWeek(day(monday + d * DAY))).toBe(week);

        const next = isoWeek(day(monday + 7 * DAY));
        const [year, n] = week.split('-W').map(Number) as [number, number];
        expect([`${year}-W${String(n + 1).padStart(2, '0')}`, `${year + 1}-W01`]).toContain(next);
      }),
      { numRuns: 300 },
    );
  });

  it('names a week by the year of its Thursday', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        const date = new Date(Math.floor(ms / DAY) * DAY);
        const weekday = date.getUTCDay() || 7;
        const thursday = new Date(date.getTime() + (4 - weekday) * DAY);

        expect(isoWeek(day(date.getTime())).slice(0, 4)).toBe(String(thursday.getUTCFullYear()));
      }),
      { numRuns: 300 },
    );
  });
});

describe('periodOf', () => {
  it('gives the day, the ISO week and the month of a date', () => {
    expect(periodOf('2027-01-01', 'day')).toBe('2027-01-01');
    expect(periodOf('2027-01-01', 'week')).toBe('2026-W53');
    expect(periodOf('2027-01-01', 'month')).toBe('2027-01');
  });
});

describe('partitionOfPeriod', () => {
  it('keeps daily buckets per month and weekly and monthly buckets per year', () => {
    expect(partitionOfPeriod('2026-11-20', 'day')).toBe('2026-11');
    expect(partitionOfPeriod('2026-W47', 'week')).toBe('2026');
    expect(partitionOfPeriod('2026-11', 'month')).toBe('2026');
  });
});

describe('partitionsBetween', () => {
  it('lists every month of a daily range across a year boundary', () => {
    expect(partitionsBetween('2025-11-15', '2026-02-03', 'day')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it('lists one partition for a range inside one month', () => {
    expect(partitionsBetween('2026-11-01', '2026-11-30', 'day')).toEqual(['2026-11']);
  });

  it('reads a whole year of days in 12 partitions', () => {
    expect(partitionsBetween('2026-01-01', '2026-12-31', 'day')).toHaveLength(12);
  });

  it('lists the week-years of a weekly range, so a late-December date reads the next year', () => {
    // 2024-12-30 is in 2025-W01, which lives in the 2025 partition.
    expect(partitionsBetween('2024-12-30', '2026-01-01', 'week')).toEqual(['2025', '2026']);
    expect(partitionsBetween('2026-12-31', '2027-01-01', 'week')).toEqual(['2026']);
  });

  it('lists both years of a monthly range across New Year', () => {
    expect(partitionsBetween('2025-12-31', '2026-01-01', 'month')).toEqual(['2025', '2026']);
  });

  it('always includes the partitions of both ends, in order, without gaps', () => {
    const dates = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map(day);
    fc.assert(
      fc.property(dates, dates, fc.constantFrom('day', 'week', 'month') as fc.Arbitrary<'day' | 'week' | 'month'>, (a, b, g) => {
        const [from, to] = a <= b ? [a, b] : [b, a];

        const partitions = partitionsBetween(from, to, g);

        expect(partitions[0]).toBe(partitionOfPeriod(periodOf(from, g), g));
        expect(partitions.at(-1)).toBe(partitionOfPeriod(periodOf(to, g), g));
        expect([...partitions].sort()).toEqual(partitions);
        expect(new Set(partitions).size).toBe(partitions.length);
      }),
      { numRuns: 300 },
    );
  });
});
