/**
 * A DocumentClient that asks DynamoDB for the capacity every call consumes
 * (`ReturnConsumedCapacity: 'TOTAL'`) and adds it up per table, plus the items each Query page
 * read: what the benchmark's cost figures are made of. The production adapters take it as
 * their client unchanged.
 *
 * DynamoDB Local reports single-item writes as AWS bills them (one unit per started KB), but a
 * whole TransactWriteItems call as about 2 units however many items it holds, where AWS bills 2
 * units per item (prepare and commit). So every write is also priced by AWS's documented rules,
 * from the request itself: that is the figure to plan costs with.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, type DocumentClient } from '#shared/adapters/dynamodb/client.ts';

const KB = 1024;
const writeCommands = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);
const readCommands = new Set(['GetItemCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand', 'QueryCommand', 'ScanCommand']);

/** Size of a number by DynamoDB's rule: one byte per two significant digits, plus one. */
function numberBytes(n: number | bigint): number {
  const digits = String(n).replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Size of a Document-client value by DynamoDB's item-size rules. */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberBytes(value);
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, member) => sum + valueBytes(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, e) => sum + 1 + valueBytes(e), 0);
  if (typeof value === 'object') return 3 + itemBytes(value as Record<string, unknown>) + Object.keys(value).length;
  return 0;
}

/** An item's size as DynamoDB counts it: every attribute's name and value. */
export function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value !== undefined) bytes += Buffer.byteLength(name) + valueBytes(value);
  }
  return bytes;
}

const unitsFor = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));

interface TransactItem {
  Put?: { Item?: Record<string, unknown> };
  Update?: object;
  Delete?: object;
  ConditionCheck?: object;
}

/**
 * Write units AWS bills for a request, from the request: a Put by its item's size; an item
 * updated, deleted or checked inside a transaction as one unit (the items this code updates
 * there are rollup buckets, well under 1 KB: the write-units phase checks the largest);
 * everything in a transaction twice.
 */
function awsWriteUnits(command: string, input: Record<string, unknown>, reported: number): number {
  // A Put that also writes index entries costs their units too, which only DynamoDB's report has.
  if (command === 'PutItemCommand') return Math.max(reported, unitsFor(itemBytes((input.Item ?? {}) as Record<string, unknown>)));
  if (command === 'TransactWriteItemsCommand') {
    const items = (input.TransactItems ?? []) as TransactItem[];
    return 2 * items.reduce((sum, item) => sum + (item.Put?.Item ? unitsFor(itemBytes(item.Put.Item)) : 1), 0);
  }
  // UpdateItem and DeleteItem are billed by the item's size, which only DynamoDB knows: its report is per item.
  return reported;
}

export interface MeterReading {
  /** Write capacity units DynamoDB Local reported, per table. */
  reportedWriteUnits: Record<string, number>;
  /** The same calls' write units by AWS's billing rules (see the module comment). */
  awsWriteUnits: number;
  /** Read capacity units DynamoDB Local reported, per table. */
  readUnits: Record<string, number>;
  /** Calls per command that succeeded, and that failed (by command and error name). */
  calls: Record<string, number>;
  failures: Record<string, number>;
  /** Items written inside transactions (buckets and markers). */
  transactionItems: number;
  /** Query pages, the items they returned (Count) and the items DynamoDB read for them (ScannedCount). */
  query: { pages: number; count: number; scanned: number };
  /**
   * Of the calls, those that touch a customer's history item or a retention counter (cohorts,
   * segments, the customer's timer): what keeping retention and RFM costs.
   */
  retention: { reads: number; writes: number };
}

const empty = (): MeterReading => ({
  reportedWriteUnits: {},
  awsWriteUnits: 0,
  readUnits: {},
  calls: {},
  failures: {},
  transactionItems: 0,
  query: { pages: 0, count: 0, scanned: 0 },
  retention: { reads: 0, writes: 0 },
});

/** A request on a customer's history (`CUSTOMER#…`) or a retention rollup (`ROLLUP#retention#…`), by its keys. */
const touchesRetention = (input: Record<string, unknown>) => /"(CUSTOMER#|ROLLUP#retention#)/.test(JSON.stringify(input));

