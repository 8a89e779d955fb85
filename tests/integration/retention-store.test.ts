/** The retention store's conditional writes against DynamoDB Local, on tables of its own. */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTopology } from '#infra/topology.ts';
import { ensureTables } from '#local/dynamodb-local.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { keys } from '#shared/adapters/dynamodb/keys.ts';
import { DynamoRetentionStore } from '#shared/adapters/dynamodb/retention-store.ts';
import { DynamoRollupStore } from '#shared/adapters/dynamodb/rollup-store.ts';
import { loadConfigFile } from '#shared/config/load.ts';
import type { Cohort } from '#shared/domain/retention.ts';
import { dynamo, stack } from './helpers.ts';

const suffix = Math.floor(Math.random() * 1e9);
const names: Record<string, string> = { main: `ret-main-${suffix}`, scores: `ret-scores-${suffix}` };
const db = createDocumentClient(dynamo);
const store = new DynamoRetentionStore(db, names.main ?? '', names.scores ?? '');
const rollups = new DynamoRollupStore(db, names.scores ?? '');
const phone = 'phone-hash-1';
const cohort: Cohort = {
  surveyId: 'sv_r1',
  storeId: 'sh-pudong',
  month: '2026-01',
  metric: 'nps',
  class: 'detractor',
  visitAt: '2026-01-05T02:00:00.000Z',
  answeredAt: '2026-01-05T06:00:00.000Z',
};
const bucket = async (view: string, period = '2026-01') =>
  (
    await rollups.read({
      family: 'retention',
      granularity: 'month',
      view,
      partitions: [period.slice(0, 4)],
      fromPeriod: period,
      toPeriod: period,
    })
  )[0]?.counters;

beforeAll(async () => {
  const tables = buildTopology(loadConfigFile(stack.configPath)).tables.map((t) => ({ ...t, stream: undefined }));
  await ensureTables(dynamo, tables, (t) => names[t.name] ?? t.name);
  await db.send(
    new PutCommand({
      TableName: names.main,
      Item: { ...keys.customer(phone), visits: 2, spend: 1800, visitLog: new Set([cohort.visitAt, '2026-02-01T00:00:00.000Z']) },
    }),
  );
});
afterAll(async () => {
  for (const name of Object.values(names)) await dynamo.send(new DeleteTableCommand({ TableName: name }));
});

