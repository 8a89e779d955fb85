import { describe, expect, it } from 'vitest';
import type { ScoreBucket } from '#web/dashboard/api.ts';
import { figureOf, funnelBy, ragOf, sumBy } from '#web/dashboard/figures.ts';
import { allowedBreakdown, answerableFilters, breakdownAllowed, filterAllowed } from '#web/dashboard/filters.ts';

const targets = { nps: { green: 50, amber: 30 }, csat: { green: 90, amber: 80 }, ces: { green: 5.5, amber: 5 } };
const bucket = (fields: Partial<ScoreBucket>): ScoreBucket => ({
  period: '2026-11',
  group: 'all',
  responses: 0,
  score: 0,
  enoughData: true,
  ...fields,
});

describe('sumBy and figureOf', () => {
  it('adds NPS buckets by their counts, not by averaging their scores', () => {
    const buckets = [
      bucket({ period: '2026-10-30', responses: 10, promoters: 10, passives: 0, detractors: 0, score: 100 }),
      bucket({ period: '2026-11', responses: 30, promoters: 10, passives: 5, detractors: 15, score: -16.7 }),
    ];

    const figure = figureOf('nps', sumBy('nps', buckets, () => 'all').get('all') ?? expect.fail(), 10);

    // (20 − 15) / 40 = 12.5; p = .5, d = .375: 1.96 · 100 · √((.875 − .015625) / 40) = 28.7
    expect(figure).toMatchObject({
      responses: 40,
      score: 12.5,
      marginOfError: 28.7,
      good: 20,
      neutral: 5,
      bad: 15,
      enoughData: true,
    });
  });

  it('gives CSAT as % satisfied with the margin of error of a share', () => {
    const figure = figureOf(
      'csat',
      sumBy('csat', [bucket({ responses: 100, satisfied: 90, dissatisfied: 4, score: 90 })], () => 'x').get('x') ?? expect.fail(),
      10,
    );

    // 1.96 · 100 · √(.9 · .1 / 100) = 5.88
    expect(figure).toMatchObject({ score: 90, marginOfError: 5.9, good: 90, neutral: 6, bad: 4 });
  });

  it('gives CES as the mean over all answers, weighted by each bucket’s answers, and no margin', () => {
    const buckets = [
      bucket({ responses: 3, easy: 3, difficult: 0, score: 6 }),
      bucket({ responses: 1, easy: 0, difficult: 1, score: 2 }),
    ];

    const figure = figureOf('ces', sumBy('ces', buckets, () => 'all').get('all') ?? expect.fail(), 1);

    expect(figure).toMatchObject({ score: 5, marginOfError: undefined, good: 3, bad: 1 });
  });

  it('groups by the bucket’s group', () => {
    const sums = sumBy(
      'nps',
      [
        bucket({ group: 'a', responses: 1, promoters: 1 }),
        bucket({ group: 'b', responses: 2, detractors: 2 }),
        bucket({ group: 'a', responses: 1, detractors: 1 }),
      ],
      (b) => b.group,
    );

    expect([...sums.keys()]).toEqual(['a', 'b']);
    expect(sums.get('a')?.responses).toBe(2);
  });

  it('has not enough data below the minimum sample, and none without answers', () => {
    const counters = { responses: 9, promoters: 9, passives: 0, detractors: 0, scoreSum: 0 };

    expect(figureOf('nps', counters, 10).enoughData).toBe(false);
    expect(figureOf('nps', { ...counters, responses: 10, promoters: 10 }, 10).enoughData).toBe(true);
    expect(figureOf('nps', { responses: 0, promoters: 0, passives: 0, detractors: 0, scoreSum: 0 }, 0).enoughData).toBe(false);
  });
});

describe('ragOf', () => {
  it('is green at the target, amber at the amber threshold, red below', () => {
    expect(ragOf('nps', 50, targets)).toBe('green');
    expect(ragOf('nps', 49.9, targets)).toBe('amber');
    expect(ragOf('nps', 30, targets)).toBe('amber');
    expect(ragOf('nps', 29.9, targets)).toBe('red');
    expect(ragOf('ces', 5.5, targets)).toBe('green');
    expect(ragOf('ces', 4.99, targets)).toBe('red');
    expect(ragOf('csat', 85, targets)).toBe('amber');
  });
});

describe('funnelBy', () => {
  it('sums counts and reasons, then computes the rates from the sums', () => {
    const figure = funnelBy(
      [
        {
          period: '2026-11-01',
          group: 'all',
          visits: 10,
          sent: 8,
          answered: 2,
          suppressed: { throttled: 2 },
          suppressedTotal: 2,
        },
        {
          period: '2026-11-02',
          group: 'all',
          visits: 10,
          sent: 9,
          answered: 6,
          suppressed: { throttled: 1, opted_out: 0 },
          suppressedTotal: 1,
        },
      ],
      () => 'all',
    ).get('all');

    expect(figure).toEqual({
      visits: 20,
      sent: 17,
      answered: 8,
      suppressedTotal: 3,
      suppressed: { throttled: 3, opted_out: 0 },
      responseRate: 47.1,
      suppressionRate: 15,
    });
  });

  it('has no rate without a denominator', () => {
    const figure = funnelBy(
      [{ period: 'p', group: 'g', visits: 0, sent: 0, answered: 0, suppressed: {}, suppressedTotal: 0 }],
      (b) => b.group,
    ).get('g');

    expect(figure).toMatchObject({ responseRate: null, suppressionRate: null });
  });
});

describe('which filters and breakdowns go together', () => {
  it('allows a store with one other filter, but not two others', () => {
    expect(filterAllowed('department', { store: 'sh-pudong' })).toBe(true);
    expect(filterAllowed('advisor', { store: 'sh-pudong', department: 'workshop' })).toBe(false);
    expect(filterAllowed('advisor', { department: 'workshop' })).toBe(false);
    expect(filterAllowed('store', { department: 'workshop' })).toBe(true);
  });

  it('offers the breakdowns a rollup view can answer', () => {
    expect(breakdownAllowed('advisor', { store: 'sh-pudong' })).toBe(true);
    expect(breakdownAllowed('advisor', { department: 'workshop' })).toBe(false);
    expect(breakdownAllowed('department', { department: 'workshop' })).toBe(true);
    expect(allowedBreakdown('serviceType', { store: 'sh-pudong', department: 'workshop' })).toBe('store');
  });

  it('keeps the store and the first other filter of a combination that cannot be read', () => {
    expect(answerableFilters({ advisor: 'A-1', serviceType: 'repair', store: 's' })).toEqual({ store: 's', advisor: 'A-1' });
    expect(answerableFilters({ department: '', advisor: 'A-1' })).toEqual({ advisor: 'A-1' });
  });
});