const add = (into: Record<string, number>, key: string, n: number) => {
  into[key] = (into[key] ?? 0) + n;
};
export const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

interface Capacity {
  TableName?: string | undefined;
  CapacityUnits?: number | undefined;
  ReadCapacityUnits?: number | undefined;
  WriteCapacityUnits?: number | undefined;
}
const field = (output: object, name: string): unknown => (output as Record<string, unknown>)[name];
const capacitiesOf = (output: object): Capacity[] => {
  const consumed = field(output, 'ConsumedCapacity') as Capacity | Capacity[] | undefined;
  return consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
};
const countOf = (output: object, name: 'Count' | 'ScannedCount') => {
  const n = field(output, name);
  return typeof n === 'number' ? n : 0;
};

export class CapacityMeter {
  private reading = empty();

  /** What was consumed since the last reset. */
  read(): MeterReading {
    return structuredClone(this.reading);
  }

  reset() {
    this.reading = empty();
  }

  private countRetention(command: string, input: Record<string, unknown>) {
    if (!touchesRetention(input)) return;
    if (writeCommands.has(command)) this.reading.retention.writes += 1;
    else this.reading.retention.reads += 1;
  }

  record(command: string, input: Record<string, unknown>, output: object) {
    add(this.reading.calls, command, 1);
    this.countRetention(command, input);
    let reported = 0;
    for (const capacity of capacitiesOf(output)) {
      const table = capacity.TableName ?? '(unnamed)';
      if (writeCommands.has(command)) {
        const units = capacity.WriteCapacityUnits ?? capacity.CapacityUnits ?? 0;
        reported += units;
        add(this.reading.reportedWriteUnits, table, units);
      } else {
        add(this.reading.readUnits, table, capacity.ReadCapacityUnits ?? capacity.CapacityUnits ?? 0);
      }
    }
    if (writeCommands.has(command)) this.reading.awsWriteUnits += awsWriteUnits(command, input, reported);
    if (command === 'TransactWriteItemsCommand')
      this.reading.transactionItems += ((input.TransactItems ?? []) as unknown[]).length;
    if (command === 'QueryCommand') {
      this.reading.query.pages += 1;
      this.reading.query.count += countOf(output, 'Count');
      this.reading.query.scanned += countOf(output, 'ScannedCount');
    }
  }

  /**
   * A failed call. A failed conditional write is still billed by AWS, by the item's size (at
   * least one unit); DynamoDB Local reports nothing for it.
   */
  recordFailure(command: string, input: Record<string, unknown>, error: unknown) {
    const name = (error as Error)?.name ?? 'Error';
    if (writeCommands.has(command)) this.countRetention(command, input);
    add(this.reading.failures, `${command}:${name}`, 1);
    if (name === 'ConditionalCheckFailedException' && command === 'PutItemCommand') {
      this.reading.awsWriteUnits += awsWriteUnits(command, input, 0);
    }
  }
}

export interface MeteredClient {
  db: DocumentClient;
  meter: CapacityMeter;
  destroy(): void;
}

/**
 * Meters every read and write `client` makes (a DynamoDBClient or a DocumentClient sharing its
 * middleware stack), each call into the meter `meterOf` picks for it.
 */
export function meterClient(client: Pick<DynamoDBClient, 'middlewareStack'>, meterOf: (command: string) => CapacityMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      if (!writeCommands.has(command) && !readCommands.has(command)) return next(args);
      const meter = meterOf(command);
      // At the initialize step a Document-client command still holds plain values (marshalling comes later).
      const input = { ...(args.input as Record<string, unknown>), ReturnConsumedCapacity: 'TOTAL' };
      try {
        const result = await next({ ...args, input });
        if (typeof result.output === 'object' && result.output !== null) meter.record(command, input, result.output);
        return result;
      } catch (error) {
        meter.recordFailure(command, input, error);
        throw error;
      }
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
}

export const isWrite = (command: string) => writeCommands.has(command);

/** A DocumentClient on `endpoint` (DynamoDB Local) whose every read and write is metered. */
export function meteredDocumentClient(endpoint: string): MeteredClient {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const meter = new CapacityMeter();
  meterClient(client, () => meter);
  return { db: createDocumentClient(client), meter, destroy: () => client.destroy() };
}
