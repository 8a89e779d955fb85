import { describe, expect, it } from 'vitest';
import { ForbiddenError, ValidationError } from '#shared/errors.ts';
import type { ScoredResponse } from '#shared/domain/records.ts';
import { queryScores, scoresQuerySchema } from '#shared/use-cases/query-scores.ts';
import type { Identity } from '#shared/use-cases/identity.ts';
import { aResponse, createFakes } from './fakes.ts';

const cx: Identity = { role: 'cx', sub: 'chen.cx', name: '陈静' };
const workshop: Identity = { role: 'department', departmentId: 'workshop', sub: 'li.ming', name: '李明' };

const query = (params: Record<string, string>) =>
  scoresQuerySchema.parse({ metric: 'nps', from: '2026-11-01', to: '2026-11-30', ...params });

const answer = aResponse;

/** Fakes whose score store holds these answers, recorded as the scorer records them. */
async function withAnswers(answers: ScoredResponse[]) {
  const fakes = createFakes();
  for (const a of answers) await fakes.responses.record(a);
  return fakes;
}

describe('queryScores', () => {
  it('scores a month of NPS answers with counts and margin of error', async () => {
    const fakes = await withAnswers([answer(10), answer(9), answer(8), answer(3)]);

    const result = await queryScores(fakes, cx, query({ granularity: 'month' }));

    // p = 0.5, d = 0.25: 196 · √((0.75 − 0.0625) / 4) = 196 · 0.41458 = 81.26
    expect(result.buckets).toEqual([
      {
        period: '2026-11',
        group: 'all',
        responses: 4,
        promoters: 2,
        passives: 1,
        detractors: 1,
        score: 25,
        marginOfError: 81.3,
        enoughData: false,
      },
    ]);
  });

  it('marks a bucket with fewer answers than minResponses as not enough data', async () => {
    const fakes = await withAnswers(Array.from({ length: 10 }, (_, i) => answer(i)));
    const strict = { ...fakes, config: { ...fakes.config, minResponses: 11 } };

    const enough = await queryScores(fakes, cx, query({}));
    const tooFew = await queryScores(strict, cx, query({}));

    expect(enough.buckets[0]).toMatchObject({ responses: 10, enoughData: true });
    expect(tooFew.buckets[0]).toMatchObject({ responses: 10, enoughData: false });
  });

  it('groups by store, one bucket per store and period', async () => {
    const fakes = await withAnswers([answer(10), answer(2, { storeId: 'sh-minhang' }), answer(9, { storeId: 'sh-minhang' })]);

    const result = await queryScores(fakes, cx, query({ groupBy: 'store' }));

    expect(result.buckets.map((b) => [b.group, b.responses, b.score])).toEqual([
      ['sh-minhang', 2, 0],
      ['sh-pudong', 1, 100],
    ]);
  });

  it('leaves out answers outside the date range', async () => {
    const fakes = await withAnswers([answer(10), answer(0, { visitDate: '2026-12-01' }), answer(0, { visitDate: '2026-10-31' })]);

    const result = await queryScores(fakes, cx, query({ granularity: 'day' }));

    expect(result.buckets).toEqual([expect.objectContaining({ period: '2026-11-10', responses: 1, score: 100 })]);
  });

  it('reads weekly buckets across New Year', async () => {
    const fakes = await withAnswers([answer(10, { visitDate: '2026-12-30' }), answer(0, { visitDate: '2027-01-05' })]);

    const result = await queryScores(fakes, cx, query({ from: '2026-12-01', to: '2027-01-31', granularity: 'week' }));

    expect(result.buckets.map((b) => [b.period, b.score])).toEqual([
      ['2026-W53', 100],
      ['2027-W01', -100],
    ]);
  });

  it('filters by store and groups by department from the store+department view', async () => {
    const fakes = await withAnswers([
      answer(10),
      answer(0, { departmentId: 'service-advisors' }),
      answer(0, { storeId: 'sh-minhang' }),
    ]);

    const result = await queryScores(fakes, cx, query({ storeId: 'sh-pudong', groupBy: 'department' }));

    expect(result.buckets.map((b) => [b.group, b.responses])).toEqual([
      ['service-advisors', 1],
      ['workshop', 1],
    ]);
  });

  it('scores CSAT and CES buckets in their own terms', async () => {
    const fakes = await withAnswers([
      answer(5, { surveyType: 'csat' }),
      answer(3, { surveyType: 'csat' }),
      answer(7, { surveyType: 'ces' }),
      answer(2, { surveyType: 'ces' }),
    ]);

    const csat = await queryScores(fakes, cx, query({ metric: 'csat' }));
    const ces = await queryScores(fakes, cx, query({ metric: 'ces' }));

    expect(csat.buckets).toEqual([
      { period: '2026-11', group: 'all', responses: 2, satisfied: 1, dissatisfied: 0, score: 50, enoughData: false },
    ]);
    expect(ces.buckets).toEqual([
      { period: '2026-11', group: 'all', responses: 2, easy: 1, difficult: 1, score: 4.5, easyPercent: 50, enoughData: false },
    ]);
  });

  it('shows a department token its own department only', async () => {
    const fakes = await withAnswers([answer(10), answer(0, { departmentId: 'service-advisors' })]);

    const result = await queryScores(fakes, workshop, query({}));

    expect(result.buckets).toEqual([expect.objectContaining({ responses: 1, promoters: 1, detractors: 0 })]);
  });

  it('lets a department token ask for its own department explicitly', async () => {
    const fakes = await withAnswers([answer(10)]);

    const result = await queryScores(fakes, workshop, query({ departmentId: 'workshop' }));

    expect(result.buckets).toHaveLength(1);
  });

  it('refuses a department token asking for another department (403)', async () => {
    const fakes = await withAnswers([answer(0, { departmentId: 'service-advisors' })]);

    const attempt = queryScores(fakes, workshop, query({ departmentId: 'service-advisors' }));

    await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
    await expect(attempt).rejects.toMatchObject({ status: 403 });
  });

  it('restricts a department token grouping by store to its department', async () => {
    const fakes = await withAnswers([answer(10), answer(0, { departmentId: 'service-advisors' })]);

    const result = await queryScores(fakes, workshop, query({ groupBy: 'store' }));

    expect(result.buckets.map((b) => [b.group, b.responses, b.score])).toEqual([['sh-pudong', 1, 100]]);
  });

  it('refuses the ingest role (403)', async () => {
    const fakes = await withAnswers([answer(10)]);

    await expect(queryScores(fakes, { role: 'ingest', sub: 'key:dms', name: 'dms' }, query({}))).rejects.toMatchObject({
      status: 403,
    });
  });

  it('rejects an unsupported combination (advisor by service type) as a validation error on groupBy', async () => {
    const fakes = await withAnswers([answer(10)]);

    const attempt = queryScores(fakes, cx, query({ groupBy: 'advisor', serviceType: 'repair' }));

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ status: 400, fields: { groupBy: expect.any(String) } });
  });

  it('answers an empty range with no buckets', async () => {
    const fakes = await withAnswers([]);

    const result = await queryScores(fakes, cx, query({}));

    expect(result).toMatchObject({ metric: 'nps', granularity: 'month', groupBy: 'none', buckets: [] });
  });
});

