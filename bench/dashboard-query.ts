/**
 * Dashboard queries at two data sizes 10× apart: a year of synthetic answers per size, each in a
 * year of its own, folded into the running stack's own scores table by the production
 * aggregation code (aggregateRollups + DynamoRollupStore, in the stream's batches, in the
 * order a year of answers arrives). Then the dashboard's queries are timed over HTTP against
 * the stack, and the items they read are counted by running the same use case (queryScores)
 * in this process on a metering client.
 */
import { DynamoRollupStore } from '#shared/adapters/dynamodb/rollup-store.ts';
import type { Config, SurveyType } from '#shared/config/schema.ts';
import type { RollupFact } from '#shared/domain/rollups.ts';
import { aggregateRollups } from '#shared/use-cases/aggregate-rollups.ts';
import { queryScores, scoresQuerySchema } from '#shared/use-cases/query-scores.ts';
import { meteredDocumentClient } from './metered-client.ts';
import type { StackApi } from './stack-api.ts';
import { median, msSince, round } from './stats.ts';
import { batchesOf, populationOf, syntheticAnswers } from './synthetic-answers.ts';

export interface DashboardQueryFigure {
  /** Answers in the year queried. */
  answers: number;
  year: number;
  query: string;
  /** Median over the repetitions, over HTTP against the running stack. */
  ms: number;
  /** Items DynamoDB read for the query (ScannedCount over every Query page). */
  itemsRead: number;
  queries: number;
  buckets: number;
  /** The most buckets the query can answer, once every period and group has answers: periods × groups. */
  maxBuckets: number;
}

export interface DataLoad {
  answers: number;
  year: number;
  batches: number;
  buckets: number;
  seconds: number;
}

/** The dashboard's heaviest reads of a year: by store and by advisor, and every day of it. */
const dashboardQueries = (year: number) =>
  [
    { metric: 'nps', granularity: 'month', groupBy: 'store' },
    { metric: 'nps', granularity: 'month', groupBy: 'advisor' },
    { metric: 'nps', granularity: 'day', groupBy: 'none' },
  ].map((q) => ({ ...q, from: `${year}-01-01`, to: `${year}-12-31` }));

const queryString = (q: Record<string, string>) => new URLSearchParams(q).toString();

export async function measureDashboardQueries(options: {
  api: StackApi;
  endpoint: string;
  table: string;
  config: Readonly<Config>;
  sizes: { answers: number; year: number }[];
  batchSize: number;
  repetitions: number;
  seed: number;
  log?: (message: string) => void;
}): Promise<{ figures: DashboardQueryFigure[]; loads: DataLoad[] }> {
  const metered = meteredDocumentClient(options.endpoint);
  const rollups = new DynamoRollupStore(metered.db, options.table);
  const population = populationOf(options.config);
  const loads: DataLoad[] = [];
  const figures: DashboardQueryFigure[] = [];
  try {
    for (const [i, { answers: count, year }] of options.sizes.entries()) {
      const answers = syntheticAnswers(population, {
        count,
        firstDay: `${year}-01-01`,
        days: year % 4 === 0 ? 366 : 365,
        seed: options.seed + i,
        idPrefix: `sv_bench_${year}_`,
        order: 'chronological',
      });
      const started = performance.now();
      let buckets = 0;
      const batches = batchesOf(answers, options.batchSize);
      for (const [b, batch] of batches.entries()) {
        const facts: RollupFact[] = batch.map((response) => ({ kind: 'scored', response }));
        buckets += (await aggregateRollups({ rollups }, { id: `bench-dashboard-${year}-${b}`, facts })).buckets;
      }
      loads.push({ answers: count, year, batches: batches.length, buckets, seconds: round(msSince(started) / 1000, 1) });
      options.log?.(`  ${count} answers of ${year}: ${buckets} bucket updates in ${round(msSince(started) / 1000, 1)} s`);

      // The stack must now count exactly this year's answers, through its own API.
      const metrics: SurveyType[] = ['nps', 'csat', 'ces'];
      let counted = 0;
      for (const metric of metrics) {
        const all = await options.api.scores(
          queryString({ metric, from: `${year}-01-01`, to: `${year}-12-31`, granularity: 'month' }),
        );
        counted += all.reduce((n, b) => n + b.responses, 0);
      }
      if (counted !== count) throw new Error(`GET /v1/scores counts ${counted} answers in ${year}, ${count} were written`);

      for (const query of dashboardQueries(year)) {
        const path = queryString(query);
        await options.api.scores(path); // warm-up: the first call pays for connection set-up
        const times: number[] = [];
        let buckets = 0;
        for (let r = 0; r < options.repetitions; r++) {
          const sent = performance.now();
          buckets = (await options.api.scores(path)).length;
          times.push(msSince(sent));
        }
        metered.meter.reset();
        await queryScores(
          { rollups, config: options.config },
          { role: 'cx', sub: 'bench', name: 'bench' },
          scoresQuerySchema.parse(query),
        );
        const reading = metered.meter.read();
        const periods = query.granularity === 'month' ? 12 : year % 4 === 0 ? 366 : 365;
        const groups =
          query.groupBy === 'store' ? population.stores.length : query.groupBy === 'advisor' ? population.advisors.length : 1;
        figures.push({
          answers: count,
          year,
          query: `${query.metric} ${query.granularity} groupBy=${query.groupBy}`,
          ms: round(median(times), 1),
          itemsRead: reading.query.scanned,
          queries: reading.query.pages,
          buckets,
          maxBuckets: periods * groups,
        });
      }
    }
    return { figures, loads };
  } finally {
    metered.destroy();
  }
}
