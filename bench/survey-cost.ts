/**
 * What one completed survey costs (visit in, text out, two replies, scored, rolled up): a local
 * stack in this process (`startLocalStack`, the very handlers and adapters), surveys run one at a
 * time through the signed Twilio webhook, and every DynamoDB and SQS request the handlers make
 * counted by the function that made it, with the capacity DynamoDB reports for it. Lambda
 * invocations and their durations are read where every handler starts and ends (the Powertools
 * logger's context injection and reset, which every handler wrapper runs). The counting is the
 * bench's alone: SDK middleware on the one DynamoDB client the composition root builds, a wrapped
 * `SQSClient.send`, and wrapped logger methods, all removed afterwards.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { freePort } from '#local/free-port.ts';
import { startLocalStack } from '#local/runtime.ts';
import { baseTestConfig, TEST_PUBLIC_BASE_URL, TWILIO_TEST_TOKEN } from '#local/stack-process.ts';
import { twilioSignature } from '#shared/adapters/sms/twilio-signature.ts';
import { parseConfig } from '#shared/config/load.ts';
import { customersFor, recentRange } from './end-to-end.ts';
import { CapacityMeter, isWrite, meterClient, sum } from './metered-client.ts';
import { StackApi } from './stack-api.ts';
import { median, round, waitUntil } from './stats.ts';

/**
 * Published prices, as the author knew them when writing this (not fetched by the run: check
 * them before planning with them). AWS: us-east-1, on-demand, arm64, no free tier. SMS: per
 * segment, before carrier fees and taxes.
 */
export const PRICES = {
  readOn: '2025-06 (as known to the author; not re-read by the bench)',
  aws: {
    source: 'aws.amazon.com/dynamodb/pricing/on-demand, /lambda/pricing, /sqs/pricing (us-east-1)',
    /** On-demand, since the November 2024 price cut. */
    dynamoDbPerMillionWriteUnits: 0.625,
    dynamoDbPerMillionReadUnits: 0.125,
    lambdaPerMillionRequests: 0.2,
    lambdaArmPerGbSecond: 0.0000133334,
    /** Standard queue, per 64 KB chunk of a request. */
    sqsPerMillionRequests: 0.4,
    /** GetRecords made by Lambda's event source mapping for a DynamoDB stream trigger are not billed. */
    streamReadsByLambdaTrigger: 0,
  },
  sms: [
    {
      name: 'Twilio, United States',
      locale: 'en',
      source: 'twilio.com/en-us/sms/pricing/us (long code, before carrier fees)',
      outboundPerSegment: 0.0083,
      inboundPerSegment: 0.0083,
    },
    {
      name: 'Twilio, China (+86), approximate',
      locale: 'zh-CN',
      source: 'twilio.com/en-us/sms/pricing/cn (outbound only)',
      outboundPerSegment: 0.0476,
      inboundPerSegment: 0,
    },
    {
      name: 'AWS End User Messaging SMS, United States',
      locale: 'en',
      source: 'aws.amazon.com/end-user-messaging/pricing (base price, before carrier fees)',
      outboundPerSegment: 0.00581,
      inboundPerSegment: 0.00581,
    },
  ],
} as const;

/** The least a step can do, per survey, and why (the figures next to which the measured ones stand). */
const floors: Record<string, { step: string; reads: number; writes: number; why: string }> = {
  'ingest-service-event': { step: 'visit in', reads: 0, writes: 1, why: 'one conditional put of the survey with its timer' },
  'sweep-timers': { step: 'timers swept', reads: 0, writes: 0, why: 'its index queries are per minute, not per survey' },
  'run-survey-timer': { step: 'text out', reads: 1, writes: 1, why: 'read the survey, mark it sent' },
  'twilio-inbound-sms': { step: 'two replies', reads: 2, writes: 2, why: 'per reply: find the open survey, take the answer' },
  'score-response': { step: 'scored', reads: 0, writes: 2, why: 'put the response, add the reason to it' },
  'aggregate-rollups': { step: 'rolled up', reads: 0, writes: 0, why: 'amortised: a full stream batch folds towards 0' },
};

export interface StepCost {
  function: string;
  step: string;
  /** Per completed survey. */
  invocations: number;
  reads: number;
  writes: number;
  /** Of those, the requests on customer histories and retention counters (cohorts, segments, timers). */
  retention: { reads: number; writes: number };
  readUnits: number;
  /** Write units by AWS's billing rules (bench/metered-client.ts). */
  writeUnits: number;
  floor: { reads: number; writes: number; why: string } | undefined;
  sqsRequests: number;
  durationMsMedian: number;
  durationMsMean: number;
  memoryMb: number;
  /** Calls per command, per survey. */
  calls: Record<string, number>;
}

