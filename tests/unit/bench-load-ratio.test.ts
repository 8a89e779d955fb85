import { describe, expect, it } from 'vitest';
import { interleavedLoads, type LoadStep, loadRatiosOf, type TakenLoad } from '../../bench/load-ratio.ts';

describe('interleavedLoads', () => {
  it('loads the baseline just before every load of every bundle, round after round', () => {
    expect(interleavedLoads(3, 2)).toEqual([
      { bundle: 0, baseline: true },
      { bundle: 0, baseline: false },
      { bundle: 1, baseline: true },
      { bundle: 1, baseline: false },
      { bundle: 2, baseline: true },
      { bundle: 2, baseline: false },
      { bundle: 0, baseline: true },
      { bundle: 0, baseline: false },
      { bundle: 1, baseline: true },
      { bundle: 1, baseline: false },
      { bundle: 2, baseline: true },
      { bundle: 2, baseline: false },
    ]);
  });

  it('gives every bundle as many loads as the baseline loads paired with it', () => {
    const steps = interleavedLoads(22, 7);
    for (let bundle = 0; bundle < 22; bundle++) {
      expect(steps.filter((s) => s.bundle === bundle && !s.baseline)).toHaveLength(7);
      expect(steps.filter((s) => s.bundle === bundle && s.baseline)).toHaveLength(7);
    }
  });
});

/** The loads `interleavedLoads` asks for, each taking what `ms` says of it. */
const take = (bundles: number, runs: number, ms: (step: LoadStep, round: number, at: number) => number): TakenLoad[] =>
  interleavedLoads(bundles, runs).map((step, at) => ({ ...step, ms: ms(step, Math.floor(at / (2 * bundles)), at) }));

describe('loadRatiosOf', () => {
  it('divides each load by the median of the baseline loads around it, and takes the median of the quotients', () => {
    // Baseline loads 40, 50, 45 around loads of 80, 100 and 90.
    const taken: TakenLoad[] = [
      { bundle: 0, baseline: true, ms: 40 },
      { bundle: 0, baseline: false, ms: 80 },
      { bundle: 1, baseline: true, ms: 50 },
      { bundle: 1, baseline: false, ms: 100 },
      { bundle: 0, baseline: true, ms: 45 },
      { bundle: 0, baseline: false, ms: 90 },
    ];
    expect(loadRatiosOf(taken, 2)).toMatchObject({
      baselineLoadMs: 45,
      bundles: [
        { loadMs: 80, baselineLoadMs: 45, loadRatio: 1.78 },
        { loadMs: 100, baselineLoadMs: 45, loadRatio: 2.22 },
      ],
    });
  });

  it('gives the same ratio on a machine that is slower by a factor', () => {
    const noise = (at: number) => 1 + ((at * 7) % 5) / 20;
    const fast = loadRatiosOf(
      take(6, 5, (s, _r, at) => (s.baseline ? 40 : 40 + 10 * s.bundle) * noise(at)),
      6,
    );
    const slow = loadRatiosOf(
      take(6, 5, (s, _r, at) => (s.baseline ? 72 : 1.8 * (40 + 10 * s.bundle)) * noise(at)),
      6,
    );
    expect(slow.bundles.map((b) => b.loadRatio)).toEqual(fast.bundles.map((b) => b.loadRatio));
    expect(slow.bundles.map((b) => b.loadMs)).not.toEqual(fast.bundles.map((b) => b.loadMs));
  });

  it('follows a slow spell over part of the run, where the baseline of the whole run would not', () => {
    // Every function loads in twice the baseline's time; the first six are slowed twofold in rounds 0 and 1,
    // their baseline loads with them, so a third of the baseline loads are slow.
    const pace = (bundle: number, round: number) => (bundle < 6 && round < 2 ? 80 : 40);
    const ratios = loadRatiosOf(
      take(12, 3, (s, round) => (s.baseline ? 1 : 2) * pace(s.bundle, round)),
      12,
    );
    expect(ratios.bundles.map((b) => b.loadRatio)).toEqual(Array(12).fill(2));
    expect(ratios.baselineLoadMs).toBe(40);
    expect(ratios.bundles[0]?.loadMs).toBe(160);
  });

  it('divides the unrounded figures', () => {
    // 80.04 / 40.04 = 1.999 and 80.04 / 40.24 = 1.989: the rounded 80.0 / 40.0 would say 2.00 for both.
    const one = (baselineMs: number) =>
      loadRatiosOf(
        [
          { bundle: 0, baseline: true, ms: baselineMs },
          { bundle: 0, baseline: false, ms: 80.04 },
        ],
        1,
      );
    expect(one(40.04).bundles[0]).toEqual({ loadMs: 80, baselineLoadMs: 40, loadRatio: 2 });
    expect(one(40.24).bundles[0]?.loadRatio).toBe(1.99);
  });

  it('refuses a bundle loaded before any baseline load, and a baseline that took no time', () => {
    expect(() => loadRatiosOf([{ bundle: 0, baseline: false, ms: 80 }], 1)).toThrow(/before any baseline/);
    expect(() =>
      loadRatiosOf(
        [
          { bundle: 0, baseline: true, ms: 0 },
          { bundle: 0, baseline: false, ms: 80 },
        ],
        1,
      ),
    ).toThrow(/baseline/);
  });
});
