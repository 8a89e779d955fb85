/**
 * Lambda's DynamoDB Streams event source mapping, locally: every shard read in order from its
 * oldest record, parents before children, batched up to batchSize within the batching window,
 * filtered by item type; a failed batch is retried whole (never split, never skipped) until it
 * succeeds. Where each shard got to is kept in the data dir, and a batch is written down before
 * it is handed over, so after a crash the very same batch is handed over again, as Lambda does.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaContext } from './api-gateway.ts';

export type StreamLambda = (event: DynamoDBStreamEvent, context: Context) => Promise<unknown>;

export interface StreamPollerOptions {
  functionName: string;
  streamArn: string;
  itemTypes: string[];
  batchSize: number;
  maxBatchingWindowMs: number;
  timeoutSeconds: number;
  checkpointFile: string;
  onError?: (error: unknown) => void;
}

interface ShardState {
  /** Every record up to this sequence number has been handed over (or filtered out). */
  after?: string;
  /** The batch being handed over: from `first` to `last`, inclusive. */
  pending?: { first: string; last: string };
  done?: boolean;
}
interface Checkpoints {
  streamArn: string;
  shards: Record<string, ShardState>;
}

const IDLE_MS = 200;
/**
 * How often the shard list is looked at again while no shard has closed. DescribeStream is slow
 * in DynamoDB Local (it holds the one SQLite thread every write waits for), and a new shard
 * only matters once its parent is read to the end, which triggers a look at once.
 */
const DESCRIBE_EVERY_MS = 10_000;
const seq = (record: StreamRecord) => record.dynamodb?.SequenceNumber ?? '';
const after = (a: string, b: string) => BigInt(a) > BigInt(b);

export class StreamPoller {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly checkpoints: Checkpoints;
  private readonly iterators = new Map<string, string>();
  private shards: { list: Shard[]; at: number } | undefined;

  constructor(
    private readonly streams: DynamoDBStreamsClient,
    private readonly handler: StreamLambda,
    private readonly options: StreamPollerOptions,
  ) {
    const kept: Checkpoints | undefined = existsSync(options.checkpointFile)
      ? JSON.parse(readFileSync(options.checkpointFile, 'utf8'))
      : undefined;
    this.checkpoints = kept?.streamArn === options.streamArn ? kept : { streamArn: options.streamArn, shards: {} };
  }

  start() {
    this.running = true;
    this.loop = this.run();
  }

  async stop() {
    this.running = false;
    await this.loop;
  }

