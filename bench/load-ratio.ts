/**
 * Cold loads as a ratio to a reference bundle loaded in the same minutes. One machine loads the
 * same bundle at very different speeds from one half hour to the next (87.6 ms and 158.5 ms for
 * one `get-scores`), so an absolute time says more about the machine than about the bundle. The
 * baseline (a bundle holding only the DynamoDB document client) is loaded just before each load of
 * each bundle, so its loads are spread over the very minutes the bundles' are, and each bundle
 * load is divided by the baseline's pace in the seconds around it.
 */
import { median, round } from './stats.ts';

/** One fresh-process import: of bundle number `bundle`, or of the baseline just before it. */
export interface LoadStep {
  bundle: number;
  baseline: boolean;
}

/**
 * The order of the loads: `runs` rounds, each going through every bundle in turn with the
 * baseline loaded just before it (baseline, 0, baseline, 1, ...): a slower minute of the machine
 * slows the baseline's loads as much as the bundles'.
 */
export function interleavedLoads(bundles: number, runs: number): LoadStep[] {
  const steps: LoadStep[] = [];
  for (let run = 0; run < runs; run++) {
    for (let bundle = 0; bundle < bundles; bundle++) steps.push({ bundle, baseline: true }, { bundle, baseline: false });
  }
  return steps;
}

/** Baseline loads on either side of the one just before a bundle's load, whose median is the machine's pace at that moment. */
export const BASELINE_NEIGHBOURS = 5;

export interface LoadRatio {
  /** Median of the bundle's loads, ms (1 decimal). */
  loadMs: number;
  /** Median of the baseline loads around the bundle's loads (each one's neighbourhood, pooled), ms (1 decimal). */
  baselineLoadMs: number;
  /** Median over the bundle's loads of each load ÷ the baseline's pace at that moment (2 decimals): the figure that compares across runs. */
  loadRatio: number;
}

/** A load as taken: which step of `interleavedLoads`, and how long the import took. */
export interface TakenLoad extends LoadStep {
  ms: number;
}

/**
 * Each bundle's loads as multiples of the baseline's pace at the moment each was taken: the median
 * of the 2 × BASELINE_NEIGHBOURS + 1 baseline loads around it (the one just before it, and as many
 * before that as after), a few seconds of the run. Then the median of those quotients. A slow
 * spell of the machine (another process's test run, half a minute long) slows a bundle's load and
 * the baseline loads around it alike, where the run's overall baseline median would not move.
 */
export function loadRatiosOf(taken: readonly TakenLoad[], bundles: number) {
  const baselineLoads: number[] = [];
  const quotients: number[][] = Array.from({ length: bundles }, () => []);
  const loads: number[][] = Array.from({ length: bundles }, () => []);
  const around: number[][] = Array.from({ length: bundles }, () => []);
  const pending: { bundle: number; ms: number; justBefore: number }[] = [];
  for (const load of taken) {
    if (load.baseline) baselineLoads.push(load.ms);
    else {
      if (baselineLoads.length === 0) throw new Error(`bundle ${load.bundle} was loaded before any baseline load`);
      pending.push({ bundle: load.bundle, ms: load.ms, justBefore: baselineLoads.length - 1 });
    }
  }
  for (const { bundle, ms, justBefore } of pending) {
    const neighbourhood = baselineLoads.slice(
      Math.max(0, justBefore - BASELINE_NEIGHBOURS),
      justBefore + BASELINE_NEIGHBOURS + 1,
    );
    const pace = median(neighbourhood);
    if (!(pace > 0))
      throw new Error(`the baseline's median load around a load of bundle ${bundle} is ${pace} ms: no ratio to it`);
    loads[bundle]?.push(ms);
    quotients[bundle]?.push(ms / pace);
    around[bundle]?.push(...neighbourhood);
  }
  return {
    /** The baseline's median over all its loads in the run, ms (1 decimal). */
    baselineLoadMs: round(median(baselineLoads), 1),
    baselineLoads,
    loads,
    bundles: loads.map(
      (bundleLoads, i): LoadRatio => ({
        loadMs: round(median(bundleLoads), 1),
        baselineLoadMs: round(median(around[i] as number[]), 1),
        loadRatio: round(median(quotients[i] as number[]), 2),
      }),
    ),
  };
}
