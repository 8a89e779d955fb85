import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contactFlagsOf,
  integrityFlags,
  isTopScore,
  normalUpperTail,
  twoProportionTest,
  webAnswerFlagsOf,
} from '#shared/domain/integrity.ts';
import { networkMatcher } from '#shared/domain/networks.ts';
import { flaggedCounter, foldIncrements } from '#shared/domain/rollups.ts';
import { cidr } from '#shared/config/schema.ts';
import { aResponse } from './fakes.ts';

const options = { minN: 30, maxPValue: 0.01 };

describe('normalUpperTail', () => {
  it('gives the textbook tails of the standard normal', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalUpperTail(2.5758293)).toBeCloseTo(0.005, 6);
    expect(normalUpperTail(-1.959964)).toBeCloseTo(0.975, 6);
  });
});

describe('twoProportionTest', () => {
  it('fires for 30 of 40 top scores against 20 of 60 for the peers (z 4.08, p 2.23e-5)', () => {
    const test = twoProportionTest({ k: 30, n: 40 }, { k: 20, n: 60 }, options);
    expect(test.z).toBeCloseTo(4.0825, 3);
    expect(test.pValue).toBeCloseTo(2.228e-5, 8);
    expect(test.fired).toBe(true);
    expect(test.why).toContain('75% of 40 against 33.3% of 60');
  });

  it('does not fire for a share below the peers (one-sided, p 0.637)', () => {
    const test = twoProportionTest({ k: 12, n: 40 }, { k: 20, n: 60 }, options);
    expect(test.pValue).toBeCloseTo(0.6369, 3);
    expect(test.fired).toBe(false);
  });

  it('runs no test below the minimum n, on either side', () => {
    expect(twoProportionTest({ k: 29, n: 29 }, { k: 0, n: 500 }, options)).toMatchObject({ pValue: null, fired: false });
    expect(twoProportionTest({ k: 45, n: 50 }, { k: 1, n: 10 }, options)).toMatchObject({ pValue: null, fired: false });
  });

  it('answers p = 1 when nobody on either side has the trait', () => {
    expect(twoProportionTest({ k: 0, n: 40 }, { k: 0, n: 60 }, options)).toMatchObject({ z: 0, pValue: 1, fired: false });
  });
});

describe('contactFlagsOf', () => {
  it('names a missing, an invalid, a shared and a staff phone', () => {
    expect(contactFlagsOf({ phone: 'none', otherCustomers: 0, isStaffPhone: false })).toEqual(['no_phone']);
    expect(contactFlagsOf({ phone: 'invalid', otherCustomers: 3, isStaffPhone: true })).toEqual(['invalid_phone']);
    expect(contactFlagsOf({ phone: 'valid', otherCustomers: 1, isStaffPhone: true })).toEqual(['shared_phone', 'staff_phone']);
    expect(contactFlagsOf({ phone: 'valid', otherCustomers: 0, isStaffPhone: false })).toEqual([]);
  });
});

describe('webAnswerFlagsOf', () => {
  const facts = {
    visitAt: '2026-11-20T02:00:00.000Z',
    answeredAt: '2026-11-20T02:10:00.000Z',
    fastAnswerMinutes: 10,
    fromStoreNetwork: false,
    otherCustomersOnDevice: 0,
  };
  it('counts exactly fastAnswerMinutes after the visit as fast, a second later as not', () => {
    expect(webAnswerFlagsOf(facts)).toEqual(['fast_answer']);
    expect(webAnswerFlagsOf({ ...facts, answeredAt: '2026-11-20T02:10:01.000Z' })).toEqual([]);
  });
  it('adds the store network and a shared device', () => {
    expect(
      webAnswerFlagsOf({ ...facts, answeredAt: '2026-11-21T00:00:00.000Z', fromStoreNetwork: true, otherCustomersOnDevice: 2 }),
    ).toEqual(['store_network', 'shared_device']);
  });
});

describe('streaks', () => {
  it('takes the scale’s best score as a top score', () => {
    expect(isTopScore('nps', 10)).toBe(true);
    expect(isTopScore('nps', 9)).toBe(false);
    expect(isTopScore('csat', 5)).toBe(true);
    expect(isTopScore('ces', 7)).toBe(true);
  });
});

describe('networkMatcher', () => {
  const inStore = networkMatcher(['203.0.113.0/24', '2001:db8:5::/48']);
  it('matches IPv4, IPv4 through IPv6 and IPv6 addresses in the networks', () => {
    expect(inStore('203.0.113.9')).toBe(true);
    expect(inStore('::ffff:203.0.113.9')).toBe(true);
    expect(inStore('2001:db8:5:1::7')).toBe(true);
  });
  it('does not match others, garbage, or any address when the store lists none', () => {
    expect(inStore('203.0.114.9')).toBe(false);
    expect(inStore('2001:db8:6::7')).toBe(false);
    expect(inStore('not an address')).toBe(false);
    expect(networkMatcher([])('203.0.113.9')).toBe(false);
  });
});

describe('the cidr config field', () => {
  it('takes IPv4 and IPv6 networks and refuses anything else', () => {
    for (const ok of ['10.0.0.0/8', '203.0.113.7/32', '::1/128', '2001:db8::/32']) expect(cidr.safeParse(ok).success).toBe(true);
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '::1/129', '10.0.0/8', 'x/8', '10.0.0.0/8/1', '10.0.0.0/-1']) {
      expect(cidr.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('flags in the rollups (property)', () => {
  const answer = fc.record({
    surveyType: fc.constantFrom('nps' as const, 'csat' as const, 'ces' as const),
    raw: fc.nat(10),
    flags: fc.subarray([...integrityFlags]),
    advisorId: fc.constantFrom('A-1', 'A-2'),
    web: fc.boolean(),
  });
  const scaled = (surveyType: 'nps' | 'csat' | 'ces', raw: number) =>
    surveyType === 'nps' ? raw : surveyType === 'csat' ? 1 + (raw % 5) : 1 + (raw % 7);

  it('never change the counts of the score: flagged or not, every bucket holds the same responses and sums', () => {
    fc.assert(
      fc.property(fc.array(answer, { maxLength: 40 }), (answers) => {
        const responses = answers.map((a) =>
          aResponse(scaled(a.surveyType, a.raw), {
            surveyType: a.surveyType,
            advisorId: a.advisorId,
            channel: a.web ? 'web' : 'sms',
            flags: a.flags.length ? a.flags : undefined,
          }),
        );
        const flagged = foldIncrements(responses.map((response) => ({ kind: 'scored', response })));
        const unflagged = foldIncrements(responses.map(({ flags, ...response }) => ({ kind: 'scored', response })));
        expect(flagged.map((i) => i.key)).toEqual(unflagged.map((i) => i.key));
        flagged.forEach((increment, i) => {
          for (const name of ['responses', 'promoters', 'passives', 'detractors', 'scoreSum'] as const) {
            expect(increment.counters[name]).toBe(unflagged[i]?.counters[name]);
            // The flagged part of a count is never more than the count: without flagged is never negative.
            expect(increment.counters[flaggedCounter(name)] ?? 0).toBeLessThanOrEqual(increment.counters[name] ?? 0);
          }
        });
      }),
    );
  });
});
