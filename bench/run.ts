process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/**
 * `npm run bench`: starts a fresh local stack, measures what DESIGN §6 asks for, and writes
 * bench/results/latest.json and latest.md. Options: `npm run bench -- --help`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildTopology } from '#infra/topology.ts';
import { localTableName } from '#local/runtime.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { freePort } from '#local/free-port.ts';
import { baseTestConfig, type StackProcess, startStackProcess } from '#local/stack-process.ts';
import { parseConfig } from '#shared/config/load.ts';
import { measureBundles } from './bundles.ts';
import { measureDashboardQueries } from './dashboard-query.ts';
import { measureLoad } from './load.ts';
import { rollupBatchesIn, runEndToEnd } from './end-to-end.ts';
import { type FirstDemoResult, measureFirstDemo } from './first-demo.ts';
import { describeMachine, startCpuSampling } from './machine.ts';
import { measureRawWrites } from './raw-writes.ts';
import { type BenchReport, renderMarkdown } from './report.ts';
import { measureSmsSegments } from './sms-segments.ts';
import { StackApi } from './stack-api.ts';
import { measureSurveyCost } from './survey-cost.ts';
import { round } from './stats.ts';
import { measureWriteUnits, type WriteUnitsResult } from './write-units.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const usage = `npm run bench -- [options]
  --answers N            customers through the whole pipeline (default 200)
  --concurrency N        requests in flight, end to end and for the raw writes (default 8)
  --raw-seconds N        how long the raw DynamoDB Local write rate is measured (default 10)
  --stream-window-ms N   the stack's rollup stream batching window (default 1000; the topology's 30 s
                         would make the end-to-end figure a wait, not a rate)
  --wcu-answers N        synthetic answers for the write-unit figures (default 10000)
  --visit-days N         the days those answers' visits spread over (default 2)
  --dashboard-sizes A,B  answers in each year of dashboard data (default 2000,20000)
  --query-repetitions N  timed runs of each dashboard query (default 15)
  --cost-surveys N       completed surveys, one at a time, whose requests are counted (default 20)
  --bundle-runs N        cold loads of each bundle, each after one of the baseline's (default 5)
  --load-seconds N       how long each autocannon load runs (default 20)
  --load-connections N   autocannon connections (default: --concurrency, what DynamoDB Local sustains here)
  --load-customers N     customers texting the webhook during its load (default 300)
  --seed N               seed of the synthetic data (default 1)
  --no-demo              skip the first \`npm run demo\` on a fresh stack of its own (a few minutes; alone:
                         npx tsx bench/first-demo.ts)
  --out DIR              where latest.json and latest.md go (default bench/results)`;

function options() {
  const { values } = parseArgs({
    options: {
      answers: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '8' },
      'raw-seconds': { type: 'string', default: '10' },
      'stream-window-ms': { type: 'string', default: '1000' },
      'wcu-answers': { type: 'string', default: '10000' },
      'visit-days': { type: 'string', default: '2' },
      'dashboard-sizes': { type: 'string', default: '2000,20000' },
      'query-repetitions': { type: 'string', default: '15' },
      'cost-surveys': { type: 'string', default: '20' },
      'bundle-runs': { type: 'string', default: '5' },
      'load-seconds': { type: 'string', default: '20' },
      'load-connections': { type: 'string' },
      'load-customers': { type: 'string', default: '300' },
      seed: { type: 'string', default: '1' },
      // Node 20's parseArgs has no negated booleans: the option is declared by its negative name.
      'no-demo': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const positive = (name: keyof typeof values, value: string | undefined) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) {
      console.error(`--${name} must be a positive whole number, got "${value}"\n\n${usage}`);
      process.exit(2);
    }
    return n;
  };
  const sizes = (values['dashboard-sizes'] ?? '').split(',').map((s) => positive('dashboard-sizes', s));
  return {
    answers: positive('answers', values.answers),
    concurrency: positive('concurrency', values.concurrency),
    rawSeconds: positive('raw-seconds', values['raw-seconds']),
    streamWindowMs:
      values['stream-window-ms'] === undefined ? undefined : positive('stream-window-ms', values['stream-window-ms']),
    wcuAnswers: positive('wcu-answers', values['wcu-answers']),
    visitDays: positive('visit-days', values['visit-days']),
    dashboardSizes: sizes,
    queryRepetitions: positive('query-repetitions', values['query-repetitions']),
    costSurveys: positive('cost-surveys', values['cost-surveys']),
    bundleRuns: positive('bundle-runs', values['bundle-runs']),
    loadSeconds: positive('load-seconds', values['load-seconds']),
    loadConnections: positive('load-connections', values['load-connections'] ?? values.concurrency),
    loadCustomers: positive('load-customers', values['load-customers']),
    seed: positive('seed', values.seed),
    demo: !values['no-demo'],
    out: resolve(values.out ?? 'bench/results'),
  };
}

const step = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function main() {
  const opts = options();
  const started = performance.now();
  const machine = describeMachine();
  step(`${machine.cpuModel}, ${machine.cores} cores, load average ${machine.loadAverageAtStart.join(' / ')}`);

  const scratch = mkdtempSync(join(tmpdir(), 'closedloop-bench-'));
  let stack: StackProcess | undefined;
  // DynamoDB Locals of the bench's own (raw writes, write units), stopped on SIGINT too.
  const ownDynamos = new Set<DynamoDbLocal>();
  const ownDynamo = async (name: string) => {
    const dynamo = await startDynamoDbLocal({ dataDir: join(scratch, name), port: await freePort() });
    ownDynamos.add(dynamo);
    return {
      ...dynamo,
      stop: async () => {
        ownDynamos.delete(dynamo);
        await dynamo.stop();
      },
    };
  };
  const cleanUp = async () => {
    await Promise.all([...ownDynamos].map((d) => d.stop()));
    await stack?.dispose();
    stack = undefined;
    rmSync(scratch, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      step(`${signal}: stopping the stack`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  try {
    let configObject: object = {};
    stack = await startStackProcess({
      config: (port) => {
        configObject = baseTestConfig(port);
        return configObject;
      },
      tempPrefix: 'closedloop-bench-stack-',
      // The aggregator's log lines tell which batches it applied.
      logLevel: 'INFO',
      env: {
        // Empty: the topology's own visibility timeouts and schedule, not the test suite's shortcuts.
        LOCAL_VISIBILITY_TIMEOUT_SECONDS: '',
        LOCAL_SCHEDULE_INTERVAL_MS: '',
        LOCAL_STREAM_BATCHING_WINDOW_MS: opts.streamWindowMs === undefined ? '' : String(opts.streamWindowMs),
      },
      readyTimeoutMs: 180_000,
    });
    const config = parseConfig(configObject, 'the benchmark config');
    const topology = buildTopology(config);
    const scoresTable = topology.tables.find((t) => t.name === 'scores');
    const aggregator = topology.functions.find((f) => f.name === 'aggregate-rollups');
    const scoresStream = aggregator?.triggers.find((t) => t.kind === 'stream' && t.table === 'scores');
    if (!scoresTable || scoresStream?.kind !== 'stream') throw new Error('the topology has no scores table stream to measure');
    const topologyWindowMs = scoresStream.maxBatchingWindowSeconds * 1000;
    const streamBatchingWindowMs = Math.min(topologyWindowMs, opts.streamWindowMs ?? Number.POSITIVE_INFINITY);
    const visibilityTimeoutSeconds = Math.max(
      ...topology.queues.filter((q) => q.name === 'responses').map((q) => q.visibilityTimeoutSeconds),
    );
    const api = new StackApi(stack.url);
    step(`stack up at ${stack.url} (DynamoDB Local ${stack.dynamodb})`);

    const processes = () => {
      const ids = stack?.processIds();
      if (!ids) throw new Error('the stack is not running');
      return { stack: [ids.stack], dynamoDbLocal: ids.children, bench: [process.pid] };
    };

    // On a DynamoDB Local of its own, like the stack's (same table definition, stream on): a table
    // written and dropped on the stack's own instance slows every later write there.
    step(
      `raw DynamoDB Local writes for ${opts.rawSeconds} s at concurrency ${opts.concurrency}, on a DynamoDB Local of their own`,
    );
    const rawDynamo = await ownDynamo('raw-writes');
    let sampling = startCpuSampling({ ...processes(), dynamoDbLocal: rawDynamo.pid ? [rawDynamo.pid] : [] });
    let rawWrites: Awaited<ReturnType<typeof measureRawWrites>>;
    let rawCpu: ReturnType<typeof sampling.stop>;
    try {
      rawWrites = await measureRawWrites({
        endpoint: rawDynamo.endpoint,
        scoresTable,
        concurrency: opts.concurrency,
        durationMs: opts.rawSeconds * 1000,
        warmUpMs: 5_000,
      });
    } finally {
      // Read while its JVM still runs: a stopped process has no CPU time to read.
      rawCpu = sampling.stop();
      await rawDynamo.stop();
    }
    step(`  ${rawWrites.writesPerSecond} writes/s`);

    step(`end to end: ${opts.answers} customers`);
    const logFrom = stack.output().length;
    sampling = startCpuSampling(processes());
    const run = await runEndToEnd({
      api,
      config,
      answers: opts.answers,
      concurrency: opts.concurrency,
      seed: opts.seed,
      timeoutMs: 600_000,
    });
    const e2eCpu = sampling.stop();
    const rollupBatches = rollupBatchesIn(stack.output().slice(logFrom), run.answers);
    step(`  ${run.answersPerSecond} answers/s`);

    step(`load: autocannon, ${opts.loadConnections} connections, ${opts.loadSeconds} s per route`);
    const load = await measureLoad({
      url: stack.url,
      api,
      config,
      customers: opts.loadCustomers,
      connections: opts.loadConnections,
      durationSeconds: opts.loadSeconds,
      seed: opts.seed,
      processes,
      log: step,
    });

    step('SMS segments: one completed survey per locale');
    const smsSegments = await measureSmsSegments(api, config, opts.seed);

    const [small = 2000, large = 20000] = opts.dashboardSizes;
    const thisYear = new Date().getUTCFullYear();
    step(`dashboard: a year of ${small} and of ${large} answers`);
    const dashboard = await measureDashboardQueries({
      api,
      endpoint: stack.dynamodb,
      table: localTableName('scores'),
      config,
      sizes: [
        { answers: small, year: thisYear - 2 },
        { answers: large, year: thisYear - 3 },
      ],
      batchSize: scoresStream.batchSize,
      repetitions: opts.queryRepetitions,
      seed: opts.seed,
      log: step,
    });

    await stack.dispose();
    stack = undefined;

    // After the main stack is gone, so nothing of the bench's competes with the newcomer's stack.
    let firstDemo: FirstDemoResult | undefined;
    if (opts.demo) {
      step('first npm run demo: a fresh stack of its own, the shipped config, an empty DATA_DIR');
      firstDemo = await measureFirstDemo({ log: step });
      step(
        `  ${firstDemo.seconds} s (import ${firstDemo.importSeconds} s, scores settled ${firstDemo.scoringSeconds} s later, live ${firstDemo.liveSeconds} s)`,
      );
    }

    // On a DynamoDB Local of its own: scratch tables, nothing else competing.
    step(`write units: ${opts.wcuAnswers} synthetic answers, on a DynamoDB Local of their own`);
    const dynamo = await ownDynamo('write-units');
    let writeUnits: WriteUnitsResult;
    try {
      writeUnits = await measureWriteUnits({
        endpoint: dynamo.endpoint,
        config,
        scoresTable,
        topologyBatchSize: scoresStream.batchSize,
        topologyWindowSeconds: scoresStream.maxBatchingWindowSeconds,
        batchSizes: [...new Set([scoresStream.batchSize, 1000, 100, 10, 1])],
        answers: opts.wcuAnswers,
        visitDays: opts.visitDays,
        otherVisitDays: [1, 2, 7].filter((d) => d !== opts.visitDays),
        concurrency: opts.concurrency,
        seed: opts.seed,
        log: step,
      });
    } finally {
      await dynamo.stop();
    }
    step(`  ${writeUnits.value} units per answer at batch ${writeUnits.topologyBatchSize}`);

    // A local stack in this process, to count what each handler asks of DynamoDB and SQS.
    step(`what a survey costs: ${opts.costSurveys} completed surveys, every request counted`);
    const surveyCost = await measureSurveyCost({
      surveys: opts.costSurveys + 1,
      seed: opts.seed,
      streamBatchingWindowMs,
      rollupWriteUnitsAtTopologyBatch: writeUnits.byBatchSize.find((f) => f.batchSize === writeUnits.topologyBatchSize)
        ?.rollupUnitsPerAnswer,
      smsSegments: {
        'zh-CN': { outbound: smsSegments['zh-CN'].outbound.segments, inbound: smsSegments['zh-CN'].inbound.segments },
        en: { outbound: smsSegments.en.outbound.segments, inbound: smsSegments.en.inbound.segments },
      },
      log: step,
    });
    step(`  AWS $${surveyCost.per1000.aws} per 1,000 surveys`);
    const conversationStep = surveyCost.steps.find((s) => s.function === 'twilio-inbound-sms');
    if (conversationStep && conversationStep.invocations > 0) {
      const perRequest = round((conversationStep.reads + conversationStep.writes) / conversationStep.invocations, 2);
      const perSecond = round(load.webhook.requestsPerSecond * perRequest, 1);
      load.webhook.dynamoDb = {
        requestsPerWebhookRequest: perRequest,
        requestsPerSecond: perSecond,
        rawCeilingPerSecond: rawWrites.writesPerSecond,
        shareOfCeiling: round(perSecond / rawWrites.writesPerSecond, 2),
      };
    }

    step(`bundles: ${topology.functions.length} functions, each load after one of the DynamoDB-client-only baseline's`);
    const { bundles, baseline: bundleBaseline } = await measureBundles({
      repoRoot,
      configPath: join(repoRoot, 'config/local.json'),
      functions: topology.functions,
      outDir: join(scratch, 'bundles'),
      runs: opts.bundleRuns,
    });

    const report: BenchReport = {
      generatedAt: new Date().toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
      durationSeconds: round((performance.now() - started) / 1000, 0),
      machine: { ...machine, loadAverageAtEnd: loadavg().map((n) => round(n, 2)) },
      settings: {
        answers: opts.answers,
        concurrency: opts.concurrency,
        rawSeconds: opts.rawSeconds,
        streamBatchingWindowMs,
        visibilityTimeoutSeconds,
        wcuAnswers: opts.wcuAnswers,
        visitDays: opts.visitDays,
        dashboardSizes: opts.dashboardSizes.join(','),
        queryRepetitions: opts.queryRepetitions,
        costSurveys: opts.costSurveys,
        bundleRuns: opts.bundleRuns,
        loadSeconds: opts.loadSeconds,
        loadConnections: opts.loadConnections,
        loadCustomers: opts.loadCustomers,
        seed: opts.seed,
        firstDemo: opts.demo ? 'run' : 'skipped (--no-demo)',
      },
      endToEnd: {
        answersPerSecond: run.answersPerSecond,
        dynamoDbLocalWritesPerSecond: rawWrites.writesPerSecond,
        streamBatchingWindowMs,
        run,
        rawWrites,
        rollupBatches,
        cpu: { rawWrites: rawCpu, endToEnd: e2eCpu },
      },
      load,
      writeUnitsPerAnswer: writeUnits,
      dashboardQuery: dashboard.figures,
      dashboardData: dashboard.loads,
      surveyCost,
      bundles,
      bundleBaseline,
      smsSegmentsPerSurvey: { 'zh-CN': smsSegments['zh-CN'].outbound.segments, en: smsSegments.en.outbound.segments },
      smsSegments,
      ...(firstDemo ? { firstDemo } : {}),
    };
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(join(opts.out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(opts.out, 'latest.md'), renderMarkdown(report));
    step(`wrote ${relative(process.cwd(), join(opts.out, 'latest.json'))} and latest.md in ${report.durationSeconds} s`);
  } finally {
    await cleanUp();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