export interface SurveyCostResult {
  surveys: number;
  seconds: number;
  steps: StepCost[];
  perSurvey: {
    invocations: number;
    reads: number;
    writes: number;
    retention: { reads: number; writes: number };
    readUnits: number;
    writeUnits: number;
    sqsRequestsByHandlers: number;
    /** Lambda's SQS event source: at worst one ReceiveMessage and one DeleteMessageBatch per message consumed. */
    sqsRequestsByEventSources: number;
    messagesConsumed: number;
    gbSeconds: number;
  };
  /** The run's figures with the rollups' write units at the topology's batch (write-units phase) instead of this run's small batches. */
  per1000: {
    /** Write units per survey priced: this run's, the rollups' replaced by their figure at the topology's batch. */
    writeUnitsPerSurveyAtVolume: number;
    dynamoDbWrites: number;
    dynamoDbReads: number;
    lambdaRequests: number;
    lambdaCompute: number;
    sqs: number;
    streamReads: number;
    aws: number;
    sms: {
      name: string;
      locale: string;
      segments: { outbound: number; inbound: number };
      outbound: number;
      inbound: number;
      total: number;
    }[];
  };
  rollupWriteUnitsAtTopologyBatch: number | undefined;
  prices: typeof PRICES;
}

const FUNCTION_FILE = /\/functions\/(?:http|sqs|schedule|stream)\/([a-z-]+)\.ts/;
/** The handler file on the stack, for calls made outside an invocation's context. */
function functionOnStack(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return FUNCTION_FILE.exec(stack)?.[1];
}

interface Invocation {
  fn: string;
  started: number;
  ended?: number;
}