describe('queryScores with excludeFlagged', () => {
  const flagged = { flags: ['fast_answer' as const, 'store_network' as const] };

  it('answers the score without flagged answers exactly, beside the full score', async () => {
    const fakes = await withAnswers([answer(10, flagged), answer(10, flagged), answer(9), answer(8), answer(3)]);

    const result = await queryScores(fakes, cx, query({ excludeFlagged: 'true' }));

    // All five: (3 − 1) / 5 = 40. Without the two flagged 10s: (1 − 1) / 3 = 0.
    expect(result.buckets).toEqual([
      expect.objectContaining({
        responses: 3,
        promoters: 1,
        passives: 1,
        detractors: 1,
        score: 0,
        flagged: 2,
        includingFlagged: expect.objectContaining({ responses: 5, promoters: 3, score: 40 }),
      }),
    ]);
  });

  it('keeps flagged answers in the score when not asked to leave them out', async () => {
    const fakes = await withAnswers([answer(10, flagged), answer(3)]);
    const [bucket] = (await queryScores(fakes, cx, query({}))).buckets;
    expect(bucket).toMatchObject({ responses: 2, score: 0 });
    expect(bucket).not.toHaveProperty('includingFlagged');
  });

  it('leaves a CES mean without the flagged answers exact', async () => {
    const fakes = await withAnswers([
      answer(7, { surveyType: 'ces', ...flagged }),
      answer(5, { surveyType: 'ces' }),
      answer(2, { surveyType: 'ces' }),
    ]);
    const [bucket] = (await queryScores(fakes, cx, query({ metric: 'ces', excludeFlagged: 'true' }))).buckets;
    expect(bucket).toMatchObject({ responses: 2, score: 3.5, includingFlagged: { responses: 3, score: 4.67 } });
  });
});

describe('scoresQuerySchema', () => {
  it('defaults to monthly buckets and no grouping', () => {
    expect(query({})).toMatchObject({ granularity: 'month', groupBy: 'none' });
  });

  it('rejects a range that ends before it starts, on the field to', () => {
    const parsed = scoresQuerySchema.safeParse({ metric: 'nps', from: '2026-11-30', to: '2026-11-01' });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['to']);
  });

  it('rejects a range longer than three years', () => {
    expect(scoresQuerySchema.safeParse({ metric: 'nps', from: '2020-01-01', to: '2026-01-01' }).success).toBe(false);
  });
});
