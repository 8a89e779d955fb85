/** The call-task store's lists against DynamoDB Local, on tables of its own: paged, filtered, in order. */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTopology } from '#infra/topology.ts';
import { ensureTables } from '#local/dynamodb-local.ts';
import { DynamoCallTaskStore } from '#shared/adapters/dynamodb/call-task-store.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { loadConfigFile } from '#shared/config/load.ts';
import type { CallTask } from '#shared/domain/call-tasks.ts';
import { dynamo, stack } from './helpers.ts';

const suffix = Math.floor(Math.random() * 1e9);
const names: Record<string, string> = { main: `calls-main-${suffix}` };
const store = new DynamoCallTaskStore(createDocumentClient(dynamo), names.main ?? '', 30);

/** Task n, due n hours after midnight; every third one at Minhang, the rest at Pudong. */
const task = (n: number): CallTask => ({
  id: `ct_${String(n).padStart(2, '0')}`,
  surveyId: `sv_${n}`,
  departmentId: 'customer-care',
  status: 'open',
  storeId: n % 3 === 0 ? 'sh-minhang' : 'sh-pudong',
  surveyType: 'nps',
  locale: 'zh-CN',
  phoneMasked: '+86 138****8000',
  visit: { date: '2026-11-19', serviceType: 'maintenance' },
  createdAt: '2026-11-20T00:00:00.000Z',
  dueAt: `2026-11-21T${String(n).padStart(2, '0')}:00:00.000Z`,
  attempts: 0,
  log: [],
});

beforeAll(async () => {
  const tables = buildTopology(loadConfigFile(stack.configPath))
    .tables.filter((t) => t.name === 'main')
    .map((t) => ({ ...t, stream: undefined }));
  await ensureTables(dynamo, tables, (t) => names[t.name] ?? t.name);
  // Created out of due order: the list's order is the index's, not the writes'.
  for (const n of [7, 2, 9, 1, 6, 3, 8, 4, 5]) await store.create(task(n));
  for (const n of [8, 2]) {
    await store.update(task(n).id, { status: 'done', closedAt: `2026-11-22T0${n}:00:00.000Z` }, { status: 'open' });
  }
});
afterAll(async () => {
  for (const name of Object.values(names)) await dynamo.send(new DeleteTableCommand({ TableName: name }));
});

describe('DynamoCallTaskStore.list', () => {
  it('pages through the open tasks, soonest due first, up to the limit', async () => {
    const open = await store.list('customer-care', { status: 'open', limit: 4 });
    expect(open.map((t) => t.id)).toEqual(['ct_01', 'ct_03', 'ct_04', 'ct_05']);
  });

  it('keeps paging when a store filter leaves a page short, and stops at the limit', async () => {
    // Pages of two items hold at most one Minhang task each: three pages for two tasks.
    const minhang = await store.list('customer-care', { status: 'open', storeId: 'sh-minhang', limit: 2 });
    expect(minhang.map((t) => t.id)).toEqual(['ct_03', 'ct_06']);
    const all = await store.list('customer-care', { status: 'open', storeId: 'sh-minhang', limit: 50 });
    expect(all.map((t) => t.id)).toEqual(['ct_03', 'ct_06', 'ct_09']);
  });

  it('lists the done ones latest closed first, and nothing of another department', async () => {
    const done = await store.list('customer-care', { status: 'done', limit: 10 });
    expect(done.map((t) => t.id)).toEqual(['ct_08', 'ct_02']);
    expect(await store.list('workshop', { status: 'open', limit: 10 })).toEqual([]);
  });
});
