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
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { baseTestConfig, freePort, type StackProcess, startStackProcess } from '#local/stack-process.ts';
import { parseConfig } from '#shared/config/load.ts';
import { measureBundles } from './bundles.ts';
import { measureDashboardQueries } from './dashboard-query.ts';
import { rollupBatchesIn, runEndToEnd } from './end-to-end.ts';
import { describeMachine, startCpuSampling } from './machine.ts';
import { measureRawWrites } from './raw-writes.ts';
import { type BenchReport, renderMarkdown } from './report.ts';
import { measureSmsSegments } from './sms-segments.ts';
import { StackApi } from './stack-api.ts';
import { round } from './stats.ts';
import { measureWriteUnits, type WriteUnitsResult } from './write-units.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const usage = `npm run bench -- [options]
  --answers N            customers through the whole pipeline (default 200)
  --concurrency N        requests in flight, end to end and for the raw writes (default 8)
  --raw-seconds N        how long the raw DynamoDB Local write rate is measured (default 10)
  --stream-window-ms N   the rollup stream's batching window (default: the topology's)
  --wcu-answers N        synthetic answers for the write-unit figures (default 1000)
  --visit-days N         the days those answers' visits spread over (default 7)
  --dashboard-sizes A,B  answers in each year of dashboard data (default 2000,20000)
  --query-repetitions N  timed runs of each dashboard query (default 15)
  --bundle-runs N        cold loads of each bundle (default 5)
  --seed N               seed of the synthetic data (default 1)
  --out DIR              where latest.json and latest.md go (default bench/results)`;

function options() {
  const { values } = parseArgs({
    options: {
      answers: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '8' },
      'raw-seconds': { type: 'string', default: '10' },
      'stream-window-ms': { type: 'string' },
      'wcu-answers': { type: 'string', default: '1000' },
      'visit-days': { type: 'string', default: '7' },
      'dashboard-sizes': { type: 'string', default: '2000,20000' },
      'query-repetitions': { type: 'string', default: '15' },
      'bundle-runs': { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
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
    bundleRuns: positive('bundle-runs', values['bundle-runs']),
    seed: positive('seed', values.seed),
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
  const cleanUp = async () => {
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

    step(`raw DynamoDB Local writes for ${opts.rawSeconds} s at concurrency ${opts.concurrency}`);
    let sampling = startCpuSampling(processes());
    const rawWrites = await measureRawWrites({
      endpoint: stack.dynamodb,
      scoresTable,
      concurrency: opts.concurrency,
      durationMs: opts.rawSeconds * 1000,
    });
    const rawCpu = sampling.stop();
    step(`  ${rawWrites.writesPerSecond} writes/s`);

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

    step('SMS segments: one completed survey per locale');
    const smsSegments = await measureSmsSegments(api, config, opts.seed);

    await stack.dispose();
    stack = undefined;

    // On a DynamoDB Local of its own: scratch tables, nothing else competing.
    step(`write units: ${opts.wcuAnswers} synthetic answers, on a DynamoDB Local of their own`);
    const dynamo = await startDynamoDbLocal({ dataDir: join(scratch, 'write-units'), port: await freePort() });
    let writeUnits: WriteUnitsResult;
    try {
      writeUnits = await measureWriteUnits({
        endpoint: dynamo.endpoint,
        config,
        scoresTable,
        topologyBatchSize: scoresStream.batchSize,
        batchSizes: [scoresStream.batchSize, 100, 10, 1],
        answers: opts.wcuAnswers,
        visitDays: opts.visitDays,
        otherVisitDays: [1, 2, 3].filter((d) => d !== opts.visitDays),
        concurrency: opts.concurrency,
        seed: opts.seed,
        log: step,
      });
    } finally {
      await dynamo.stop();
    }
    step(`  ${writeUnits.value} units per answer at batch ${writeUnits.topologyBatchSize}`);

    step(`bundles: ${topology.functions.length} functions`);
    const bundles = await measureBundles({
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
        bundleRuns: opts.bundleRuns,
        seed: opts.seed,
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
      writeUnitsPerAnswer: writeUnits,
      dashboardQuery: dashboard.figures,
      dashboardData: dashboard.loads,
      bundles,
      smsSegmentsPerSurvey: { 'zh-CN': smsSegments['zh-CN'].outbound.segments, en: smsSegments.en.outbound.segments },
      smsSegments,
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
