/**
 * Load (issue 6): autocannon at a fixed number of connections for a fixed time against the
 * signed Twilio webhook and against the scores API of a running local stack. The connections
 * default to the raw writes' concurrency, which DynamoDB Local sustains on this machine: the
 * webhook's figure is its DynamoDB traffic next to that ceiling, and its p99 at that load.
 *
 * The webhook load is real conversation traffic: customers with a survey just texted to them
 * answer with their score, then their reason, then the odd "thanks" after the survey closed;
 * a share of the messages is delivered twice with the same MessageSid, as Twilio retries do.
 * Afterwards every customer who answered must be counted exactly once in GET /v1/scores.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import type { Config } from '#shared/config/schema.ts';
import { twilioSignature } from '#shared/adapters/sms/twilio-signature.ts';
import { seededRandom } from '#local/seeded-random.ts';
import { TEST_PUBLIC_BASE_URL, TWILIO_TEST_TOKEN } from '#local/stack-process.ts';
import { countResponses, customersFor, recentRange } from './end-to-end.ts';
import { type CpuUse, startCpuSampling } from './machine.ts';
import type { StackApi } from './stack-api.ts';
import { forEachConcurrently, round, waitUntil } from './stats.ts';

export interface LoadFigure {
  target: string;
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Non-2xx answers, connection errors and timeouts: all count against the target of zero. */
  errors: { non2xx: number; connection: number; timeouts: number };
  targetP99Ms?: number;
  /**
   * The webhook's DynamoDB traffic (its req/s × the DynamoDB requests one conversation step makes,
   * from the survey-cost phase) next to the raw PutItem rate DynamoDB Local took in the same run.
   */
  dynamoDb?: {
    requestsPerWebhookRequest: number;
    requestsPerSecond: number;
    rawCeilingPerSecond: number;
    shareOfCeiling: number;
  };
  /** CPU while autocannon ran: the stack's Node process, DynamoDB Local's JVM, this process (autocannon), the machine. */
  cpu: Record<string, CpuUse>;
}

export interface LoadResult {
  webhook: LoadFigure & {
    customers: number;
    duplicateDeliveries: number;
    /**
     * Customers whose score was acknowledged with 200, whose score was sent at all (a request
     * cut off when the time ran out may or may not have been taken), and how many answers
     * GET /v1/scores counts: every acknowledged one, none twice, so acknowledged ≤ counted ≤ sent.
     */
    acknowledged: number;
    sent: number;
    counted: number;
  };
  scores: LoadFigure & { queries: string[] };
}

const WEBHOOK_PATH = '/v1/sms/twilio';

function figure(target: string, result: autocannon.Result, cpu: Record<string, CpuUse>, targetP99Ms?: number): LoadFigure {
  return {
    cpu,
    target,
    connections: result.connections,
    durationSeconds: round(result.duration, 1),
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.average, 1),
    latencyMs: {
      p50: round(result.latency.p50),
      p90: round(result.latency.p90),
      p99: round(result.latency.p99),
      max: round(result.latency.max),
    },
    // autocannon's `errors` counts timeouts too.
    errors: { non2xx: result.non2xx, connection: result.errors - result.timeouts, timeouts: result.timeouts },
    ...(targetP99Ms === undefined ? {} : { targetP99Ms }),
  };
}

type Processes = () => Record<string, number[]>;

async function run(options: autocannon.Options, processes: Processes) {
  const sampling = startCpuSampling(processes());
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(options, (error, outcome) => (error ? reject(error) : resolve(outcome)));
  });
  return { result, cpu: sampling.stop() };
}

/** What a customer texts next: the score, then the reason, then a closing word or two. */
function conversation(score: string, random: () => number) {
  const reasons = ['师傅很专业，等待时间也短', 'Waited too long for the car', '价格有点贵', 'Friendly advisor, clean lounge'];
  return [score, reasons[Math.floor(random() * reasons.length)] as string, '谢谢', 'ok'];
}

interface LoadOptions {
  url: string;
  api: StackApi;
  config: Readonly<Config>;
  customers: number;
  connections: number;
  durationSeconds: number;
  seed: number;
  processes: Processes;
  log: (message: string) => void;
}

