import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SurveyType } from '#shared/config/schema.ts';
import {
  addCounters,
  type Counters,
  countersFor,
  emptyCounters,
  isDetractor,
  isInScale,
  isRecovered,
  scoreBucket,
  type Sentiment,
  sentimentOf,
} from '#shared/domain/scoring.ts';

const counted = (survey: SurveyType, scores: number[]) =>
  scores.map((s) => countersFor(survey, s)).reduce(addCounters, emptyCounters());

describe('sentimentOf', () => {
  const nps: [number, Sentiment][] = [
    [0, 'detractor'],
    [1, 'detractor'],
    [5, 'detractor'],
    [6, 'detractor'],
    [7, 'passive'],
    [8, 'passive'],
    [9, 'promoter'],
    [10, 'promoter'],
  ];
  it.each(nps)('counts NPS %i as a %s', (score, expected) => {
    expect(sentimentOf('nps', score)).toBe(expected);
  });

  const csat: [number, Sentiment][] = [
    [1, 'detractor'],
    [2, 'detractor'],
    [3, 'passive'],
    [4, 'promoter'],
    [5, 'promoter'],
  ];
  it.each(csat)('counts CSAT %i as a %s (4–5 satisfied)', (score, expected) => {
    expect(sentimentOf('csat', score)).toBe(expected);
  });

  const ces: [number, Sentiment][] = [
    [1, 'detractor'],
    [3, 'detractor'],
    [4, 'passive'],
    [5, 'promoter'],
    [7, 'promoter'],
  ];
  it.each(ces)('counts CES %i as a %s (5–7 easy)', (score, expected) => {
    expect(sentimentOf('ces', score)).toBe(expected);
  });
});

describe('isDetractor', () => {
  it('flags NPS 6, CSAT 2 and CES 3 but not NPS 7, CSAT 3 or CES 4', () => {
    expect([isDetractor('nps', 6), isDetractor('csat', 2), isDetractor('ces', 3)]).toEqual([true, true, true]);
    expect([isDetractor('nps', 7), isDetractor('csat', 3), isDetractor('ces', 4)]).toEqual([false, false, false]);
  });
});

describe('isRecovered', () => {
  it('counts a next answer of NPS 7+ or CSAT 4+ as recovered', () => {
    expect([isRecovered('nps', 7), isRecovered('nps', 6)]).toEqual([true, false]);
    expect([isRecovered('csat', 4), isRecovered('csat', 3)]).toEqual([true, false]);
  });
});

describe('isInScale', () => {
  it('accepts the integer ends of each scale and nothing outside', () => {
    expect([isInScale('nps', 0), isInScale('nps', 10), isInScale('nps', 11), isInScale('nps', -1)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect([isInScale('csat', 0), isInScale('csat', 5), isInScale('ces', 7), isInScale('ces', 8)]).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('rejects a fractional score', () => {
    expect(isInScale('nps', 8.5)).toBe(false);
  });
});

describe('countersFor', () => {
  it('counts one response in its sentiment and adds the score to the sum', () => {
    expect(countersFor('nps', 6)).toEqual({ responses: 1, promoters: 0, passives: 0, detractors: 1, scoreSum: 6 });
  });
});

describe('scoreBucket', () => {
  it('scores 50 promoters, 30 passives and 20 detractors of 100 as NPS 30 with a margin of error of 15.3', () => {
    // p = 0.5, d = 0.2: 1.96 · 100 · √((0.5 + 0.2 − 0.3²) / 100) = 196 · √0.0061 = 15.308…
    const bucket = { responses: 100, promoters: 50, passives: 30, detractors: 20, scoreSum: 0 };

    const score = scoreBucket('nps', bucket);

    expect(score).toEqual({ promoters: 50, passives: 30, detractors: 20, score: 30, marginOfError: 15.3 });
  });

  it('gives a unanimous NPS bucket a margin of error of 0', () => {
    expect(scoreBucket('nps', counted('nps', [9, 10, 10, 9]))).toMatchObject({ score: 100, marginOfError: 0 });
    expect(scoreBucket('nps', counted('nps', [0, 3]))).toMatchObject({ score: -100, marginOfError: 0 });
  });

  it('gives one promoter and one detractor NPS 0 with a margin of error of 138.6', () => {
    // 196 · √((0.5 + 0.5 − 0) / 2) = 196 · 0.70711 = 138.59
    expect(scoreBucket('nps', counted('nps', [10, 0]))).toMatchObject({ score: 0, marginOfError: 138.6 });
  });

  it('rounds NPS to one decimal: 1 promoter of 3 is 33.3', () => {
    expect(scoreBucket('nps', counted('nps', [9, 7, 8]))).toMatchObject({ score: 33.3 });
  });

  it('scores CSAT as the share of 4s and 5s, the 3s not counting as satisfied', () => {
    expect(scoreBucket('csat', counted('csat', [5, 4, 3, 1]))).toEqual({ satisfied: 2, dissatisfied: 1, score: 50 });
  });

  it('scores CES as the mean to two decimals and also reports the share of 5–7', () => {
    expect(scoreBucket('ces', counted('ces', [7, 5, 4, 2]))).toEqual({ easy: 2, difficult: 1, score: 4.5, easyPercent: 50 });
    expect(scoreBucket('ces', counted('ces', [7, 6, 6]))).toMatchObject({ score: 6.33, easyPercent: 100 });
  });

  it.each(['nps', 'csat', 'ces'] as const)('scores an empty %s bucket as 0, not NaN', (survey) => {
    const score = scoreBucket(survey, emptyCounters());

    for (const value of Object.values(score)) expect(value).toBe(0);
  });

  it('computes NPS as %promoters − %detractors for any set of answers', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 300 }), (scores) => {
        const promoters = scores.filter((s) => s >= 9).length;
        const detractors = scores.filter((s) => s <= 6).length;
        const expected = (100 * (promoters - detractors)) / scores.length;

        const bucket = scoreBucket('nps', counted('nps', scores));

        if (!('marginOfError' in bucket)) throw new Error('an NPS bucket carries a margin of error');
        expect(Math.abs(bucket.score - expected)).toBeLessThanOrEqual(0.05 + 1e-9);
        expect(bucket.marginOfError).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('addCounters', () => {
  const counters: fc.Arbitrary<Counters> = fc.record({
    responses: fc.nat(1_000_000),
    promoters: fc.nat(1_000_000),
    passives: fc.nat(1_000_000),
    detractors: fc.nat(1_000_000),
    scoreSum: fc.nat(10_000_000),
  });

  it('is commutative', () => {
    fc.assert(
      fc.property(counters, counters, (a, b) => {
        expect(addCounters(a, b)).toEqual(addCounters(b, a));
      }),
      { numRuns: 300 },
    );
  });

  it('is associative, so rollups can be summed in any grouping', () => {
    fc.assert(
      fc.property(counters, counters, counters, (a, b, c) => {
        expect(addCounters(addCounters(a, b), c)).toEqual(addCounters(a, addCounters(b, c)));
      }),
      { numRuns: 300 },
    );
  });

  it('has the empty counters as identity', () => {
    fc.assert(
      fc.property(counters, (a) => {
        expect(addCounters(a, emptyCounters())).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });
});
