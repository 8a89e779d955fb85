/**
 * Synthetic answers with the shape of a real dealer group's: the configured stores, ~25
 * advisors each working at one store, the survey plans' service types, departments and survey
 * types, realistic score spreads, and visit dates over a given range. Seeded, so every run
 * writes the same data.
 */
import type { Config, SurveyType } from '#shared/config/schema.ts';
import type { ScoredResponse } from '#shared/domain/records.ts';
import { pickWeighted, seededRandom } from '#local/seeded-random.ts';

const DAY_MS = 86_400_000;

/** Score spreads typical of after-sales service: mostly happy, a tail of detractors. */
const scoreWeights: Record<SurveyType, readonly (readonly [number, number])[]> = {
  nps: [
    [0, 2],
    [1, 1],
    [2, 1],
    [3, 1],
    [4, 1],
    [5, 3],
    [6, 4],
    [7, 8],
    [8, 14],
    [9, 25],
    [10, 40],
  ],
  csat: [
    [1, 3],
    [2, 4],
    [3, 9],
    [4, 30],
    [5, 54],
  ],
  ces: [
    [1, 2],
    [2, 3],
    [3, 5],
    [4, 10],
    [5, 20],
    [6, 30],
    [7, 30],
  ],
};
/** How often each kind of visit happens; unknown service types weigh 1. */
const serviceTypeWeights: Record<string, number> = { maintenance: 5, repair: 2.5, first_service: 1.5, warranty: 1 };

interface Population {
  stores: string[];
  advisors: { id: string; storeId: string }[];
  plans: { serviceType: string; survey: SurveyType; departmentId: string }[];
}

export function populationOf(config: Pick<Config, 'stores' | 'surveyPlans' | 'defaultDepartment'>, advisors = 25): Population {
  const stores = config.stores.map((s) => s.id);
  return {
    stores,
    advisors: Array.from({ length: advisors }, (_, i) => ({
      id: `A-${String(i + 1).padStart(2, '0')}`,
      storeId: stores[i % stores.length] as string,
    })),
    plans: config.surveyPlans.map((p) => ({
      serviceType: p.serviceType,
      survey: p.survey,
      departmentId: p.departmentId ?? config.defaultDepartment,
    })),
  };
}

export const isoDate = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * `count` answers with visit dates spread evenly over `days` days from `firstDay`. In `mixed`
 * order a batch holds visits from the whole range (a week's answers arriving together); in
 * `chronological` order a batch holds neighbouring days (a year of history arriving day by
 * day). Ids start with `idPrefix`, so two sets never collide.
 */
export function syntheticAnswers(
  population: Population,
  options: { count: number; firstDay: string; days: number; seed: number; idPrefix: string; order: 'mixed' | 'chronological' },
): ScoredResponse[] {
  const random = seededRandom(options.seed);
  const start = Date.parse(`${options.firstDay}T00:00:00Z`);
  const plans = population.plans.map((p) => [p, serviceTypeWeights[p.serviceType] ?? 1] as const);
  const answers: ScoredResponse[] = [];
  for (let i = 0; i < options.count; i++) {
    const advisor = population.advisors[Math.floor(random() * population.advisors.length)] as Population['advisors'][number];
    const plan = pickWeighted(random, plans);
    const visitTime = start + Math.floor(random() * options.days) * DAY_MS;
    answers.push({
      surveyId: `${options.idPrefix}${String(i).padStart(7, '0')}`,
      surveyType: plan.survey,
      score: pickWeighted(random, scoreWeights[plan.survey]),
      storeId: advisor.storeId,
      departmentId: plan.departmentId,
      advisorId: advisor.id,
      serviceType: plan.serviceType,
      visitDate: isoDate(visitTime),
      // Answered the same or the next day, after the survey's delay.
      answeredAt: new Date(visitTime + (10 + random() * 24) * 3_600_000).toISOString(),
      channel: 'sms',
    });
  }
  if (options.order === 'mixed') return answers;
  return answers.sort((a, b) => a.visitDate.localeCompare(b.visitDate) || a.answeredAt.localeCompare(b.answeredAt));
}

/** Consecutive slices of `size` items. */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
