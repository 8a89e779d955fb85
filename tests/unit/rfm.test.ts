import { describe, expect, it } from 'vitest';
import { isLoyal, type RfmCutPoints, rfmOf, segmentOf } from '#shared/domain/rfm.ts';
import { localConfig } from './fakes.ts';

const cuts: RfmCutPoints = { recencyDays: [45, 120, 240, 400], visits: [2, 3, 5, 8], spend: [1500, 4000, 10_000, 25_000] };
const NOW = new Date('2026-12-01T00:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

describe('rfmOf', () => {
  it('scores recency 5 within the first cut point, down to 1 beyond the last', () => {
    const r = (d: number) => rfmOf({ visits: 1, spend: 0, lastVisitAt: daysAgo(d) }, NOW, cuts).r;
    expect([0, 45, 46, 120, 121, 240, 400, 401].map(r)).toEqual([5, 5, 4, 4, 3, 3, 2, 1]);
  });

  it('scores frequency and spend 1 below the first cut point, 5 from the last one', () => {
    const score = (visits: number, spend: number) => rfmOf({ visits, spend, lastVisitAt: daysAgo(1) }, NOW, cuts);
    expect([1, 2, 3, 4, 5, 7, 8, 20].map((v) => score(v, 0).f)).toEqual([1, 2, 3, 3, 4, 4, 5, 5]);
    expect([0, 1499, 1500, 4000, 9999, 10_000, 25_000].map((s) => score(1, s).m)).toEqual([1, 1, 2, 3, 3, 4, 5]);
  });

  it('gives a customer with no visit on record the lowest recency', () => {
    expect(rfmOf({ visits: 0, spend: 0, lastVisitAt: undefined }, NOW, cuts)).toEqual({ r: 1, f: 1, m: 1 });
  });

  it('ships defaults in the config that match these cut points', () => {
    expect(localConfig().retention.rfm).toEqual(cuts);
  });
});

describe('segmentOf', () => {
  it.each([
    [{ r: 5, f: 5, m: 5 }, 'champions'],
    [{ r: 4, f: 4, m: 4 }, 'champions'],
    [{ r: 3, f: 4, m: 4 }, 'loyal'],
    [{ r: 5, f: 3, m: 3 }, 'loyal'],
    [{ r: 2, f: 4, m: 5 }, 'cant_lose'],
    [{ r: 1, f: 5, m: 4 }, 'cant_lose'],
    [{ r: 2, f: 3, m: 3 }, 'at_risk'],
    [{ r: 1, f: 3, m: 5 }, 'at_risk'],
    [{ r: 5, f: 1, m: 1 }, 'new'],
    [{ r: 4, f: 1, m: 5 }, 'new'],
    [{ r: 3, f: 1, m: 1 }, 'potential_loyalists'],
    [{ r: 5, f: 2, m: 2 }, 'potential_loyalists'],
    [{ r: 4, f: 4, m: 2 }, 'potential_loyalists'],
    [{ r: 2, f: 2, m: 1 }, 'hibernating'],
    [{ r: 2, f: 5, m: 1 }, 'hibernating'],
    [{ r: 1, f: 2, m: 2 }, 'lost'],
    [{ r: 1, f: 1, m: 1 }, 'lost'],
  ] as const)('puts %o in %s', (score, segment) => {
    expect(segmentOf(score)).toBe(segment);
  });

  it('decides overlapping rules by their order: cant_lose before at_risk, new before potential_loyalists', () => {
    // Both at_risk (F ≥ 3, M ≥ 3) and cant_lose (F ≥ 4, M ≥ 4) match; the more valuable wins.
    expect(segmentOf({ r: 2, f: 4, m: 4 })).toBe('cant_lose');
    // Both new (F = 1) and potential_loyalists (R ≥ 3) match; recency 4+ with one visit is new.
    expect(segmentOf({ r: 4, f: 1, m: 3 })).toBe('new');
    // champions before loyal
    expect(segmentOf({ r: 4, f: 5, m: 4 })).toBe('champions');
  });
});

describe('isLoyal', () => {
  it('needs frequency and spend of 3 or more, whatever the recency', () => {
    expect(isLoyal({ r: 1, f: 3, m: 3 })).toBe(true);
    expect(isLoyal({ r: 5, f: 3, m: 2 })).toBe(false);
    expect(isLoyal({ r: 5, f: 2, m: 5 })).toBe(false);
  });
});
