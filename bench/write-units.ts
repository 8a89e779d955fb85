/**
 * Write units per scored answer, through the production code: DynamoResponseStore.record for
 * each answer, then aggregateRollups + DynamoRollupStore over batches of them, as the scores
 * table's stream delivers them, on a metering DocumentClient against scratch tables made from
 * the topology's scores TableSpec.
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TableSpec } from '#infra/topology.ts';
import { ensureTables } from '#local/dynamodb-local.ts';
import { DynamoResponseStore } from '#shared/adapters/dynamodb/response-store.ts';
import { DynamoRollupStore, rollupKey } from '#shared/adapters/dynamodb/rollup-store.ts';
import type { Config } from '#shared/config/schema.ts';
import { granularities } from '#shared/domain/periods.ts';
import type { ScoredResponse } from '#shared/domain/records.ts';
import { type RollupFact, rollupIncrementsOf, viewNames } from '#shared/domain/rollups.ts';
import { aggregateRollups } from '#shared/use-cases/aggregate-rollups.ts';
import { itemBytes, type MeteredClient, meteredDocumentClient, sum } from './metered-client.ts';
import { forEachConcurrently, round } from './stats.ts';
import { batchesOf, isoDate, populationOf, syntheticAnswers } from './synthetic-answers.ts';

interface BatchSizeFigure {
  batchSize: number;
  /** Answers aggregated at this batch size (the smallest sizes converge within a few hundred). */
  answers: number;
  batches: number;
  /** Distinct rollup buckets written per answer once a batch is folded (24 without batching). */
  bucketsPerAnswer: number;
  transactions: number;
  /** AWS-billed write units per answer: the response item, the rollups, and both. */
  responseUnitsPerAnswer: number;
  rollupUnitsPerAnswer: number;
  unitsPerAnswer: number;
  /** What DynamoDB Local itself reported for the same calls, per answer. */
  reportedByDynamoDbLocal: number;
}

export interface WriteUnitsResult {
  /** Write units per answer at the topology's stream batch size (AWS billing rules). */
  value: number;
  rollupViews: number;
  granularities: number;
  /** Buckets one answer adds to on its own: views × granularities. */
  bucketsPerAnswer: number;
  floor: number;
  /** The earlier design: the response and its 24 buckets in one transaction per answer, 2 units per item. */
  oneTransactionPerAnswer: number;
  topologyBatchSize: number;
  topologyWindowSeconds: number;
  answers: number;
  visitDays: number;
  population: { stores: number; advisors: number; serviceTypes: number };
  byBatchSize: BatchSizeFigure[];
  /** At the topology's batch size: how the figure moves with the days a batch's visits span. */
  byVisitDays: { visitDays: number; bucketsPerAnswer: number; unitsPerAnswer: number }[];
  /** The same answer delivered again: its conditional Put fails; nothing reaches the stream. */
  duplicateAnswer: { answers: number; awsUnitsPerAnswer: number; reportedUnitsPerAnswer: number; rollupWrites: number };
  /** A stream batch handed over again: its markers stop every chunk; no bucket changes. */
  replayedBatch: { answers: number; transactionsAttempted: number; cancelled: number; bucketsUnchanged: boolean };
  /** The customer's reason, added to the kept response later: one UpdateItem. */
  reasonUnitsPerAnswer: number;
  largestResponseItemBytes: number;
  largestRollupItemBytes: number;
  seconds: number;
}

interface WriteUnitsOptions {
  endpoint: string;
  config: Readonly<Config>;
  scoresTable: TableSpec;
  topologyBatchSize: number;
  topologyWindowSeconds: number;
  batchSizes: number[];
  answers: number;
  visitDays: number;
  /** Other spans of visit days to price at the topology's batch size. */
  otherVisitDays: number[];
  concurrency: number;
  seed: number;
  log?: (message: string) => void;
}

/** Answers measured at a batch size: every answer for big batches, a few hundred for tiny ones. */
const answersAt = (batchSize: number, total: number) => Math.min(total, Math.max(100, batchSize * 10));

async function largestItem(metered: MeteredClient, table: string, prefix: string): Promise<number> {
  let largest = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await metered.db.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      if (String(item.pk).startsWith(prefix)) largest = Math.max(largest, itemBytes(item));
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return largest;
}

