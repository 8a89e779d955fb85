/**
 * The ceiling: how many plain PutItems per second DynamoDB Local takes, from this process, at
 * the end-to-end phase's concurrency, into a scratch table shaped like the scores table. The
 * JVM is warmed up first (its JIT needs a few thousand requests), as the stack's has been by
 * the time the end-to-end phase runs.
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TableSpec } from '#infra/topology.ts';
import { ensureTables } from '#local/dynamodb-local.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { itemBytes } from './metered-client.ts';
import { percentile, round } from './stats.ts';

export interface RawWritesResult {
  writesPerSecond: number;
  writes: number;
  seconds: number;
  concurrency: number;
  itemBytes: number;
  /** Writes before the measured ones, not counted. */
  warmUpWrites: number;
  latencyMs: { p50: number; p99: number };
}

/** A ~300-byte item, the size of a scored response. */
function itemOf(n: number) {
  const item = { pk: `RAW#${n % 97}`, sk: `${String(n).padStart(9, '0')}`, type: 'raw', payload: '' };
  item.payload = 'x'.repeat(Math.max(0, 300 - itemBytes(item)));
  return item;
}

export async function measureRawWrites(options: {
  endpoint: string;
  scoresTable: TableSpec;
  concurrency: number;
  durationMs: number;
  warmUpMs: number;
}): Promise<RawWritesResult> {
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const db = createDocumentClient(client);
  const TableName = 'bench-raw-writes';
  await ensureTables(client, [options.scoresTable], () => TableName);
  try {
    let next = 0;
    const writeFor = async (ms: number) => {
      const latencies: number[] = [];
      const deadline = performance.now() + ms;
      await Promise.all(
        Array.from({ length: options.concurrency }, async () => {
          while (performance.now() < deadline) {
            const n = next++;
            const sent = performance.now();
            await db.send(new PutCommand({ TableName, Item: itemOf(n) }));
            latencies.push(performance.now() - sent);
          }
        }),
      );
      return latencies;
    };
    const warmUpWrites = (await writeFor(options.warmUpMs)).length;
    const started = performance.now();
    const latencies = await writeFor(options.durationMs);
    const seconds = (performance.now() - started) / 1000;
    return {
      writesPerSecond: round(latencies.length / seconds, 1),
      writes: latencies.length,
      seconds: round(seconds, 1),
      concurrency: options.concurrency,
      itemBytes: itemBytes(itemOf(0)),
      warmUpWrites,
      latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
    };
  } finally {
    await client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
    client.destroy();
  }
}