export async function measureSurveyCost(options: {
  surveys: number;
  seed: number;
  streamBatchingWindowMs: number;
  /**
   * Rollup write units per answer at the topology's stream batch (the write-units phase measures
   * the scores table's); the funnel's, folded from the main table's stream alike, are taken as equal.
   */
  rollupWriteUnitsAtTopologyBatch?: number | undefined;
  /** Segments of one completed survey per locale (bench/sms-segments.ts), priced at the matching country's rates. */
  smsSegments: Record<'zh-CN' | 'en', { outbound: number; inbound: number }>;
  log: (message: string) => void;
}): Promise<SurveyCostResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'closedloop-bench-cost-'));
  const port = await freePort();
  const configObject = baseTestConfig(port);
  const configPath = join(dataDir, 'config.json');
  writeFileSync(configPath, JSON.stringify(configObject));
  const config = parseConfig(configObject, 'the benchmark config');
  // What the child stack gets from stack-process.ts; the handlers read these at import.
  Object.assign(process.env, {
    LOG_LEVEL: 'ERROR',
    PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
    TWILIO_AUTH_TOKEN: TWILIO_TEST_TOKEN,
  });

  const current = new AsyncLocalStorage<Invocation>();
  const invocations: Invocation[] = [];
  const meters = new Map<string, CapacityMeter>();
  const sqsCalls = new Map<string, Record<string, number>>();
  const meterOf = (fn: string) => {
    const meter = meters.get(fn) ?? new CapacityMeter();
    meters.set(fn, meter);
    return meter;
  };
  const caller = () => functionOnStack() ?? current.getStore()?.fn ?? '(local runtime)';

  // Every handler wrapper injects the Lambda context into its logger first and resets its keys last.
  const loggerPrototype = Logger.prototype as unknown as {
    addContext(context: Context): void;
    resetKeys(): void;
  };
  const { addContext, resetKeys } = loggerPrototype;
  loggerPrototype.addContext = function (this: Logger, context: Context) {
    const invocation: Invocation = { fn: context.functionName, started: performance.now() };
    invocations.push(invocation);
    current.enterWith(invocation);
    return addContext.call(this, context);
  };
  loggerPrototype.resetKeys = function (this: Logger) {
    const invocation = current.getStore();
    if (invocation && invocation.ended === undefined) invocation.ended = performance.now();
    return resetKeys.call(this);
  };
  const sqsSend = SQSClient.prototype.send;
  SQSClient.prototype.send = function (this: SQSClient, ...args: Parameters<SQSClient['send']>) {
    // The local pollers (local/event-sources.ts) stand for Lambda's event source mappings: priced separately.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 200;
    const fromPoller = (new Error().stack ?? '').includes('/local/event-sources.ts');
    Error.stackTraceLimit = limit;
    const fn = fromPoller ? '(event source)' : caller();
    const command = args[0].constructor.name;
    const calls = sqsCalls.get(fn) ?? {};
    calls[command] = (calls[command] ?? 0) + 1;
    sqsCalls.set(fn, calls);
    return (sqsSend as (...a: unknown[]) => unknown).apply(this, args);
  } as SQSClient['send'];

  const restore = () => {
    loggerPrototype.addContext = addContext;
    loggerPrototype.resetKeys = resetKeys;
    SQSClient.prototype.send = sqsSend;
  };

  let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
  try {
    stack = await startLocalStack({
      configPath,
      dataDir,
      port,
      publicBaseUrl: TEST_PUBLIC_BASE_URL,
      streamBatchingWindowMs: options.streamBatchingWindowMs,
    });
    const compose = await import('#functions/lib/compose.ts');
    meterClient(compose.db(), () => meterOf(caller()));
    const api = new StackApi(stack.url);
    const webhook = `${stack.url}/v1/sms/twilio`;
    const text = async (from: string, body: string) => {
      const form = new URLSearchParams({
        MessageSid: `SM${randomBytes(16).toString('hex')}`,
        AccountSid: 'ACbench',
        From: from,
        To: '+8610690000',
        Body: body,
        NumMedia: '0',
      }).toString();
      const signature = twilioSignature(TWILIO_TEST_TOKEN, `${TEST_PUBLIC_BASE_URL}/v1/sms/twilio`, [
        ...new URLSearchParams(form),
      ]);
      const response = await fetch(webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: form,
      });
      if (!response.ok) throw new Error(`the Twilio webhook answered ${response.status}`);
      return response.text();
    };

    // The conversation of bench/sms-segments.ts: a 9 (no alert), then a reason.
    const store = config.stores.find((s) => (s.smsMode ?? config.smsMode) === 'two-way');
    const plan = config.surveyPlans.find((p) => p.survey === 'nps');
    if (!store || !plan) throw new Error('the config has no two-way store or no NPS survey plan');
    const customers = customersFor(config, options.surveys, options.seed, '135').map((c) => ({
      ...c,
      visit: { ...c.visit, storeId: store.id, serviceType: plan.serviceType },
    }));
    const range = recentRange();
    // Warm-up work (the first sweep, module caches) is not a survey's: start counting after one survey.
    const [warmUp, ...measured] = customers;
    const started = { at: 0 };
    const survey = async (customer: (typeof customers)[number]) => {
      await api.ingest(customer.visit);
      await waitUntil(async () => ((await api.outbox(customer.phone)).length > 0 ? true : undefined), 'the survey text', 120_000);
      // Each answered in TwiML by the webhook itself: the why-question, then the thanks.
      if (!(await text(customer.phone, '9')).includes('<Message>')) throw new Error('the score got no why-question');
      if (!(await text(customer.phone, 'Quick and friendly, and the car came back spotless')).includes('<Message>'))
        throw new Error('the reason got no thanks');
    };
    if (!warmUp) throw new Error('at least two surveys are needed');
    await survey(warmUp);
    await waitUntil(
      async () => ((await api.funnel(`${range}&granularity=month`)).some((b) => b.answered > 0) ? true : undefined),
      'the warm-up rolled up',
      60_000,
    );
    invocations.length = 0;
    meters.clear();
    sqsCalls.clear();
    started.at = performance.now();
    options.log(`  ${measured.length} surveys, one at a time`);
    for (const customer of measured) await survey(customer);
    // Scored and rolled up: every measured answer counted by GET /v1/scores.
    await waitUntil(
      async () => {
        const counted = (await api.scores(`metric=nps&${range}&granularity=month`)).reduce((n, b) => n + b.responses, 0);
        return counted >= customers.length ? true : undefined;
      },
      'every answer rolled up',
      120_000,
    );
    // The reason's update reaches the rollups' stream too: one more batching window.
    await new Promise((resolve) => setTimeout(resolve, options.streamBatchingWindowMs * 3));
    const seconds = (performance.now() - started.at) / 1000;

    const n = measured.length;
    const per = (value: number, digits = 2) => round(value / n, digits);
    const functionNames = new Set([...meters.keys(), ...invocations.map((i) => i.fn), ...sqsCalls.keys()]);
    // The event sources are priced per message below; the scores and funnel reads are this bench checking, not the survey.
    for (const notTheSurvey of ['(event source)', 'get-scores', 'get-funnel']) functionNames.delete(notTheSurvey);
    const memoryOf = (fn: string) => stack?.topology.functions.find((f) => f.name === fn)?.memoryMb ?? 0;
    const steps: StepCost[] = [...functionNames].map((fn) => {
      const reading = meters.get(fn)?.read();
      const calls = reading?.calls ?? {};
      const durations = invocations.filter((i) => i.fn === fn && i.ended !== undefined).map((i) => (i.ended ?? 0) - i.started);
      const writes = sum(Object.fromEntries(Object.entries(calls).filter(([c]) => isWrite(c))));
      const failedWrites = sum(
        Object.fromEntries(Object.entries(reading?.failures ?? {}).filter(([c]) => isWrite(c.split(':')[0] ?? ''))),
      );
      const reads = sum(calls) - writes;
      const floor = floors[fn];
      return {
        function: fn,
        step: floor?.step ?? fn,
        invocations: per(invocations.filter((i) => i.fn === fn).length),
        reads: per(reads),
        writes: per(writes + failedWrites),
        retention: { reads: per(reading?.retention.reads ?? 0), writes: per(reading?.retention.writes ?? 0) },
        readUnits: per(sum(reading?.readUnits ?? {})),
        writeUnits: per(reading?.awsWriteUnits ?? 0),
        floor: floor ? { reads: floor.reads, writes: floor.writes, why: floor.why } : undefined,
        sqsRequests: per(sum(sqsCalls.get(fn) ?? {})),
        durationMsMedian: durations.length ? round(median(durations), 1) : 0,
        durationMsMean: durations.length ? round(durations.reduce((a, b) => a + b, 0) / durations.length, 1) : 0,
        memoryMb: memoryOf(fn),
        calls: Object.fromEntries(Object.entries({ ...calls, ...(sqsCalls.get(fn) ?? {}) }).map(([c, k]) => [c, per(k)])),
      };
    });
    const order = Object.keys(floors);
    const rank = (fn: string) => (order.includes(fn) ? order.indexOf(fn) : order.length);
    steps.sort((a, b) => rank(a.function) - rank(b.function));

    const total = (pick: (s: StepCost) => number) =>
      round(
        steps.reduce((a, s) => a + pick(s), 0),
        2,
      );
    const sent = steps.reduce((a, s) => a + (s.calls.SendMessageCommand ?? 0) + (s.calls.SendMessageBatchCommand ?? 0), 0);
    const gbSeconds = steps.reduce((a, s) => a + s.invocations * (Math.ceil(s.durationMsMean) / 1000) * (s.memoryMb / 1024), 0);
    const perSurvey = {
      invocations: total((s) => s.invocations),
      reads: total((s) => s.reads),
      writes: total((s) => s.writes),
      retention: { reads: total((s) => s.retention.reads), writes: total((s) => s.retention.writes) },
      readUnits: total((s) => s.readUnits),
      writeUnits: total((s) => s.writeUnits),
      sqsRequestsByHandlers: total((s) => s.sqsRequests),
      messagesConsumed: round(sent, 2),
      sqsRequestsByEventSources: round(2 * sent, 2),
      gbSeconds: round(gbSeconds, 5),
    };

    // At volume the rollups cost what the write-units phase measured at the topology's batch, not this run's small batches.
    const rollupStep = steps.find((s) => s.function === 'aggregate-rollups');
    const writeUnitsAtVolume =
      options.rollupWriteUnitsAtTopologyBatch === undefined || !rollupStep
        ? perSurvey.writeUnits
        : perSurvey.writeUnits - rollupStep.writeUnits + 2 * options.rollupWriteUnitsAtTopologyBatch;
    const aws = PRICES.aws;
    const thousand = (perUnit: number, units: number) => round((1000 * units * perUnit) / 1_000_000, 4);
    const per1000Costs = {
      dynamoDbWrites: thousand(aws.dynamoDbPerMillionWriteUnits, writeUnitsAtVolume),
      dynamoDbReads: thousand(aws.dynamoDbPerMillionReadUnits, perSurvey.readUnits),
      lambdaRequests: thousand(aws.lambdaPerMillionRequests, perSurvey.invocations),
      lambdaCompute: round(1000 * perSurvey.gbSeconds * aws.lambdaArmPerGbSecond, 4),
      sqs: thousand(aws.sqsPerMillionRequests, perSurvey.sqsRequestsByHandlers + perSurvey.sqsRequestsByEventSources),
      streamReads: 0,
    };
    return {
      surveys: n,
      seconds: round(seconds, 1),
      steps,
      perSurvey,
      per1000: {
        writeUnitsPerSurveyAtVolume: round(writeUnitsAtVolume, 2),
        ...per1000Costs,
        aws: round(
          Object.values(per1000Costs).reduce((a, b) => a + b, 0),
          4,
        ),
        sms: PRICES.sms.map((p) => {
          const segments = options.smsSegments[p.locale];
          const outbound = round(1000 * segments.outbound * p.outboundPerSegment, 2);
          const inbound = round(1000 * segments.inbound * p.inboundPerSegment, 2);
          return { name: p.name, locale: p.locale, segments, outbound, inbound, total: round(outbound + inbound, 2) };
        }),
      },
      rollupWriteUnitsAtTopologyBatch: options.rollupWriteUnitsAtTopologyBatch,
      prices: PRICES,
    };
  } finally {
    restore();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