export async function measureWriteUnits(options: WriteUnitsOptions): Promise<WriteUnitsResult> {
  const started = performance.now();
  const admin = new DynamoDBClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const metered = meteredDocumentClient(options.endpoint);
  const { meter } = metered;
  const created: string[] = [];
  const scratchTable = async (name: string) => {
    // Without the stream: it costs no write units, and DynamoDB Local slows every write to a
    // stream-enabled table while other tables' streams hold many records.
    await ensureTables(admin, [{ ...options.scoresTable, stream: undefined }], () => name);
    created.push(name);
    return name;
  };
  const retention = options.config.privacy.retentionDays;
  const population = populationOf(options.config);
  const answersOver = (days: number) =>
    syntheticAnswers(population, {
      count: options.answers,
      firstDay: isoDate(Date.now() - (days - 1) * 86_400_000),
      days,
      seed: options.seed,
      idPrefix: `sv_bench_wcu_${days}d_`,
      order: 'mixed',
    });
  const answers = answersOver(options.visitDays);
  const facts = (batch: ScoredResponse[]): RollupFact[] => batch.map((response) => ({ kind: 'scored', response }));

  try {
    // The response items: one conditional Put each, whatever the batch size.
    const responsesTable = await scratchTable('bench-wcu-responses');
    const responses = new DynamoResponseStore(metered.db, responsesTable, retention);
    meter.reset();
    await forEachConcurrently(answers, options.concurrency, async (answer) => {
      if ((await responses.record(answer)) !== 'recorded') throw new Error(`answer ${answer.surveyId} was not recorded`);
    });
    const responseReading = meter.read();
    options.log?.(`  ${answers.length} responses recorded (${round((performance.now() - started) / 1000, 1)} s)`);
    const responseUnitsPerAnswer = responseReading.awsWriteUnits / answers.length;
    const responseReportedPerAnswer = sum(responseReading.reportedWriteUnits) / answers.length;

    const byBatchSize: BatchSizeFigure[] = [];
    let topologyTable = '';
    for (const batchSize of options.batchSizes) {
      const table = await scratchTable(`bench-wcu-batch-${batchSize}`);
      if (batchSize === options.topologyBatchSize) topologyTable = table;
      const rollups = new DynamoRollupStore(metered.db, table);
      const measured = answers.slice(0, answersAt(batchSize, answers.length));
      const batches = batchesOf(measured, batchSize);
      let buckets = 0;
      meter.reset();
      for (const [i, batch] of batches.entries()) {
        const outcome = await aggregateRollups({ rollups }, { id: `bench-${batchSize}-${i}`, facts: facts(batch) });
        buckets += outcome.buckets;
      }
      const reading = meter.read();
      const rollupUnitsPerAnswer = reading.awsWriteUnits / measured.length;
      byBatchSize.push({
        batchSize,
        answers: measured.length,
        batches: batches.length,
        bucketsPerAnswer: round(buckets / measured.length, 3),
        transactions: reading.calls.TransactWriteItemsCommand ?? 0,
        responseUnitsPerAnswer: round(responseUnitsPerAnswer, 3),
        rollupUnitsPerAnswer: round(rollupUnitsPerAnswer, 3),
        unitsPerAnswer: round(responseUnitsPerAnswer + rollupUnitsPerAnswer, 3),
        reportedByDynamoDbLocal: round(responseReportedPerAnswer + sum(reading.reportedWriteUnits) / measured.length, 3),
      });
      options.log?.(
        `  batch ${batchSize}: ${measured.length} answers folded (${round((performance.now() - started) / 1000, 1)} s)`,
      );
    }
    const atTopology = byBatchSize.find((f) => f.batchSize === options.topologyBatchSize);
    if (!atTopology || !topologyTable) {
      throw new Error(`batch size ${options.topologyBatchSize} (the topology's) was not measured`);
    }

    // The same number of answers, their visits spread over fewer or more days, at the topology's batch size.
    const byVisitDays = [
      { visitDays: options.visitDays, bucketsPerAnswer: atTopology.bucketsPerAnswer, unitsPerAnswer: atTopology.unitsPerAnswer },
    ];
    for (const days of options.otherVisitDays) {
      const table = await scratchTable(`bench-wcu-days-${days}`);
      const rollups = new DynamoRollupStore(metered.db, table);
      const spread = answersOver(days);
      let buckets = 0;
      meter.reset();
      for (const [i, batch] of batchesOf(spread, options.topologyBatchSize).entries()) {
        buckets += (await aggregateRollups({ rollups }, { id: `bench-days-${days}-${i}`, facts: facts(batch) })).buckets;
      }
      byVisitDays.push({
        visitDays: days,
        bucketsPerAnswer: round(buckets / spread.length, 3),
        unitsPerAnswer: round(responseUnitsPerAnswer + meter.read().awsWriteUnits / spread.length, 3),
      });
      options.log?.(
        `  visits over ${days} day(s): ${spread.length} answers folded (${round((performance.now() - started) / 1000, 1)} s)`,
      );
    }

    // A re-delivered answer: the same Put again.
    const repeated = answers.slice(0, Math.min(100, answers.length));
    meter.reset();
    for (const answer of repeated) {
      if ((await responses.record(answer)) !== 'duplicate') throw new Error(`a repeat of ${answer.surveyId} was recorded again`);
    }
    const duplicate = meter.read();

    // A stream batch handed over again (Lambda retries a failed batch whole): same batch id, same answers.
    const rollups = new DynamoRollupStore(metered.db, topologyTable);
    const replayed = answers.slice(0, options.topologyBatchSize);
    const probe = rollupIncrementsOf({ kind: 'scored', response: replayed[0] as ScoredResponse })[0];
    if (!probe) throw new Error('an answer adds to no bucket');
    const readProbe = async () =>
      (
        await metered.db.send(
          new GetCommand({
            TableName: topologyTable,
            Key: rollupKey(probe.key.family, probe.key.granularity, probe.key.view, probe.key.period, probe.key.group),
            ConsistentRead: true,
          }),
        )
      ).Item;
    const before = await readProbe();
    meter.reset();
    const replay = await aggregateRollups({ rollups }, { id: `bench-${options.topologyBatchSize}-0`, facts: facts(replayed) });
    const replayReading = meter.read();
    const after = await readProbe();

    // The reason arriving after the score: one UpdateItem on the kept response.
    const commented = answers.slice(0, Math.min(100, answers.length));
    meter.reset();
    for (const answer of commented) await responses.setComment(answer, '师傅很专业，交车也准时');
    const reasonUnits = meter.read().reportedWriteUnits;

    const largestRollupItemBytes = await largestItem(metered, topologyTable, 'ROLLUP#');
    // Inside a transaction an updated bucket is priced as one unit (x2): true while every bucket is under 1 KB.
    if (largestRollupItemBytes > 1024)
      throw new Error(`a rollup item is ${largestRollupItemBytes} bytes: price its updates by size`);

    return {
      value: atTopology.unitsPerAnswer,
      rollupViews: viewNames.length,
      granularities: granularities.length,
      bucketsPerAnswer: rollupIncrementsOf({ kind: 'scored', response: answers[0] as ScoredResponse }).length,
      floor: 1,
      oneTransactionPerAnswer: 2 * (1 + viewNames.length * granularities.length),
      topologyBatchSize: options.topologyBatchSize,
      topologyWindowSeconds: options.topologyWindowSeconds,
      answers: answers.length,
      visitDays: options.visitDays,
      population: {
        stores: population.stores.length,
        advisors: population.advisors.length,
        serviceTypes: population.plans.length,
      },
      byVisitDays: byVisitDays.sort((a, b) => a.visitDays - b.visitDays),
      byBatchSize: [...byBatchSize].sort((a, b) => a.batchSize - b.batchSize),
      duplicateAnswer: {
        answers: repeated.length,
        awsUnitsPerAnswer: round(duplicate.awsWriteUnits / repeated.length, 3),
        reportedUnitsPerAnswer: round(sum(duplicate.reportedWriteUnits) / repeated.length, 3),
        rollupWrites: duplicate.calls.TransactWriteItemsCommand ?? 0,
      },
      replayedBatch: {
        answers: replayed.length,
        transactionsAttempted: (replayReading.calls.TransactWriteItemsCommand ?? 0) + sum(replayReading.failures),
        cancelled: replay.alreadyApplied,
        bucketsUnchanged: replay.applied === 0 && JSON.stringify(before) === JSON.stringify(after),
      },
      reasonUnitsPerAnswer: round(sum(reasonUnits) / commented.length, 3),
      largestResponseItemBytes: await largestItem(metered, responsesTable, 'RESPONSES#'),
      largestRollupItemBytes,
      seconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    for (const table of created) await admin.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    metered.destroy();
    admin.destroy();
  }
}