describe('DynamoRetentionStore', () => {
  it('counts a cohort, its return and its recovery once each, however often each is tried', async () => {
    expect(await store.addCohort(phone, cohort, [180, 365])).toBe(true);
    expect(await store.addCohort(phone, cohort, [180, 365])).toBe(false);
    expect(await store.countReturns(phone, [{ cohort, horizonDays: 180 }])).toBe(true);
    expect(await store.countReturns(phone, [{ cohort, horizonDays: 180 }])).toBe(false);
    // Recovered after its 180-day return was counted, before the 365-day one.
    expect(await store.markRecovered(phone, cohort, [180], [180, 365])).toBe(true);
    expect(await store.markRecovered(phone, cohort, [180], [180, 365])).toBe(false);
    // A return counted with the recovery as it was before is refused: it must be read again.
    expect(await store.countReturns(phone, [{ cohort, horizonDays: 365 }])).toBe(false);
    expect(await store.countReturns(phone, [{ cohort: { ...cohort, recovered: true }, horizonDays: 365 }])).toBe(true);

    expect(await bucket('h180')).toEqual({ surveyed: 1, returned: 1, recovered: 1, returnedRecovered: 1 });
    expect(await bucket('h365')).toEqual({ surveyed: 1, returned: 1, recovered: 1, returnedRecovered: 1 });
    const history = await store.history(phone);
    expect(history).toMatchObject({
      visits: expect.arrayContaining([cohort.visitAt]),
      cohorts: [{ ...cohort, recovered: true }],
      value: { visits: 2, spend: 1800, lastVisitAt: '2026-02-01T00:00:00.000Z' },
    });
    expect([...(history?.counted ?? [])].sort()).toEqual(['sv_r1#180', 'sv_r1#365']);
  });

  it('moves a customer between segments once per move, and counts the month’s ins and outs', async () => {
    expect(await store.moveSegment(phone, undefined, 'new', '2026-11')).toBe(true);
    expect(await store.moveSegment(phone, undefined, 'new', '2026-11')).toBe(false);
    expect(await store.moveSegment(phone, 'new', 'loyal', '2026-12')).toBe(true);
    expect(await store.moveSegment(phone, 'new', 'loyal', '2026-12')).toBe(false);

    expect((await store.history(phone))?.segment).toBe('loyal');
    const views = await Promise.all(Array.from({ length: 8 }, (_, i) => bucket(`segments-${i}`, 'all')));
    expect(views.filter(Boolean)).toEqual([{ new: 0, loyal: 1 }]);
    const moves = async (month: string) =>
      (await Promise.all(Array.from({ length: 8 }, (_, i) => bucket(`segment-moves-${i}`, month)))).filter(Boolean);
    expect(await moves('2026-11')).toEqual([{ in_new: 1 }]);
    expect(await moves('2026-12')).toEqual([{ in_loyal: 1, out_new: 1 }]);
  });

  it('writes many customers’ visits in transactions of 100 items, summing their counters, and answers those whose history changed', async () => {
    // 150 customers of one store and month: more than one transaction holds.
    const many = Array.from({ length: 150 }, (_, i) => ({
      phoneHash: `batch-phone-${i}`,
      cohort: { ...cohort, surveyId: `sv_b${i}`, month: '2025-06', class: 'promoter' as const },
    }));
    await Promise.all(
      many.map(({ phoneHash, cohort: c }) =>
        db.send(
          new PutCommand({
            TableName: names.main,
            Item: {
              ...keys.customer(phoneHash),
              visits: 2,
              visitLog: new Set([c.visitAt, '2026-02-01T00:00:00.000Z']),
              [`cohort#${c.surveyId}`]: c,
            },
          }),
        ),
      ),
    );
    const histories = await store.histories([...many.map((m) => m.phoneHash), 'no-such-phone']);
    expect(histories.size).toBe(150);
    expect(histories.get('batch-phone-7')?.cohorts).toEqual([many[7]?.cohort]);
    // One customer's return is counted meanwhile by another writer (the scorer): its change no longer holds.
    expect(await store.countReturns('batch-phone-3', [{ cohort: many[3]?.cohort ?? cohort, horizonDays: 180 }])).toBe(true);

    const timer = { action: 'recency' as const, at: '2026-12-01T00:00:00.000Z' };
    const changes = many.map(({ phoneHash, cohort: c }) => ({
      phoneHash,
      returns: [{ cohort: c, horizonDays: 180 }],
      segment: { from: undefined, to: 'new' as const, month: '2026-11' },
      timer,
    }));
    const stale = await store.applyVisitChanges(changes);
    const again = await store.applyVisitChanges(changes);

    expect([...stale]).toEqual(['batch-phone-3']);
    expect(again.size).toBe(150);
    expect(await bucket('h180', '2025-06')).toEqual({ returned: 150 });
    const views = await Promise.all(Array.from({ length: 8 }, (_, i) => bucket(`segments-${i}`, 'all')));
    // The earlier test's customer is loyal; 149 are new (the raced one was not moved).
    expect(views.reduce((n, v) => n + Number(v?.new ?? 0), 0)).toBe(149);
    const after = await store.history('batch-phone-8');
    expect(after).toMatchObject({ segment: 'new', timer });
    expect([...(after?.counted ?? [])]).toEqual(['sv_b8#180']);
    expect((await store.history('batch-phone-3'))?.segment).toBeUndefined();
  });

  it('adds many customers’ cohorts in shared transactions, each once, leaving out a customer without a history', async () => {
    const joining = Array.from({ length: 60 }, (_, i) => ({
      phoneHash: `cohort-phone-${i}`,
      cohort: { ...cohort, surveyId: `sv_c${i}`, month: '2025-08', class: 'passive' as const },
    }));
    await Promise.all(
      joining
        .slice(1)
        .map(({ phoneHash, cohort: c }) =>
          db.send(
            new PutCommand({ TableName: names.main, Item: { ...keys.customer(phoneHash), visitLog: new Set([c.visitAt]) } }),
          ),
        ),
    );
    // One cohort is there already (an answer scored meanwhile).
    const [, raced] = joining;
    if (!raced) throw new Error('60 customers');
    expect(await store.addCohort(raced.phoneHash, raced.cohort, [180, 365])).toBe(true);

    const added = await store.addCohorts(joining, [180, 365]);
    const again = await store.addCohorts(joining, [180, 365]);

    expect(added.size).toBe(58);
    expect(added.has('cohort-phone-0') || added.has('cohort-phone-1')).toBe(false);
    expect(again.size).toBe(0);
    expect(await bucket('h180', '2025-08')).toEqual({ surveyed: 59 });
    expect(await bucket('h365', '2025-08')).toEqual({ surveyed: 59 });
    expect((await store.history('cohort-phone-30'))?.cohorts).toEqual([joining[30]?.cohort]);
  });
});
