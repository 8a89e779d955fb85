import type { SurveyType } from '#shared/config/schema.ts';

export const scales: Record<SurveyType, { min: number; max: number }> = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

export type Sentiment = 'promoter' | 'passive' | 'detractor';

export function isInScale(survey: SurveyType, score: number): boolean {
  const { min, max } = scales[survey];
  return Number.isInteger(score) && score >= min && score <= max;
}

/** Promoter / passive / detractor in each survey's own terms (DESIGN §5). */
export function sentimentOf(survey: SurveyType, score: number): Sentiment {
  switch (survey) {
    case 'nps':
      return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
    case 'csat':
      return score >= 4 ? 'promoter' : score === 3 ? 'passive' : 'detractor';
    case 'ces':
      return score >= 5 ? 'promoter' : score === 4 ? 'passive' : 'detractor';
  }
}

/** The scores of one sentiment, inclusive (the inverse of sentimentOf). */
export function scoreRangeOf(survey: SurveyType, sentiment: Sentiment): { min: number; max: number } {
  const { min, max } = scales[survey];
  const [passive, promoter] = survey === 'nps' ? [7, 9] : survey === 'csat' ? [3, 4] : [4, 5];
  if (sentiment === 'promoter') return { min: promoter, max };
  if (sentiment === 'passive') return { min: passive, max: promoter - 1 };
  return { min, max: passive - 1 };
}

export const isDetractor = (survey: SurveyType, score: number) => sentimentOf(survey, score) === 'detractor';

/** A score that, after a resolved alert, counts the customer as recovered. */
export const isRecovered = (survey: SurveyType, score: number) =>
  survey === 'nps' ? score >= 7 : survey === 'csat' ? score >= 4 : score >= 5;

/** The additive counters kept per rollup bucket; every field is a plain sum. */
export interface Counters {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  scoreSum: number;
}

export const emptyCounters = (): Counters => ({ responses: 0, promoters: 0, passives: 0, detractors: 0, scoreSum: 0 });

export function countersFor(survey: SurveyType, score: number): Counters {
  const sentiment = sentimentOf(survey, score);
  return {
    responses: 1,
    promoters: sentiment === 'promoter' ? 1 : 0,
    passives: sentiment === 'passive' ? 1 : 0,
    detractors: sentiment === 'detractor' ? 1 : 0,
    scoreSum: score,
  };
}

export function addCounters(a: Counters, b: Counters): Counters {
  return {
    responses: a.responses + b.responses,
    promoters: a.promoters + b.promoters,
    passives: a.passives + b.passives,
    detractors: a.detractors + b.detractors,
    scoreSum: a.scoreSum + b.scoreSum,
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export type BucketScore =
  | { promoters: number; passives: number; detractors: number; score: number; marginOfError: number }
  | { satisfied: number; dissatisfied: number; score: number }
  | { easy: number; difficult: number; score: number; easyPercent: number };

/**
 * The published score of a bucket. NPS margin of error at 95%:
 * 1.96 · 100 · √((p + d − (p − d)²) / n), with p and d as shares.
 */
export function scoreBucket(survey: SurveyType, c: Counters): BucketScore {
  const n = c.responses;
  const share = (k: number) => (n === 0 ? 0 : k / n);
  switch (survey) {
    case 'nps': {
      const p = share(c.promoters);
      const d = share(c.detractors);
      const moe = n === 0 ? 0 : 1.96 * 100 * Math.sqrt((p + d - (p - d) ** 2) / n);
      return {
        promoters: c.promoters,
        passives: c.passives,
        detractors: c.detractors,
        score: round1((p - d) * 100),
        marginOfError: round1(moe),
      };
    }
    case 'csat':
      return { satisfied: c.promoters, dissatisfied: c.detractors, score: round1(share(c.promoters) * 100) };
    case 'ces':
      return {
        easy: c.promoters,
        difficult: c.detractors,
        score: n === 0 ? 0 : Math.round((c.scoreSum / n) * 100) / 100,
        easyPercent: round1(share(c.promoters) * 100),
      };
  }
}
