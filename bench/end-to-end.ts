/**
 * Answers per second through the real pipeline of a running local stack: N visits posted as the
 * DMS would, every survey sent, then every customer's score texted back at a fixed concurrency;
 * the clock runs from the first reply until GET /v1/scores counts all N answers.
 */
import * as z from '#shared/zod.ts';
import type { Config, SurveyType } from '#shared/config/schema.ts';
import type { StackApi } from './stack-api.ts';
import { forEachConcurrently, msSince, percentile, round, waitUntil } from './stats.ts';
import { seededRandom } from '#local/seeded-random.ts';
import { isoDate, populationOf } from './synthetic-answers.ts';

export interface EndToEndResult {
  answersPerSecond: number;
  answers: number;
  concurrency: number;
  /** First reply sent → all N answers counted by GET /v1/scores. */
  seconds: number;
  /** How long sending the N replies took, and how long each took to be answered. */
  repliesSeconds: number;
  replyLatencyMs: { p50: number; p99: number; max: number };
  ingest: { seconds: number; visitsPerSecond: number; latencyMs: { p50: number; p99: number } };
  /** First visit posted → GET /v1/funnel counts all N surveys sent. */
  allSentSeconds: number;
}

export interface Customer {
  phone: string;
  survey: SurveyType;
  visit: object;
}

const scoreFor = (survey: SurveyType, random: () => number) => {
  const [min, max] = survey === 'nps' ? [0, 10] : survey === 'csat' ? [1, 5] : [1, 7];
  // Mostly happy customers, as in real after-sales data.
  return String(Math.max(min, max - Math.floor(random() * random() * (max - min + 1))));
};

/** N customers at the stores that take SMS replies, each with a fresh phone number. */
export function customersFor(config: Readonly<Config>, count: number, seed: number, phonePrefix: string): Customer[] {
  const random = seededRandom(seed);
  const twoWay = new Set(config.stores.filter((s) => (s.smsMode ?? config.smsMode) === 'two-way').map((s) => s.id));
  const population = populationOf(config);
  const advisors = population.advisors.filter((a) => twoWay.has(a.storeId));
  const occurredAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
  return Array.from({ length: count }, (_, i) => {
    const advisor = advisors[Math.floor(random() * advisors.length)] as (typeof advisors)[number];
    const plan = population.plans[Math.floor(random() * population.plans.length)] as (typeof population.plans)[number];
    const phone = `+86${phonePrefix}${String(i).padStart(11 - phonePrefix.length, '0')}`;
    return {
      phone,
      survey: plan.survey,
      visit: {
        eventId: `RO-BENCH-${phonePrefix}-${i}`,
        occurredAt,
        storeId: advisor.storeId,
        serviceType: plan.serviceType,
        customer: { id: `C-BENCH-${phonePrefix}-${i}`, phone, name: '王先生' },
        advisorId: advisor.id,
        technicianId: 'T-3',
        amount: 800 + Math.round(random() * 2000),
        currency: 'CNY',
      },
    };
  });
}

/** Dates around today that any visit of the last few hours falls in, in any store's time zone. */
export const recentRange = () => `from=${isoDate(Date.now() - 2 * 86_400_000)}&to=${isoDate(Date.now() + 86_400_000)}`;

export async function countResponses(api: StackApi, range: string): Promise<number> {
  const metrics: SurveyType[] = ['nps', 'csat', 'ces'];
  const counts = await Promise.all(
    metrics.map(async (metric) =>
      (await api.scores(`metric=${metric}&${range}&granularity=month`)).reduce((n, b) => n + b.responses, 0),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

export async function runEndToEnd(options: {
  api: StackApi;
  config: Readonly<Config>;
  answers: number;
  concurrency: number;
  seed: number;
  timeoutMs: number;
}): Promise<EndToEndResult> {
  const { api } = options;
  const customers = customersFor(options.config, options.answers, options.seed, '139');
  const range = recentRange();

  const ingestLatencies: number[] = [];
  const ingestStarted = performance.now();
  await forEachConcurrently(customers, options.concurrency, async (customer) => {
    const sent = performance.now();
    await api.ingest(customer.visit);
    ingestLatencies.push(msSince(sent));
  });
  const ingestSeconds = msSince(ingestStarted) / 1000;
  await waitUntil(
    async () => {
      const sent = (await api.funnel(`${range}&granularity=month`)).reduce((n, b) => n + b.sent, 0);
      return sent >= customers.length ? sent : undefined;
    },
    `all ${customers.length} surveys sent`,
    options.timeoutMs,
    250,
  );
  const allSentSeconds = msSince(ingestStarted) / 1000;

  const random = seededRandom(options.seed + 1);
  const replies = customers.map((c) => ({ phone: c.phone, body: scoreFor(c.survey, random) }));
  const replyLatencies: number[] = [];
  const started = performance.now();
  await forEachConcurrently(replies, options.concurrency, async ({ phone, body }) => {
    const sent = performance.now();
    const answer = await api.reply(phone, body);
    replyLatencies.push(msSince(sent));
    if (answer === null) throw new Error('the score reply from a benchmark customer got no answer');
  });
  const repliesSeconds = msSince(started) / 1000;
  await waitUntil(
    async () => {
      const counted = await countResponses(api, range);
      return counted >= customers.length ? counted : undefined;
    },
    `all ${customers.length} answers in GET /v1/scores`,
    options.timeoutMs,
    250,
  );
  const seconds = msSince(started) / 1000;

  return {
    answersPerSecond: round(customers.length / seconds, 1),
    answers: customers.length,
    concurrency: options.concurrency,
    seconds: round(seconds, 1),
    repliesSeconds: round(repliesSeconds, 1),
    replyLatencyMs: {
      p50: round(percentile(replyLatencies, 50)),
      p99: round(percentile(replyLatencies, 99)),
      max: round(Math.max(...replyLatencies)),
    },
    ingest: {
      seconds: round(ingestSeconds, 1),
      visitsPerSecond: round(customers.length / ingestSeconds, 1),
      latencyMs: { p50: round(percentile(ingestLatencies, 50)), p99: round(percentile(ingestLatencies, 99)) },
    },
    allSentSeconds: round(allSentSeconds, 1),
  };
}

export interface RollupBatches {
  batches: number;
  records: number;
  facts: number;
  buckets: number;
  transactions: number;
  /** Rollup write units per answer by AWS pricing: 2 per bucket update and per batch marker. */
  awsUnitsPerAnswer: number;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const rollupLogLine = z.object({
  message: z.literal('rollups aggregated'),
  records: z.number(),
  facts: z.number(),
  buckets: z.number(),
  applied: z.number(),
});

/** The batches the stack's aggregator applied, from its log lines (`rollups aggregated`) in `output`. */
export function rollupBatchesIn(output: string, answers: number): RollupBatches {
  const totals = { batches: 0, records: 0, facts: 0, buckets: 0, transactions: 0 };
  for (const line of output.split('\n')) {
    if (!line.includes('"rollups aggregated"')) continue;
    const parsed = rollupLogLine.safeParse(parseJson(line));
    if (!parsed.success) continue;
    totals.batches += 1;
    totals.records += parsed.data.records;
    totals.facts += parsed.data.facts;
    totals.buckets += parsed.data.buckets;
    totals.transactions += parsed.data.applied;
  }
  return { ...totals, awsUnitsPerAnswer: round((2 * (totals.buckets + totals.transactions)) / Math.max(1, answers), 2) };
}
