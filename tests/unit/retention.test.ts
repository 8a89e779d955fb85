import { describe, expect, it } from 'vitest';
import { isReturn, retentionClassOf, returnsDue, wilsonInterval } from '#shared/domain/retention.ts';
import { queryRetention, retentionQuerySchema } from '#shared/use-cases/query-retention.ts';
import { recordAnswer } from '#shared/use-cases/record-answer.ts';
import { scheduleSurvey } from '#shared/use-cases/schedule-survey.ts';
import { countReturns, markCohortRecovered } from '#shared/use-cases/track-retention.ts';
import { createFakes, type Fakes, fakeVault } from './fakes.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('wilsonInterval', () => {
  it('gives [0.4902, 0.9433] for 8 of 10', () => {
    const { low, high } = wilsonInterval(8, 10);
    expect(low).toBeCloseTo(0.4902, 4);
    expect(high).toBeCloseTo(0.9433, 4);
  });

  it('stays inside [0, 1] at the edges, where the normal interval would not', () => {
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(0, 10).high).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10).low).toBeCloseTo(0.7225, 4);
    expect(wilsonInterval(10, 10).high).toBe(1);
  });

  it('narrows as n grows: 50 of 100 is [0.4038, 0.5962]', () => {
    const { low, high } = wilsonInterval(50, 100);
    expect(low).toBeCloseTo(0.4038, 4);
    expect(high).toBeCloseTo(0.5962, 4);
  });

  it('knows nothing with no one surveyed', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe('retentionClassOf', () => {
  it('names each survey class in its own terms', () => {
    expect([10, 9, 8, 7, 6, 0].map((s) => retentionClassOf('nps', s))).toEqual([
      'promoter',
      'promoter',
      'passive',
      'passive',
      'detractor',
      'detractor',
    ]);
    expect([5, 4, 3, 2, 1].map((s) => retentionClassOf('csat', s))).toEqual([
      'satisfied',
      'satisfied',
      'neutral',
      'dissatisfied',
      'dissatisfied',
    ]);
    expect([7, 5, 4, 3, 1].map((s) => retentionClassOf('ces', s))).toEqual(['easy', 'easy', 'neutral', 'difficult', 'difficult']);
  });
});

describe('isReturn', () => {
  const cohort = { visitAt: '2026-01-10T02:00:00.000Z' };
  it('counts a later visit up to the horizon, not the surveyed visit itself nor one after it', () => {
    expect(isReturn(cohort, cohort.visitAt, 180)).toBe(false);
    expect(isReturn(cohort, '2026-01-09T02:00:00.000Z', 180)).toBe(false);
    expect(isReturn(cohort, '2026-07-09T02:00:00.000Z', 180)).toBe(true); // day 180
    expect(isReturn(cohort, '2026-07-09T02:00:01.000Z', 180)).toBe(false);
    expect(isReturn(cohort, '2026-07-09T02:00:01.000Z', 365)).toBe(true);
  });
});

describe('returnsDue', () => {
  it('lists each cohort and horizon a visit falls in, leaving out those counted', () => {
    const a = {
      surveyId: 'a',
      storeId: 's',
      month: '2026-01',
      metric: 'nps' as const,
      class: 'promoter' as const,
      visitAt: '2026-01-10T00:00:00.000Z',
      answeredAt: '2026-01-10T05:00:00.000Z',
    };
    const due = returnsDue(
      { visits: [a.visitAt, '2026-10-01T00:00:00.000Z'], cohorts: [a], counted: new Set(['a#365']) },
      [180, 365],
    );
    expect(due).toEqual([]);
    const more = returnsDue({ visits: [a.visitAt, '2026-03-01T00:00:00.000Z'], cohorts: [a], counted: new Set() }, [180, 365]);
    expect(more.map((d) => d.horizonDays)).toEqual([180, 365]);
  });
});

/** One visit through scheduleSurvey at `at` (the clock then), and the answer to its survey when `score` is given. */
async function visit(fakes: Fakes, n: number, phone: string, at: number, score?: number) {
  fakes.clock.set(new Date(at + 3 * HOUR).toISOString());
  const result = await scheduleSurvey(fakes, {
    eventId: `RO-${n}`,
    occurredAt: new Date(at).toISOString(),
    storeId: 'sh-pudong',
    serviceType: 'first_service',
    customer: { id: `C-${phone}`, phone },
    amount: 800,
  });
  if (score === undefined || result.survey.status !== 'scheduled') return result;
  await answer(fakes, result.survey.id, score);
  return result;
}

async function answer(fakes: Fakes, surveyId: string, score: number) {
  const survey = fakes.surveys.surveys.get(surveyId);
  if (!survey) throw new Error('no survey');
  fakes.surveys.surveys.set(surveyId, {
    ...survey,
    status: 'completed',
    score,
    scoredAt: fakes.clock.now().toISOString(),
    timer: undefined,
  });
  await recordAnswer(fakes, surveyId);
}

const T0 = Date.parse('2026-01-05T02:00:00.000Z');

const counters = (fakes: Fakes, cls: string, horizon = 180) =>
  fakes.rollups.bucket('retention', 'month', `h${horizon}`, '2026-01', `sh-pudong|nps|${cls}`);

describe('retention cohorts', () => {
  it('counts a surveyed customer who comes back once per horizon, however often the visit and answer are redelivered', async () => {
    const fakes = createFakes({ now: '2026-01-05T05:00:00.000Z' });
    const first = await visit(fakes, 1, '13800000001', T0, 10);
    // Answer redelivered: still one member of the cohort.
    if (first.survey.id) await recordAnswer(fakes, first.survey.id);
    await visit(fakes, 2, '13800000001', T0 + 100 * DAY);
    await visit(fakes, 2, '13800000001', T0 + 100 * DAY); // the DMS retries the same visit

    expect(await counters(fakes, 'promoter')).toEqual({ surveyed: 1, returned: 1 });
    expect(await counters(fakes, 'promoter', 365)).toEqual({ surveyed: 1, returned: 1 });
  });

  it('counts a return beyond 180 days in the 365-day horizon only', async () => {
    const fakes = createFakes();
    await visit(fakes, 1, '13800000002', T0, 3);
    await visit(fakes, 2, '13800000002', T0 + 200 * DAY);

    expect(await counters(fakes, 'detractor')).toEqual({ surveyed: 1 });
    expect(await counters(fakes, 'detractor', 365)).toEqual({ surveyed: 1, returned: 1 });
  });

  it('counts a return whose visit arrived before the answer was scored (history in any order)', async () => {
    const fakes = createFakes();
    const first = await visit(fakes, 1, '13800000003', T0);
    await visit(fakes, 2, '13800000003', T0 + 40 * DAY);
    if (first.survey.id) await answer(fakes, first.survey.id, 8);

    expect(await counters(fakes, 'passive')).toEqual({ surveyed: 1, returned: 1 });
  });

  it('counts both horizons of a return found when the answer is scored in one write', async () => {
    const fakes = createFakes();
    const first = await visit(fakes, 1, '13800000013', T0);
    await visit(fakes, 2, '13800000013', T0 + 40 * DAY);
    const writes: number[] = [];
    const { countReturns: write } = fakes.retention;
    fakes.retention.countReturns = async (phoneHash, returns) => {
      writes.push(returns.length);
      return write.call(fakes.retention, phoneHash, returns);
    };

    if (first.survey.id) await answer(fakes, first.survey.id, 9);

    expect(writes).toEqual([2]);
    expect(await counters(fakes, 'promoter')).toEqual({ surveyed: 1, returned: 1 });
    expect(await counters(fakes, 'promoter', 365)).toEqual({ surveyed: 1, returned: 1 });
  });

  it('counts a throttled visit as a return: every visit is in the history, surveyed or not', async () => {
    const fakes = createFakes();
    await visit(fakes, 1, '13800000004', T0, 9);
    const again = await visit(fakes, 2, '13800000004', T0 + 10 * DAY);

    expect(again.survey).toMatchObject({ status: 'suppressed', reason: 'throttled' });
    expect(await counters(fakes, 'promoter')).toEqual({ surveyed: 1, returned: 1 });
  });

  it('finds nothing more to count when asked again', async () => {
    const fakes = createFakes();
    await visit(fakes, 1, '13800000005', T0, 9);
    await visit(fakes, 2, '13800000005', T0 + 50 * DAY);

    expect(await countReturns(fakes, fakeVault.hash('+8613800000005'))).toBe(0);
  });
});

describe('markCohortRecovered', () => {
  it('counts a recovered detractor once, and their return among the recovered whenever it comes', async () => {
    const fakes = createFakes();
    const phoneHash = fakeVault.hash('+8613800000007');
    const early = await visit(fakes, 1, '13800000007', T0, 2);
    const late = await visit(fakes, 3, '13800000008', T0, 2);
    await visit(fakes, 2, '13800000007', T0 + 30 * DAY); // came back before the recovery was decided

    expect(await markCohortRecovered(fakes, phoneHash, early.survey.id ?? '')).toBe(true);
    expect(await markCohortRecovered(fakes, phoneHash, early.survey.id ?? '')).toBe(false);
    expect(await markCohortRecovered(fakes, fakeVault.hash('+8613800000008'), late.survey.id ?? '')).toBe(true);
    await visit(fakes, 4, '13800000008', T0 + 60 * DAY); // came back after it

    expect(await counters(fakes, 'detractor')).toEqual({ surveyed: 2, returned: 2, recovered: 2, returnedRecovered: 2 });
  });
});

describe('queryRetention', () => {
  it('answers the share per class with n, the Wilson interval and whether promoters come back more', async () => {
    const fakes = createFakes();
    let n = 0;
    // Ten promoters, eight come back; ten detractors, two come back.
    for (let i = 0; i < 20; i++) {
      const phone = `1390000${String(i).padStart(4, '0')}`;
      await visit(fakes, ++n, phone, T0 + i * HOUR, i < 10 ? 10 : 2);
      const comesBack = i < 10 ? i < 8 : i < 12;
      if (comesBack) await visit(fakes, ++n, phone, T0 + 90 * DAY);
    }
    fakes.clock.set('2026-12-01T00:00:00.000Z');

    const result = await queryRetention(fakes, retentionQuerySchema.parse({ from: '2026-01-01', to: '2026-01-31' }));

    expect(result.horizonDays).toBe(180);
    const [bucket] = result.buckets;
    // 8/10 against 2/10: the intervals ([0.49, 0.94] and [0.06, 0.51]) still overlap, so no verdict yet.
    expect(bucket).toMatchObject({ period: 'all', group: 'all', complete: true, verdict: 'unclear', difference: 0.6 });
    expect(bucket?.classes[0]).toEqual({
      class: 'promoter',
      surveyed: 10,
      returned: 8,
      rate: 0.8,
      low: 0.4902,
      high: 0.9433,
      enoughData: true,
    });
    expect(bucket?.classes[2]).toMatchObject({ class: 'detractor', surveyed: 10, returned: 2, rate: 0.2 });
    expect(bucket?.classes[1]).toMatchObject({ class: 'passive', surveyed: 0, rate: null, enoughData: false });
  });

  it('says not enough data below minResponses, and refuses a horizon that is not kept', async () => {
    const fakes = createFakes();
    await visit(fakes, 1, '13800000006', T0, 10);

    const result = await queryRetention(fakes, retentionQuerySchema.parse({ from: '2026-01-01', to: '2026-01-31' }));
    expect(result.buckets[0]).toMatchObject({ verdict: 'not_enough_data', complete: false });
    await expect(
      queryRetention(fakes, retentionQuerySchema.parse({ from: '2026-01-01', to: '2026-01-31', horizonDays: '90' })),
    ).rejects.toThrow('this horizon is not kept');
  });
});

describe('customers by segment', () => {
  it('moves a customer from segment to segment as their visits arrive, each counted once', async () => {
    const fakes = createFakes();
    const phone = '13800000009';
    // Visits of 6,000 each; the clock is three hours after each.
    for (const [n, day] of [0, 30, 60, 90, 120].entries()) {
      await visit(fakes, 100 + n, phone, T0 + day * DAY);
      await visit(fakes, 100 + n, phone, T0 + day * DAY); // redelivered: no second move
    }
    const result = await queryRetention(fakes, retentionQuerySchema.parse({ from: '2026-01-01', to: '2026-01-31' }));

    // 5 visits (F4), 4,000 spent (M3: the fake visit is 800 each), last visit hours ago (R5): loyal.
    expect(result.segments).toMatchObject({ loyal: 1, new: 0, potential_loyalists: 0 });
    expect(Object.values(result.segments).reduce((a, b) => a + b, 0)).toBe(1);
    expect(fakes.retention.segmentOf.get(fakeVault.hash('+8613800000009'))).toBe('loyal');
  });
});
