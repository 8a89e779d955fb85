/**
 * The `due` index on DynamoDB Local: which timers a sweep fires, and which a restart's first
 * sweep re-drives. On a table of its own, so the stack's sweeper does not take them first.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTopology } from '#infra/topology.ts';
import { ensureTables } from '#local/dynamodb-local.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { keys, timerAttributes } from '#shared/adapters/dynamodb/keys.ts';
import { DynamoTimerIndex } from '#shared/adapters/dynamodb/timer-index.ts';
import { loadConfigFile } from '#shared/config/load.ts';
import { dynamo, stack } from './helpers.ts';

const table = `timers-${Math.floor(Math.random() * 1e9)}`;
const db = createDocumentClient(dynamo);
const timers = new DynamoTimerIndex(db, table);
const now = new Date();
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

/** One survey item with a pending timer, optionally handed off under a lease. */
async function survey(id: string, timer: { action: string; at: string }, leaseUntil?: string) {
  await db.send(
    new PutCommand({
      TableName: table,
      Item: { ...keys.survey(id), type: 'survey', id, ...timerAttributes('survey', id, timer, leaseUntil) },
    }),
  );
}

beforeAll(async () => {
  const main = buildTopology(loadConfigFile(stack.configPath)).tables.find((t) => t.name === 'main');
  if (!main) throw new Error('the topology has no main table');
  // No stream: only the index matters here, and DynamoDB Local slows down with every extra stream.
  await ensureTables(dynamo, [{ ...main, stream: undefined }], () => table);

  await survey('due-send', { action: 'send', at: at(-1) });
  await survey('later-send', { action: 'send', at: at(2) });
  // A score handed to the scorer while the why-question stays open for 30 minutes.
  await survey('lease-ended', { action: 'close', at: at(25) }, at(-1));
  await survey('lease-running', { action: 'close', at: at(25) }, at(4));
  // A reminder a sweep fired a minute ago: leased past its own time.
  await survey('fired-running', { action: 'remind', at: at(-2) }, at(4));
});
afterAll(async () => {
  await dynamo.send(new DeleteTableCommand({ TableName: table }));
});

const ids = (due: { id: string }[]) => due.map((t) => t.id).sort();

describe('the due index', () => {
  it('fires timers whose time has come, and handed-off work whose lease has ended before its timer', async () => {
    expect(ids(await timers.due(now.toISOString(), 100))).toEqual(['due-send', 'lease-ended']);
  });

  it('re-drives, after a restart, the work still leased as well, but nothing merely coming up', async () => {
    expect(ids(await timers.due(now.toISOString(), 100, at(5)))).toEqual([
      'due-send',
      'fired-running',
      'lease-ended',
      'lease-running',
    ]);
  });

  it('leases a timer once: a second sweep holding the old lease key gets nothing', async () => {
    const [timer] = (await timers.due(now.toISOString(), 100)).filter((t) => t.id === 'lease-ended');
    if (!timer) throw new Error('lease-ended is not due');
    expect(await timers.lease(timer, at(5))).toBe(true);
    expect(await timers.lease(timer, at(5))).toBe(false);
    expect(ids(await timers.due(now.toISOString(), 100))).toEqual(['due-send']);
  });
});