  private save() {
    mkdirSync(dirname(this.options.checkpointFile), { recursive: true });
    const temporary = `${this.options.checkpointFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.checkpoints));
    renameSync(temporary, this.options.checkpointFile);
  }

  private async run() {
    while (this.running) {
      try {
        const shards = await this.readyShards();
        let busy = false;
        for (const shard of shards) {
          if (!this.running) break;
          busy = (await this.pollShard(shard)) || busy;
        }
        if (!busy) await sleep(IDLE_MS);
      } catch (error) {
        // An expired or stale iterator is no failure: the next look starts again from the checkpoint.
        this.iterators.clear();
        this.shards = undefined;
        const name = (error as Error).name;
        if (name !== 'ExpiredIteratorException' && name !== 'TrimmedDataAccessException') this.options.onError?.(error);
        await sleep(500);
      }
    }
  }

  /** Shards not finished yet whose parent (if this stream still has it) is finished. */
  private async readyShards(): Promise<Shard[]> {
    if (!this.shards || this.shards.list.length === 0 || Date.now() - this.shards.at > DESCRIBE_EVERY_MS) {
      this.shards = { list: await this.describeShards(), at: Date.now() };
    }
    const shards = this.shards.list;
    const known = new Set(shards.map((s) => s.ShardId));
    const state = (id: string | undefined) => (id ? this.checkpoints.shards[id] : undefined);
    return shards.filter(
      (s) =>
        s.ShardId && !state(s.ShardId)?.done && (!s.ParentShardId || !known.has(s.ParentShardId) || state(s.ParentShardId)?.done),
    );
  }

  private async describeShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let ExclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (ExclusiveStartShardId);
    return shards;
  }

  private async iterator(shardId: string, position: { at?: string; after?: string }) {
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shardId,
        ...(position.at
          ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: position.at }
          : position.after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position.after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  }

  /** Hands over one batch of this shard, if it has records; true when it did some work. */
  private async pollShard(shard: Shard): Promise<boolean> {
    const shardId = shard.ShardId ?? '';
    const state = this.checkpoints.shards[shardId] ?? {};
    this.checkpoints.shards[shardId] = state;
    if (state.pending) {
      // A batch was being handed over when the runtime stopped: hand over exactly that batch again.
      const batch = await this.readRange(shardId, state.pending.first, state.pending.last);
      await this.handOver(batch);
      state.after = state.pending.last;
      delete state.pending;
      this.iterators.delete(shardId);
      this.save();
      return true;
    }

    let iterator = this.iterators.get(shardId) ?? (await this.iterator(shardId, { after: state.after }));
    const records: StreamRecord[] = [];
    const windowEnds = Date.now() + this.options.maxBatchingWindowMs;
    while (iterator && records.length < this.options.batchSize) {
      const page = await this.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(1000, this.options.batchSize - records.length) }),
      );
      records.push(...(page.Records ?? []));
      iterator = page.NextShardIterator;
      if (records.length === 0 || Date.now() >= windowEnds || !this.running) break;
      if (!page.Records?.length) await sleep(Math.min(IDLE_MS, Math.max(0, windowEnds - Date.now())));
    }
    // DynamoDB Local's iterator after an empty read can point before the shard's first record;
    // only an iterator past records read is kept, otherwise the next look starts from the checkpoint.
    if (iterator && records.length > 0) this.iterators.set(shardId, iterator);
    else this.iterators.delete(shardId);

    if (records.length === 0) {
      if (!iterator) {
        // A closed shard, read to its end: its children may go now.
        state.done = true;
        this.shards = undefined;
        this.save();
      }
      return false;
    }
    const first = seq(records[0] as StreamRecord);
    const last = seq(records[records.length - 1] as StreamRecord);
    state.pending = { first, last };
    this.save();
    await this.handOver(records);
    state.after = last;
    delete state.pending;
    this.save();
    return true;
  }

  private async readRange(shardId: string, first: string, last: string): Promise<StreamRecord[]> {
    const records: StreamRecord[] = [];
    let iterator = await this.iterator(shardId, { at: first });
    while (iterator) {
      const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      for (const record of page.Records ?? []) {
        if (after(seq(record), last)) return records;
        records.push(record);
        if (seq(record) === last) return records;
      }
      iterator = page.NextShardIterator;
      if (!page.Records?.length) await sleep(IDLE_MS);
    }
    return records;
  }

  /** The filtered batch to the function, again and again until it succeeds, as Lambda retries a stream batch. */
  private async handOver(records: StreamRecord[]) {
    const wanted = records.filter((r) => {
      const type = r.dynamodb?.NewImage?.type?.S;
      return type !== undefined && this.options.itemTypes.includes(type);
    });
    if (wanted.length === 0) return;
    const event: DynamoDBStreamEvent = { Records: wanted.map((r) => this.toLambdaRecord(r)) };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.handler(event, lambdaContext(this.options.functionName, this.options.timeoutSeconds));
        return;
      } catch (error) {
        this.options.onError?.(error);
        if (!this.running) throw error;
        await sleep(Math.min(10_000, 200 * 2 ** attempt));
      }
    }
  }

  private toLambdaRecord(record: StreamRecord): DynamoDBRecord {
    const created = record.dynamodb?.ApproximateCreationDateTime;
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: record.awsRegion ?? 'us-east-1',
      eventSourceARN: this.options.streamArn,
      dynamodb: {
        ApproximateCreationDateTime: created ? created.getTime() / 1000 : Date.now() / 1000,
        // The SDK's and Lambda's attribute-value shapes are the same JSON for the string,
        // number, map, list and set values the tables hold.
        Keys: record.dynamodb?.Keys as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
        NewImage: record.dynamodb?.NewImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
        OldImage: record.dynamodb?.OldImage as NonNullable<DynamoDBRecord['dynamodb']>['OldImage'],
        SequenceNumber: record.dynamodb?.SequenceNumber,
        SizeBytes: record.dynamodb?.SizeBytes,
        StreamViewType: record.dynamodb?.StreamViewType,
      },
    };
  }
}
