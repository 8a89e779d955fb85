/**
 * The dashboard's figures from API buckets: sums over periods or groups, scored with the same
 * domain rules the API uses (shared/domain/scoring.ts), judged against the configured targets.
 */
import type { SurveyType, Targets } from '#shared/config/schema.ts';
import { addCounters, type Counters, emptyCounters, scoreBucket } from '#shared/domain/scoring.ts';
import type { FunnelBucket, ScoreBucket } from './api.ts';

/** A bucket's additive counters again. CES buckets carry a mean rounded to 0.01, so a sum of them is within 0.005 of exact. */
export function countersOf(metric: SurveyType, b: ScoreBucket): Counters {
  const good = (metric === 'nps' ? b.promoters : metric === 'csat' ? b.satisfied : b.easy) ?? 0;
  const bad = (metric === 'nps' ? b.detractors : metric === 'csat' ? b.dissatisfied : b.difficult) ?? 0;
  return {
    responses: b.responses,
    promoters: good,
    passives: metric === 'nps' ? (b.passives ?? 0) : b.responses - good - bad,
    detractors: bad,
    scoreSum: metric === 'ces' ? b.score * b.responses : 0,
  };
}

/** Counters summed per key (a group, or one key for a total). */
export function sumBy(metric: SurveyType, buckets: ScoreBucket[], keyOf: (b: ScoreBucket) => string): Map<string, Counters> {
  const sums = new Map<string, Counters>();
  for (const b of buckets) {
    const key = keyOf(b);
    sums.set(key, addCounters(sums.get(key) ?? emptyCounters(), countersOf(metric, b)));
  }
  return sums;
}

export type Rag = 'green' | 'amber' | 'red';

export interface Figure {
  responses: number;
  score: number;
  /** 95% margin of error in score points; undefined where the counts cannot give one (CES: a mean). */
  marginOfError: number | undefined;
  enoughData: boolean;
  /** Promoters / satisfied / easy, the neutral middle, and detractors / dissatisfied / difficult. */
  good: number;
  neutral: number;
  bad: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function figureOf(metric: SurveyType, c: Counters, minResponses: number): Figure {
  const scored = scoreBucket(metric, c);
  const n = c.responses;
  let marginOfError: number | undefined;
  if ('marginOfError' in scored) marginOfError = scored.marginOfError;
  else if (metric === 'csat' && n > 0) {
    // A share: 1.96 · 100 · √(p(1 − p) / n), the NPS formula's two-outcome case.
    const p = c.promoters / n;
    marginOfError = round1(1.96 * 100 * Math.sqrt((p * (1 - p)) / n));
  }
  return {
    responses: n,
    score: scored.score,
    marginOfError,
    enoughData: n > 0 && n >= minResponses,
    good: c.promoters,
    neutral: c.passives,
    bad: c.detractors,
  };
}

/** At least green is green, at least amber is amber, anything else red. */
export function ragOf(metric: SurveyType, score: number, targets: Targets): Rag {
  const { green, amber } = targets[metric];
  return score >= green ? 'green' : score >= amber ? 'amber' : 'red';
}

export interface FunnelFigure {
  visits: number;
  sent: number;
  answered: number;
  suppressedTotal: number;
  suppressed: Record<string, number>;
  /** Answered of sent, % to one decimal; null when nothing was sent. */
  responseRate: number | null;
  /** Suppressed of visits, % to one decimal; null without visits. */
  suppressionRate: number | null;
}

const pct = (part: number, whole: number) => (whole === 0 ? null : round1((part / whole) * 100));

/** Funnel buckets summed per key, their rates recomputed from the sums. */
export function funnelBy(buckets: FunnelBucket[], keyOf: (b: FunnelBucket) => string): Map<string, FunnelFigure> {
  const sums = new Map<string, Omit<FunnelFigure, 'responseRate' | 'suppressionRate'>>();
  for (const b of buckets) {
    const key = keyOf(b);
    const s = sums.get(key) ?? { visits: 0, sent: 0, answered: 0, suppressedTotal: 0, suppressed: {} };
    s.visits += b.visits;
    s.sent += b.sent;
    s.answered += b.answered;
    s.suppressedTotal += b.suppressedTotal;
    for (const [reason, n] of Object.entries(b.suppressed)) s.suppressed[reason] = (s.suppressed[reason] ?? 0) + n;
    sums.set(key, s);
  }
  return new Map(
    [...sums].map(([key, s]) => [
      key,
      { ...s, responseRate: pct(s.answered, s.sent), suppressionRate: pct(s.suppressedTotal, s.visits) },
    ]),
  );
}
