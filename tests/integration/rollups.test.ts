/**
 * The rollups through the real change streams of DynamoDB Local: batches applied exactly once,
 * the funnel, and the answers behind a bucket with their verbatims, page by page.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoRollupStore } from '#shared/adapters/dynamodb/rollup-store.ts';
import type { RollupIncrement } from '#shared/domain/rollups.ts';
import { answeredSurvey, api, dynamo, postVisit, tokens, visit, visitDay, waitFor } from './helpers.ts';

const today = visitDay();
const monthRange = `from=${today.slice(0, 8)}01&to=${today}`;

describe('DynamoRollupStore', () => {
  const store = new DynamoRollupStore(DynamoDBDocumentClient.from(dynamo), 'closedloop-scores');
  const view = `test-${randomUUID().slice(0, 8)}`;
  const increments: RollupIncrement[] = Array.from({ length: 150 }, (_, i) => ({
    key: { family: 'nps', granularity: 'day', view, period: '2026-11-10', group: `g${String(i).padStart(3, '0')}` },
    counters: { responses: 2, promoters: 1 },
  }));
  const read = () =>
    store.read({
      family: 'nps',
      granularity: 'day',
      view,
      partitions: ['2026-11'],
      fromPeriod: '2026-11-10',
      toPeriod: '2026-11-10',
    });

  it('applies a batch that a crash cut short once, when the same batch is retried', async () => {
    // The first attempt got as far as its first transaction (99 buckets), then the process died.
    await store.apply('batch-a', increments.slice(0, 99));

    const retry = await store.apply('batch-a', increments);
    const again = await store.apply('batch-a', increments);

    expect(retry).toEqual({ applied: 1, alreadyApplied: 1 });
    expect(again).toEqual({ applied: 0, alreadyApplied: 2 });
    const rows = await read();
    expect(rows).toHaveLength(150);
    expect(rows.every((r) => r.counters.responses === 2 && r.counters.promoters === 1)).toBe(true);
  });

  it('adds a different batch on top', async () => {
    await store.apply('batch-b', increments.slice(0, 10));
    const rows = await read();
    expect(rows.filter((r) => r.counters.responses === 4)).toHaveLength(10);
  });
});

describe('GET /v1/funnel', () => {
  it('counts visits, sends, answers and suppressions by reason, per advisor', async () => {
    const advisorId = `A-${randomUUID().slice(0, 8)}`;
    await answeredSurvey('9', '很好', { advisorId });
    await postVisit(visit({ advisorId }));
    await postVisit(visit({ advisorId }, { phone: '12345' }));
    await postVisit(visit({ advisorId, serviceType: 'car_wash' }));

    const funnel = await waitFor(async () => {
      const { body } = await api(`/v1/funnel?${monthRange}&groupBy=advisor&advisorId=${advisorId}`, { token: tokens.cx });
      const bucket = body.buckets?.[0];
      return bucket?.visits === 4 && bucket.sent === 2 && bucket.answered === 1 ? bucket : undefined;
    }, 'the funnel to count the visits');

    expect(funnel).toMatchObject({
      group: advisorId,
      responseRate: 50,
      suppressed: { invalid_phone: 1, no_plan: 1 },
      suppressedTotal: 2,
      suppressionRate: 50,
    });
  });

  it('names a bad parameter', async () => {
    const response = await api('/v1/funnel?from=2026-11-01&to=2026-13-01', { token: tokens.cx });
    expect(response.status).toBe(400);
    expect(response.body.error.fields).toHaveProperty('to');
  });
});

describe('GET /v1/responses', () => {
  it('lists the answers behind a bucket with their verbatims, newest first, a page at a time', async () => {
    const advisorId = `A-${randomUUID().slice(0, 8)}`;
    await answeredSurvey('3', '等了三个小时', { advisorId });
    await answeredSurvey('10', 'Great service', { advisorId });
    await answeredSurvey('8', undefined, { advisorId });
    const query = `/v1/responses?metric=nps&${monthRange}&advisorId=${advisorId}`;
    await waitFor(async () => (await api(query, { token: tokens.cx })).body.responses?.length === 3, 'three answers');

    const first = await api(`${query}&limit=2`, { token: tokens.cx });
    const second = await api(`${query}&limit=2&cursor=${first.body.nextCursor}`, { token: tokens.cx });
    const detractors = await api(`${query}&sentiment=detractor`, { token: tokens.cx });
    const withWords = await api(`${query}&withComment=true`, { token: tokens.cx });

    expect(first.body.responses).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body.responses).toHaveLength(1);
    expect(second.body.nextCursor).toBeUndefined();
    const ids = [...first.body.responses, ...second.body.responses].map((r: { surveyId: string }) => r.surveyId);
    expect(new Set(ids).size).toBe(3);
    expect(detractors.body.responses).toMatchObject([{ score: 3, sentiment: 'detractor', comment: '等了三个小时', advisorId }]);
    expect(withWords.body.responses.map((r: { score: number }) => r.score).sort()).toEqual([10, 3]);
  });

  it('shows a department token its own department only', async () => {
    const response = await api(`/v1/responses?metric=nps&${monthRange}&departmentId=service-advisors`, {
      token: tokens.workshop,
    });
    expect(response.status).toBe(403);
  });

  it.each([
    ['an unknown metric', 'metric=xps&from=2026-11-01&to=2026-11-30', 'metric'],
    ['a limit over 100', 'metric=nps&from=2026-11-01&to=2026-11-30&limit=500', 'limit'],
    ['a forged cursor', 'metric=nps&from=2026-11-01&to=2026-11-30&cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['an unknown sentiment', 'metric=nps&from=2026-11-01&to=2026-11-30&sentiment=angry', 'sentiment'],
  ])('answers 400 to %s, naming the field', async (_, params, field) => {
    const response = await api(`/v1/responses?${params}`, { token: tokens.cx });
    expect(response.status).toBe(400);
    expect(response.body.error.fields).toHaveProperty(field);
  });
});
