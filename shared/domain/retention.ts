/**
 * Retention: does a surveyed customer come back? Each answered survey is a cohort member (its
 * store, the month of its visit, its metric and class); it counts as returned once the customer
 * visits again, at any store, within a horizon after the surveyed visit.
 */
import type { SurveyType } from '#shared/config/schema.ts';
import type { RollupIncrement } from './rollups.ts';
import { sentimentOf } from './scoring.ts';

/** Each survey's classes in its own terms: NPS promoter / passive / detractor, CSAT satisfied…, CES easy…. */
export const retentionClasses = {
  nps: ['promoter', 'passive', 'detractor'],
  csat: ['satisfied', 'neutral', 'dissatisfied'],
  ces: ['easy', 'neutral', 'difficult'],
} as const satisfies Record<SurveyType, readonly [string, string, string]>;
export type RetentionClass = (typeof retentionClasses)[SurveyType][number];

export function retentionClassOf(survey: SurveyType, score: number): RetentionClass {
  const [top, middle, bottom] = retentionClasses[survey];
  const sentiment = sentimentOf(survey, score);
  return sentiment === 'promoter' ? top : sentiment === 'passive' ? middle : bottom;
}

/** One answered survey as its customer's history remembers it. */
export interface Cohort {
  surveyId: string;
  storeId: string;
  /** The month of the surveyed visit's local date (YYYY-MM): the period it counts in. */
  month: string;
  metric: SurveyType;
  class: RetentionClass;
  /** The surveyed visit (ISO instant): a return is a later visit within the horizon. */
  visitAt: string;
  answeredAt: string;
  /** The detractor recovered after a resolved alert (the customer's next answer was good). */
  recovered?: boolean | undefined;
}

/** What the customer's history keeps once a cohort's return has been counted for a horizon. */
export const returnMarker = (surveyId: string, horizonDays: number) => `${surveyId}#${horizonDays}`;

const DAY_MS = 86_400_000;

/** Whether a visit at `visitAt` is a return of the cohort within `horizonDays` (strictly after, at most the horizon). */
export function isReturn(cohort: Pick<Cohort, 'visitAt'>, visitAt: string, horizonDays: number): boolean {
  const gap = Date.parse(visitAt) - Date.parse(cohort.visitAt);
  return gap > 0 && gap <= horizonDays * DAY_MS;
}

/**
 * The returns not counted yet: for each of the customer's cohorts and each horizon, whether any
 * visit in the history falls within it. Works whatever order visits and answers arrive in.
 */
export function returnsDue(
  history: { visits: string[]; cohorts: Cohort[]; counted: ReadonlySet<string> },
  horizons: readonly number[],
): { cohort: Cohort; horizonDays: number }[] {
  return history.cohorts.flatMap((cohort) =>
    horizons
      .filter((h) => !history.counted.has(returnMarker(cohort.surveyId, h)))
      .filter((h) => history.visits.some((v) => isReturn(cohort, v, h)))
      .map((horizonDays) => ({ cohort, horizonDays })),
  );
}

/** The rollup group of a cohort bucket: one item per (store, month, metric, class) and horizon. */
export const cohortGroup = (c: Pick<Cohort, 'storeId' | 'metric' | 'class'>) => `${c.storeId}|${c.metric}|${c.class}`;
export const horizonView = (horizonDays: number) => `h${horizonDays}`;

/** What a count adds to the cohort's bucket for one horizon (the same item shape as every rollup bucket). */
export const cohortIncrement = (
  cohort: Pick<Cohort, 'storeId' | 'month' | 'metric' | 'class'>,
  horizonDays: number,
  counters: Record<string, number>,
): RollupIncrement => ({
  key: {
    family: 'retention',
    granularity: 'month',
    view: horizonView(horizonDays),
    period: cohort.month,
    group: cohortGroup(cohort),
  },
  counters,
});

/** A return counted: `returned`, and `returnedRecovered` too for a recovered detractor. */
export const returnIncrement = (cohort: Cohort, horizonDays: number) =>
  cohortIncrement(cohort, horizonDays, { returned: 1, ...(cohort.recovered === true ? { returnedRecovered: 1 } : {}) });

/** The counters of a cohort bucket. */
export interface CohortCounters {
  surveyed: number;
  returned: number;
  /** Detractors only: recovered after a resolved alert, and of those, how many came back. */
  recovered: number;
  returnedRecovered: number;
}

/**
 * Wilson score interval of a proportion k/n at 95% (z = 1.96): unlike p ± 1.96·√(p(1−p)/n) it
 * stays within [0, 1] and is honest for small n and for shares near 0 or 1.
 */
export function wilsonInterval(k: number, n: number, z = 1.96): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