async function webhookLoad(options: LoadOptions) {
  const { api } = options;
  const customers = customersFor(options.config, options.customers, options.seed, '136');
  const range = recentRange();
  const countedBefore = await countResponses(api, range);

  options.log(`  ${customers.length} visits, each texted its survey`);
  await forEachConcurrently(customers, 8, async (c) => api.ingest(c.visit));
  await forEachConcurrently(customers, 8, async (c) => {
    await waitUntil(
      async () => ((await api.outbox(c.phone)).length > 0 ? true : undefined),
      `the survey text to ${c.phone}`,
      120_000,
    );
  });

  const random = seededRandom(options.seed + 2);
  const scoreOf = (survey: string) => String(survey === 'nps' ? 10 - Math.floor(random() * 11) : 1 + Math.floor(random() * 5));
  const scripts = customers.map((c) => ({ phone: c.phone, texts: conversation(scoreOf(c.survey), random), next: 0 }));
  const sent = new Set<string>();
  const acknowledged = new Set<string>();
  let turn = 0;
  let lastForm: string | undefined;
  let lastSignature = '';
  let duplicates = 0;

  const signed = (form: string) =>
    twilioSignature(TWILIO_TEST_TOKEN, `${TEST_PUBLIC_BASE_URL}${WEBHOOK_PATH}`, [...new URLSearchParams(form)]);
  // One request at a time per connection, so the connection's context tells whose text a response answers.
  type Sending = { scoreOf?: string };
  const request = (req: autocannon.Request, context: Sending) => {
    // One in ten deliveries is Twilio retrying the previous message: same MessageSid, same body.
    if (lastForm && random() < 0.1) {
      duplicates++;
      context.scoreOf = undefined;
      return { ...req, body: lastForm, headers: { ...req.headers, 'x-twilio-signature': lastSignature } };
    }
    const script = scripts[turn++ % scripts.length] as (typeof scripts)[number];
    const body = script.texts[Math.min(script.next++, script.texts.length - 1)] as string;
    context.scoreOf = script.next === 1 ? script.phone : undefined;
    if (context.scoreOf) sent.add(script.phone);
    const form = new URLSearchParams({
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      AccountSid: 'ACbench',
      From: script.phone,
      To: '+8610690000',
      Body: body,
      NumMedia: '0',
    }).toString();
    lastForm = form;
    lastSignature = signed(form);
    return { ...req, body: form, headers: { ...req.headers, 'x-twilio-signature': lastSignature } };
  };

  options.log(`  ${options.connections} connections for ${options.durationSeconds} s on POST ${WEBHOOK_PATH}`);
  const { result, cpu } = await run(
    {
      url: options.url,
      connections: options.connections,
      duration: options.durationSeconds,
      requests: [
        {
          method: 'POST',
          path: WEBHOOK_PATH,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          setupRequest: request as (req: autocannon.Request, context: object) => autocannon.Request,
          onResponse: (status, _body, context) => {
            const { scoreOf } = context as Sending;
            if (status === 200 && scoreOf) acknowledged.add(scoreOf);
          },
        },
      ],
    },
    options.processes,
  );

  await waitUntil(
    async () => ((await countResponses(api, range)) - countedBefore >= acknowledged.size ? true : undefined),
    `the ${acknowledged.size} acknowledged answers of the load in GET /v1/scores`,
    600_000,
    500,
  );
  // Late or double counts would show within a few more stream batches.
  await new Promise((r) => setTimeout(r, 5_000));
  const counted = (await countResponses(api, range)) - countedBefore;
  if (counted < acknowledged.size || counted > sent.size) {
    throw new Error(
      `GET /v1/scores counts ${counted} answers of the load: ${acknowledged.size} were acknowledged, ${sent.size} sent`,
    );
  }
  return {
    ...figure(`POST ${WEBHOOK_PATH}`, result, cpu),
    customers: customers.length,
    duplicateDeliveries: duplicates,
    acknowledged: acknowledged.size,
    sent: sent.size,
    counted,
  };
}

async function scoresLoad(options: {
  url: string;
  token: string;
  connections: number;
  durationSeconds: number;
  processes: Processes;
}) {
  const range = recentRange();
  const queries = [
    `metric=nps&${range}&granularity=day`,
    `metric=nps&${range}&granularity=week&groupBy=store`,
    `metric=csat&${range}&granularity=month&groupBy=department`,
    `metric=ces&${range}&granularity=day&groupBy=advisor`,
    `metric=nps&${range}&granularity=month&groupBy=serviceType`,
  ];
  const { result, cpu } = await run(
    {
      url: options.url,
      connections: options.connections,
      duration: options.durationSeconds,
      requests: queries.map((query) => ({
        method: 'GET' as const,
        path: `/v1/scores?${query}`,
        headers: { authorization: `Bearer ${options.token}` },
      })),
    },
    options.processes,
  );
  return { ...figure('GET /v1/scores', result, cpu), queries };
}

export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  const webhook = await webhookLoad(options);
  options.log(
    `  webhook: ${webhook.requestsPerSecond} req/s, p50 ${webhook.latencyMs.p50} ms, p99 ${webhook.latencyMs.p99} ms, ${webhook.errors.non2xx + webhook.errors.connection + webhook.errors.timeouts} errors; ${webhook.counted} answers counted (${webhook.acknowledged} acknowledged, ${webhook.sent} sent)`,
  );
  options.log(`  ${options.connections} connections for ${options.durationSeconds} s on GET /v1/scores`);
  const scores = await scoresLoad({ ...options, token: await options.api.cxToken() });
  options.log(
    `  scores: ${scores.requestsPerSecond} req/s, p50 ${scores.latencyMs.p50} ms, p99 ${scores.latencyMs.p99} ms, ${scores.errors.non2xx + scores.errors.connection + scores.errors.timeouts} errors`,
  );
  return { webhook, scores };
}
