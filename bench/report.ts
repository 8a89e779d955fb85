/** The benchmark report: the JSON DESIGN §6 asks for (and more), and a readable Markdown twin. */
import type { BundleBaselineFigure, BundleFigure } from './bundles.ts';
import { BASELINE_NEIGHBOURS } from './load-ratio.ts';
import type { DashboardQueryFigure, DataLoad } from './dashboard-query.ts';
import type { EndToEndResult, RollupBatches } from './end-to-end.ts';
import type { FirstDemoResult } from './first-demo.ts';
import type { LoadFigure, LoadResult } from './load.ts';
import type { CpuUse, Machine } from './machine.ts';
import type { RawWritesResult } from './raw-writes.ts';
import type { BenchLocale, SmsSegmentsFigure } from './sms-segments.ts';
import type { SurveyCostResult } from './survey-cost.ts';
import type { WriteUnitsResult } from './write-units.ts';

export interface BenchReport {
  generatedAt: string;
  command: string;
  durationSeconds: number;
  machine: Machine & { loadAverageAtEnd: number[] };
  settings: Record<string, number | string>;
  endToEnd: {
    answersPerSecond: number;
    dynamoDbLocalWritesPerSecond: number;
    streamBatchingWindowMs: number;
    run: EndToEndResult;
    rawWrites: RawWritesResult;
    /** Rollup batches the stack's aggregator applied during the run, from its own log lines. */
    rollupBatches: RollupBatches;
    cpu: { rawWrites: Record<string, CpuUse>; endToEnd: Record<string, CpuUse> };
  };
  load: LoadResult;
  writeUnitsPerAnswer: WriteUnitsResult;
  dashboardQuery: DashboardQueryFigure[];
  dashboardData: DataLoad[];
  surveyCost: SurveyCostResult;
  bundles: BundleFigure[];
  /** The bundle of the DynamoDB document client alone, loaded before each of the functions' loads: `bundles[].loadRatio` is to it. */
  bundleBaseline: BundleBaselineFigure;
  smsSegmentsPerSurvey: Record<BenchLocale, number>;
  smsSegments: Record<BenchLocale, SmsSegmentsFigure>;
  /** A newcomer's first `npm run demo` on a fresh stack; absent with `--no-demo`. */
  firstDemo?: FirstDemoResult;
}

const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const fixed = (n: number, digits = 2) => n.toFixed(digits);
const loadCpu = (f: LoadFigure) =>
  [
    ['stack', "the stack's Node process"],
    ['dynamoDbLocal', "DynamoDB Local's JVM"],
    ['bench', 'autocannon (this process)'],
    ['machine', 'machine total'],
  ]
    .map(([key, name]) => `${name} ${fixed(f.cpu[key as string]?.coresBusy ?? 0)}`)
    .join(', ');
const errorsOf = (f: LoadFigure) => f.errors.non2xx + f.errors.connection + f.errors.timeouts;
const loadRow = (f: LoadFigure) => [
  `\`${f.target}\``,
  f.connections,
  f.durationSeconds,
  f.requests,
  f.requestsPerSecond,
  f.latencyMs.p50,
  f.latencyMs.p90,
  `**${f.latencyMs.p99}**`,
  f.latencyMs.max,
  `${errorsOf(f)} (non-2xx ${f.errors.non2xx}, connection ${f.errors.connection}, timeouts ${f.errors.timeouts})`,
  f.targetP99Ms === undefined
    ? '-'
    : `p99 ≤ ${f.targetP99Ms} ms, 0 errors: **${f.latencyMs.p99 <= f.targetP99Ms && errorsOf(f) === 0 ? 'met' : 'NOT met'}**`,
];

function ceilingNotes(report: BenchReport): string[] {
  const { endToEnd: e2e, machine } = report;
  const cpu = e2e.cpu.endToEnd;
  const stack = cpu.stack?.coresBusy ?? 0;
  const jvm = cpu.dynamoDbLocal?.coresBusy ?? 0;
  const bench = cpu.bench?.coresBusy ?? 0;
  const all = cpu.machine?.coresBusy ?? 0;
  const others = Math.max(0, all - stack - jvm - bench);
  const notes = [
    `The stack answered **${e2e.answersPerSecond} answers/s** while DynamoDB Local alone took **${e2e.dynamoDbLocalWritesPerSecond} PutItems/s** from one client at the same concurrency (${e2e.rawWrites.concurrency}), so one answer cost about ${fixed(e2e.dynamoDbLocalWritesPerSecond / Math.max(e2e.answersPerSecond, 0.001), 1)} raw-write-equivalents of this machine's capacity. An answer is not one write: the conversation step reads and conditionally updates the survey and records the inbound message once, scoring reads the survey and puts the response, and the rollups and the survey funnel are folded from both tables' streams.`,
    `CPU during the end-to-end run, from the first visit to the last answer counted (cores busy, of ${machine.cores}): the stack's Node process ${fixed(stack)}, DynamoDB Local's JVM ${fixed(jvm)}, this benchmark process ${fixed(bench)}, everything else on the machine ${fixed(others)} (machine total ${fixed(all)}).`,
  ];
  if (all >= machine.cores * 0.85) {
    notes.push(
      others >= 0.2
        ? `The machine's CPUs were saturated during the run, ${fixed(others)} cores of it by other processes (load average ${machine.loadAverageAtStart.join(' / ')} at the start, ${machine.loadAverageAtEnd.join(' / ')} at the end, on ${machine.cores} cores): every figure here is a floor set by CPU contention. The ratio between the two end-to-end figures is the more stable number.`
        : `The machine's CPUs were saturated during the run by the stack and DynamoDB Local themselves (other processes: ${fixed(others)} cores): on ${machine.cores} cores this is the local ceiling, and DynamoDB Local's JVM takes the larger share.`,
    );
  }
  if (stack >= 0.85) {
    notes.push(
      'The stack runs every handler, the API emulator, the queue pollers and fauxqs in one Node process, whose JavaScript runs on one thread: near one busy core it is the bottleneck.',
    );
  }
  const { webhook } = report.load;
  const littleMs = (webhook.connections / Math.max(webhook.requestsPerSecond, 0.001)) * 1000;
  const ceiling = webhook.dynamoDb;
  notes.push(
    `Load: with ${webhook.connections} requests always in flight, each waits for the ones ahead of it (Little's law: latency ≈ requests in flight ÷ throughput), so the webhook's ${webhook.requestsPerSecond} req/s means about ${Math.round(littleMs)} ms per request on average.${ceiling ? ` Each webhook request made ${ceiling.requestsPerWebhookRequest} DynamoDB requests (counted in [What a survey costs](#what-a-survey-costs)): ${ceiling.requestsPerSecond} DynamoDB requests/s, ${Math.round(ceiling.shareOfCeiling * 100)}% of the ${ceiling.rawCeilingPerSecond} raw PutItems/s DynamoDB Local took alone in this run, while the scorer and the rollups wrote beside them. The earlier target, p99 ≤ 300 ms at 50 connections, would need 167 webhook requests/s, about ${Math.round((167 * ceiling.requestsPerWebhookRequest) / Math.max(ceiling.rawCeilingPerSecond, 1))}× what this emulator can take: it is retired.` : ''}`,
  );
  notes.push(
    `Locally everything shares one DynamoDB Local (a single JVM over one SQLite file, every write a disk transaction) and one Node process on ${machine.cores} cores. None of these limits exists in AWS: Lambda runs handlers in parallel, SQS and DynamoDB scale out, the rollups take one transactional write per touched bucket per stream batch (no hot key per answer), and the dashboard reads a bounded number of pre-aggregated items. What bounds AWS throughput is the stream: one aggregator invocation at a time per shard, each folding up to ${report.writeUnitsPerAnswer.topologyBatchSize} answers.`,
  );
  return notes;
}

const usd = (n: number) => `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;

/** What one completed survey asks of AWS, by step next to its floor, and what 1,000 cost next to their texts. */
export function surveyCostSection(cost: SurveyCostResult): string {
  const p = cost.perSurvey;
  const k = cost.per1000;
  const aws = cost.prices.aws;
  const floor = (s: SurveyCostResult['steps'][number], key: 'reads' | 'writes') => (s.floor ? s.floor[key] : '-');
  return `${cost.surveys} completed surveys (visit posted, survey texted, a 9 and a reason texted back through the signed
Twilio webhook, scored, rolled up), one at a time, through a local stack in the bench's own process: the very handlers
and adapters, with every DynamoDB request counted by the function that made it (SDK middleware on the composition
root's one client, \`ReturnConsumedCapacity\`), every SQS request a handler made, and every invocation with its duration
(where each handler wrapper starts and ends). In ${cost.seconds} s; figures per survey.

${table(
  [
    'step',
    'function',
    'invocations',
    'DynamoDB reads',
    'floor',
    'writes',
    'floor',
    'read units',
    'write units',
    'SQS requests',
    'median ms',
    'memory',
    'calls',
  ],
  cost.steps.map((s) => [
    s.step,
    s.function,
    s.invocations,
    s.reads,
    floor(s, 'reads'),
    s.writes,
    floor(s, 'writes'),
    s.readUnits,
    s.writeUnits,
    s.sqsRequests,
    s.durationMsMedian,
    `${s.memoryMb} MB`,
    Object.entries(s.calls)
      .map(([c, n]) => `${c.replace(/Command$/, '')} ${n}`)
      .join(', '),
  ]),
)}
| **per survey** | | **${p.invocations}** | **${p.reads}** | | **${p.writes}** | | ${p.readUnits} | ${p.writeUnits} | ${p.sqsRequestsByHandlers} | | | |

- Retention and RFM (the customer's history, cohorts, segment counters and timer) take
  ${p.retention.reads} of the reads and ${p.retention.writes} of the writes per survey: ${cost.steps
    .filter((s) => s.retention.reads + s.retention.writes > 0)
    .map((s) => `${s.step} ${s.retention.reads} + ${s.retention.writes}`)
    .join(', ')}.
- Floors: ${cost.steps
    .filter((s) => s.floor)
    .map((s) => `${s.step}, ${s.floor?.why}`)
    .join('; ')}.
- Write units are AWS's (a transaction's items twice; see [Write units per answer](#write-units-per-answer)). The rolled-up
  step ran here in batches of about one survey (a short stream window, one survey at a time), its worst case; at volume the
  rollups cost what the write-units phase measured at the topology's batch (scores: ${cost.rollupWriteUnitsAtTopologyBatch ?? '-'} units per answer, the
  funnel's taken as the same), so 1,000 surveys are priced at **${k.writeUnitsPerSurveyAtVolume}** write units per survey.
- SQS: ${p.sqsRequestsByHandlers} requests by the handlers, and for the ${p.messagesConsumed} messages they send, Lambda's event source mapping makes at
  worst one ReceiveMessage and one DeleteMessageBatch each (${p.sqsRequestsByEventSources}); its idle long polling is per queue and per hour, not per survey.
  The scheduler's sweep (once a minute) and stream reads are per minute or free: Lambda's reads of a DynamoDB stream trigger are not billed.
- Lambda: ${p.invocations} invocations, **${p.gbSeconds} GB-s** at the topology's memory and the mean durations measured here
  (DynamoDB Local and one Node process on a shared machine: in AWS calls take milliseconds, so this is an upper figure).

### 1,000 completed surveys at published prices

Prices ${cost.prices.readOn}; AWS ${aws.source}; on demand, arm64, no free tier.

${table(
  ['item', 'quantity per 1,000 surveys', 'price', 'cost'],
  [
    [
      'DynamoDB writes',
      `${round2(1000 * k.writeUnitsPerSurveyAtVolume)} write units`,
      `${usd(aws.dynamoDbPerMillionWriteUnits)} per million`,
      usd(k.dynamoDbWrites),
    ],
    [
      'DynamoDB reads',
      `${round2(1000 * p.readUnits)} read units`,
      `${usd(aws.dynamoDbPerMillionReadUnits)} per million`,
      usd(k.dynamoDbReads),
    ],
    [
      'Lambda requests',
      `${round2(1000 * p.invocations)}`,
      `${usd(aws.lambdaPerMillionRequests)} per million`,
      usd(k.lambdaRequests),
    ],
    ['Lambda compute', `${round2(1000 * p.gbSeconds)} GB-s`, `${aws.lambdaArmPerGbSecond} per GB-s`, usd(k.lambdaCompute)],
    [
      'SQS requests',
      `${round2(1000 * (p.sqsRequestsByHandlers + p.sqsRequestsByEventSources))}`,
      `${usd(aws.sqsPerMillionRequests)} per million`,
      usd(k.sqs),
    ],
    ['DynamoDB stream reads (Lambda trigger)', '-', 'not billed', usd(k.streamReads)],
    ['**AWS, all**', '', '', `**${usd(k.aws)}**`],
    ...k.sms.map((m) => [
      `SMS: ${m.name} (${m.locale} texts)`,
      `${1000 * m.segments.outbound} segments out, ${1000 * m.segments.inbound} in`,
      cost.prices.sms.find((x) => x.name === m.name)?.source ?? '',
      `**${usd(m.total)}**`,
    ]),
  ],
)}

The texts cost ${k.sms.length ? `${Math.round(Math.min(...k.sms.map((m) => m.total)) / Math.max(k.aws, 0.0001))}×` : ''} to ${k.sms.length ? `${Math.round(Math.max(...k.sms.map((m) => m.total)) / Math.max(k.aws, 0.0001))}×` : ''} what AWS charges for everything else a survey does.`;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The bundle table: size against its bound, cold load next to the baseline's in the same minutes and
 * as a multiple of it, and the five largest inputs; the baseline itself first.
 */
export function bundleTable(bundles: BundleFigure[], baseline: BundleBaselineFigure): string {
  const within = (ok: boolean) => (ok ? 'yes' : '**NO**');
  const inputs = (topInputs: BundleFigure['topInputs']) =>
    topInputs.map((i) => `${i.input.replace(/^closedloop:/, '')} ${kb(i.bytes)}`).join(', ');
  return table(
    [
      'function',
      'index.mjs',
      `≤ bound`,
      'source map',
      'module load ms',
      'baseline ms',
      '× baseline',
      'process ms',
      'five largest inputs',
    ],
    [
      [
        `_baseline: DynamoDB document client alone_ (\`${baseline.entry}\`)`,
        kb(baseline.bytes),
        '-',
        kb(baseline.sourceMapBytes),
        baseline.loadMs,
        `${baseline.loadMs} (${baseline.loads} loads)`,
        fixed(1),
        baseline.processMs,
        inputs(baseline.topInputs),
      ],
      ...bundles.map((b) => [
        b.function,
        kb(b.bytes),
        `${within(b.bytes <= b.boundBytes)} (${kb(b.boundBytes)})`,
        kb(b.sourceMapBytes),
        b.loadMs,
        b.baselineLoadMs,
        `**${fixed(b.loadRatio)}**`,
        b.processMs,
        inputs(b.topInputs),
      ]),
    ],
  );
}

/** How the loads were taken and why the ratio is the figure: under the bundle table, here and in `npm run bench:bundles`. */
export const bundleLoadNote = (baseline: BundleBaselineFigure, runs: number) =>
  `One machine loaded one \`get-scores\` bundle in 87.6 ms in one half hour and 158.5 ms in another, idle both times:
a load time says as much about the machine's moment as about the bundle. The figure is therefore each bundle's load
**as a multiple of the baseline's** ("× baseline"): a bundle of the DynamoDB document client alone
(\`${baseline.entry}\`: the client built at module scope as a composition root builds it, nothing else), bundled in
the same esbuild run with the same options (${kb(baseline.bytes)}). The loads were interleaved: ${runs} rounds, each
loading every function once with the baseline loaded just before it. Each load of a function is divided by the median
of the ${2 * BASELINE_NEIGHBOURS + 1} baseline loads around it (the one just before it, ${BASELINE_NEIGHBOURS} before that and ${BASELINE_NEIGHBOURS} after: a few seconds),
and "× baseline" is the median of those quotients; "baseline ms" is the median of those baseline loads, so the two ms
columns divide to about, not exactly, the ratio. On a shared machine the pace changes within a minute (another
process's test run), which a ratio to the run's overall baseline would not follow. Over all ${baseline.loads} of its loads
the baseline took **${baseline.loadMs} ms** (median; process ${baseline.processMs} ms). \`latest.json\` keeps every
load (\`loadsMs\`), in the order taken, as does \`npm run bench:bundles -- --json FILE\`.`;

const settledText = (d: FirstDemoResult) =>
  d.settled
    ? `scores settled ${d.scoringSeconds} s later`
    : `scores NOT settled, the demo stopped waiting ${d.scoringSeconds} s later`;

/** The report's row for a newcomer's first `npm run demo`. */
export const firstDemoRow = (d: FirstDemoResult) => [
  'First `npm run demo`',
  `**${d.seconds} s** (import ${d.importSeconds} s, ${settledText(d)})`,
  `${d.visits.toLocaleString('en')} visits at ${d.rowsPerSecond} rows/s, ${d.answers.toLocaleString('en')} answers at ${d.answersPerSecond} answers/s; live conversations ${d.liveSeconds} s`,
];

/** What the firstDemo phase measured, for latest.md and `npx tsx bench/first-demo.ts`. */
export function firstDemoSection(d: FirstDemoResult): string {
  const live = Object.entries(d.live)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return `## First \`npm run demo\`

What a newcomer waits for the first time: a fresh local stack of its own (\`local/start.ts\` in a child process, an empty
\`DATA_DIR\`, the shipped \`config/local.json\` as it is, \`npm start\`'s own settings: the topology's visibility timeouts and
schedule, a 2 s stream window; it answered after ${d.stackStartSeconds} s, not counted below), then \`scripts/demo.ts\` in a child
process with \`CLOSEDLOOP_URL\` pointing at it, as \`npm run demo\` runs it. The time is the child's, from its start to its exit
(Node and tsx start-up and the history's generation included; the demo's own clock said ${d.demoSeconds} s); the parts are the
demo's own figures (\`--json\`).

${table(
  ['part', 'seconds', ''],
  [
    ['whole run', `**${d.seconds}**`, ''],
    [
      'history import (`POST /v1/imports`, 200 rows a request)',
      d.importSeconds,
      `${d.visits.toLocaleString('en')} visits, **${d.rowsPerSecond} rows/s**`,
    ],
    [
      'then until `GET /v1/scores` held every answer',
      d.scoringSeconds,
      d.settled
        ? `${d.answers.toLocaleString('en')} answers, **${d.answersPerSecond} answers/s** from the import's start (the scorer works alongside the import)`
        : 'NOT settled: the demo stopped waiting with answers still to score',
    ],
    ["live conversations and their alerts' follow-ups", d.liveSeconds, `${live}; ${d.alerts} alerts`],
  ],
)}

The live conversations' time depends on the hour: a store in quiet hours (21:00–08:00 its time) gets its visit posted and
its text left for the morning (\`waiting\`). Load average ${d.loadAverageAtStart.join(' / ')} at the phase's start,
${d.loadAverageAtEnd.join(' / ')} at its end: the import and the scorer share DynamoDB Local, so a busy machine shows here first.`;
}

export function renderMarkdown(report: BenchReport): string {
  const { endToEnd: e2e, writeUnitsPerAnswer: wcu, machine } = report;
  const run = e2e.run;
  const atTopology = wcu.byBatchSize.find((f) => f.batchSize === wcu.topologyBatchSize);
  const querySizes = [...new Set(report.dashboardQuery.map((f) => f.answers))];
  const largestBundle = [...report.bundles].sort((a, b) => b.bytes - a.bytes)[0];
  const slowestLoad = [...report.bundles].sort((a, b) => b.loadRatio - a.loadRatio)[0];
  const processNames: Record<string, string> = {
    stack: "the stack's Node process",
    dynamoDbLocal: "DynamoDB Local's JVM",
    bench: 'this benchmark',
    machine: 'the whole machine (every process)',
  };
  const cpuRows = (use: Record<string, CpuUse>) =>
    Object.entries(use).map(([name, u]) => [processNames[name] ?? name, fixed(u.cpuSeconds, 1), fixed(u.coresBusy)]);

  return `# ClosedLoop benchmark

\`${report.command}\` on ${report.generatedAt}, ${report.durationSeconds} s. Every figure below was measured in this run;
how each was measured is said next to it. \`latest.json\` holds the same figures and more detail.

## Machine

${table(
  ['', ''],
  [
    ['CPU', `${machine.cpuModel}, ${machine.cores} cores`],
    ['Memory', `${machine.memoryGb} GB`],
    ['Node.js', machine.node],
    ['Java (DynamoDB Local)', machine.java],
    ['OS', machine.os],
    ['Load average at start (1/5/15 min)', machine.loadAverageAtStart.join(' / ')],
    ['Load average at end', machine.loadAverageAtEnd.join(' / ')],
  ],
)}

The machine is shared: a load average above the core count means other processes competed for the CPUs during the run.

## Summary

${table(
  ['figure', 'measured', 'next to'],
  [
    [
      'End-to-end answers/s',
      `**${e2e.answersPerSecond}**`,
      `DynamoDB Local raw PutItem rate in the same run: **${e2e.dynamoDbLocalWritesPerSecond}/s** (the ceiling)`,
    ],
    [
      `Write units per answer (stream batch of ${wcu.topologyBatchSize})`,
      `**${wcu.value}**`,
      `floor 1 (the response item alone); one transaction per answer: ${wcu.oneTransactionPerAnswer}`,
    ],
    ...report.dashboardQuery
      .filter((f) => f.answers === querySizes[0])
      .map((small) => {
        const large = report.dashboardQuery.find((f) => f.query === small.query && f.answers !== small.answers);
        return [
          `Dashboard query \`${small.query}\` over a year`,
          `${small.answers.toLocaleString('en')} answers: ${small.ms} ms, ${small.itemsRead} items read`,
          large
            ? `${large.answers.toLocaleString('en')} answers: ${large.ms} ms, ${large.itemsRead} items read (bound: ${large.maxBuckets})`
            : '-',
        ];
      }),
    [
      `Load: \`${report.load.webhook.target}\`, ${report.load.webhook.connections} connections`,
      `p50 ${report.load.webhook.latencyMs.p50} ms, **p99 ${report.load.webhook.latencyMs.p99} ms**, ${errorsOf(report.load.webhook)} errors, ${report.load.webhook.requestsPerSecond} req/s${report.load.webhook.dynamoDb ? ` × ${report.load.webhook.dynamoDb.requestsPerWebhookRequest} DynamoDB requests = **${report.load.webhook.dynamoDb.requestsPerSecond}/s**` : ''}`,
      report.load.webhook.dynamoDb
        ? `DynamoDB Local's raw PutItem rate in the same run: ${report.load.webhook.dynamoDb.rawCeilingPerSecond}/s (the ceiling)`
        : '-',
    ],
    [
      `Load: \`${report.load.scores.target}\`, ${report.load.scores.connections} connections`,
      `p50 ${report.load.scores.latencyMs.p50} ms, **p99 ${report.load.scores.latencyMs.p99} ms**, ${errorsOf(report.load.scores)} errors, ${report.load.scores.requestsPerSecond} req/s`,
      '-',
    ],
    [
      'AWS cost of 1,000 completed surveys',
      `**${usd(report.surveyCost.per1000.aws)}** (${report.surveyCost.perSurvey.invocations} invocations, ${report.surveyCost.perSurvey.reads} DynamoDB reads and ${report.surveyCost.perSurvey.writes} writes per survey)`,
      `their texts: ${report.surveyCost.per1000.sms.map((m) => `${m.name} ${usd(m.total)}`).join('; ')}`,
    ],
    [
      'Largest Lambda bundle',
      largestBundle ? `${largestBundle.function}: ${kb(largestBundle.bytes)}` : '-',
      slowestLoad
        ? `slowest cold module load: ${slowestLoad.function}, **${fixed(slowestLoad.loadRatio)}× the DynamoDB-client-only baseline** loaded around it (${slowestLoad.loadMs} ms; the baseline ${slowestLoad.baselineLoadMs} ms)`
        : '-',
    ],
    [
      'SMS segments per completed survey (sent)',
      `zh-CN ${report.smsSegmentsPerSurvey['zh-CN']}, en ${report.smsSegmentsPerSurvey.en}`,
      `with the customer's two replies: zh-CN ${report.smsSegments['zh-CN'].totalSegments}, en ${report.smsSegments.en.totalSegments}`,
    ],
    ...(report.firstDemo ? [firstDemoRow(report.firstDemo)] : []),
  ],
)}

## End to end

A fresh local stack (\`local/start.ts\` in a child process: DynamoDB Local, fauxqs, the API emulator, the pollers) on a
free port and a temporary \`DATA_DIR\`, with the shipped config made benchmark-friendly (no quiet hours, no send delay).
The queues use the topology's own settings (responses queue batches of 25 within 1 s, visibility timeout
${report.settings.visibilityTimeoutSeconds} s); the rollup stream batches up to ${report.writeUnitsPerAnswer.topologyBatchSize} records within a
**${e2e.streamBatchingWindowMs} ms** batching window instead of the topology's ${report.writeUnitsPerAnswer.topologyWindowSeconds} s, which would make the figure below a wait rather than a rate.

1. ${run.answers} visits were posted to \`POST /v1/service-events\` (${run.concurrency} at a time): ${run.ingest.visitsPerSecond} visits/s,
   p50 ${run.ingest.latencyMs.p50} ms, p99 ${run.ingest.latencyMs.p99} ms. All ${run.answers} surveys were sent (\`GET /v1/funnel\`) ${run.allSentSeconds} s after the first visit.
2. Every customer then texted a score (\`POST /dev/sms/inbound\`, ${run.concurrency} at a time). Sending all replies took ${run.repliesSeconds} s;
   each reply (one conversation step, answered with the why-question) took p50 **${run.replyLatencyMs.p50} ms**, p99 **${run.replyLatencyMs.p99} ms**, max ${run.replyLatencyMs.max} ms.
3. \`GET /v1/scores\` counted all ${run.answers} answers ${run.seconds} s after the first reply: **${run.answersPerSecond} answers/s**.

The ceiling, measured in the same run: ${e2e.rawWrites.writes} PutItems of ${e2e.rawWrites.itemBytes}-byte items from this process into a table defined like the
scores table (stream on) on a fresh DynamoDB Local of the same version (a table written and dropped on the stack's own instance
would slow every later write there), after ${e2e.rawWrites.warmUpWrites} writes to warm its JVM up, ${e2e.rawWrites.concurrency} at a time for ${e2e.rawWrites.seconds} s: **${e2e.rawWrites.writesPerSecond} writes/s**
(p50 ${e2e.rawWrites.latencyMs.p50} ms, p99 ${e2e.rawWrites.latencyMs.p99} ms).

The aggregator's own log of the run (every batch it applied from both streams, scores and funnel, from the first visit to the last answer):
${e2e.rollupBatches.batches} batches, ${e2e.rollupBatches.records} stream records, ${e2e.rollupBatches.facts} facts, ${e2e.rollupBatches.buckets} bucket updates in ${e2e.rollupBatches.transactions} transactions:
${fixed(e2e.rollupBatches.records / Math.max(1, e2e.rollupBatches.batches), 1)} records per batch on average, so **${fixed(e2e.rollupBatches.awsUnitsPerAnswer)} rollup write units per answer** (AWS pricing, scores and funnel together) at this load. Batches this small
(a ${e2e.streamBatchingWindowMs} ms window at this rate) fold little: see [Write units per answer](#write-units-per-answer) for what the batch size does.

CPU (seconds, and cores busy on average) while the raw writes ran (DynamoDB Local's JVM being the raw writes' own):

${table(['process', 'CPU s', 'cores busy'], cpuRows(e2e.cpu.rawWrites))}

and during the end-to-end run (visits posted, surveys sent, replies, until every answer was counted):

${table(['process', 'CPU s', 'cores busy'], cpuRows(e2e.cpu.endToEnd))}

## Load

[autocannon](https://github.com/mcollina/autocannon) against the same stack, ${report.load.webhook.connections} connections (one request
in flight on each) for a fixed time, after the end-to-end run.

${table(
  ['route', 'connections', 'seconds', 'requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'target'],
  [loadRow(report.load.webhook), loadRow(report.load.scores)],
)}

- **Webhook**: signed like Twilio's (HMAC-SHA1 over the URL and the form), real conversation traffic. ${report.load.webhook.customers} customers
  had a survey texted to them first; in turn each texted their score, then their reason, then a closing word (answered with
  nothing, the survey being over), round and round; ${report.load.webhook.duplicateDeliveries} of the ${report.load.webhook.requests} deliveries repeated the previous
  message with the same \`MessageSid\`, as Twilio's retries do. A score is one conversation step (read the inbound record and
  the phone's surveys, one conditional update, one queue message); the scoring and the rollups run behind the queue.
- Afterwards \`GET /v1/scores\` counted **${report.load.webhook.counted}** answers from the load: ${report.load.webhook.acknowledged} scores were acknowledged
  with 200 and ${report.load.webhook.sent} were sent (one cut off by the end of the time may or may not have been taken), so every
  acknowledged answer was counted and none twice.
- CPU while each load ran (cores busy, of ${machine.cores}): ${loadCpu(report.load.webhook)} on the webhook; ${loadCpu(report.load.scores)} on the scores API.
- **Scores API**: ${report.load.scores.queries.length} dashboard queries in turn (\`${report.load.scores.queries.map((q) => q.replace(/&from=[^&]+&to=[^&]+/, '')).join('`, `')}\`, over the last days), with the CX token.

## Write units per answer

Measured with \`ReturnConsumedCapacity: 'TOTAL'\` added to every call by SDK middleware on the DocumentClient the production
adapters were given, against scratch tables made from the topology's scores \`TableSpec\`. ${wcu.answers} synthetic answers
(the config's ${wcu.population.stores} stores, ${wcu.population.advisors} advisors each at one store, ${wcu.population.serviceTypes} service types from the survey plans, their departments, realistic score
spreads, visits spread over the last ${wcu.visitDays} days, a batch being a mix of them) went through \`DynamoResponseStore.record\`
(one conditional Put each) and then \`aggregateRollups\` + \`DynamoRollupStore\` in batches, as the scores table's stream
delivers them. One answer adds to ${wcu.bucketsPerAnswer} buckets (${wcu.rollupViews} views × ${wcu.granularities} granularities); a batch folds
into one increment per distinct bucket, applied in transactions of ≤ 99 buckets + 1 marker item.

**Units are priced by AWS's rules**: 1 unit per started KB for a plain write, 2 per item in a transaction (the largest
rollup item was ${wcu.largestRollupItemBytes} bytes and the largest response ${wcu.largestResponseItemBytes} bytes, so one KB each). DynamoDB Local's own report agrees for
plain writes but charges a whole transaction about 2 units however many items it holds; its figure is shown for reference and is not what AWS bills.

${table(
  [
    'stream batch',
    'answers',
    'batches',
    'buckets / answer',
    'transactions',
    'response',
    'rollups',
    '**units / answer**',
    'DynamoDB Local reported',
  ],
  wcu.byBatchSize.map((f) => [
    f.batchSize === wcu.topologyBatchSize ? `**${f.batchSize}** (topology)` : f.batchSize,
    f.answers,
    f.batches,
    fixed(f.bucketsPerAnswer, 3),
    f.transactions,
    fixed(f.responseUnitsPerAnswer),
    fixed(f.rollupUnitsPerAnswer),
    `**${fixed(f.unitsPerAnswer)}**`,
    fixed(f.reportedByDynamoDbLocal),
  ]),
)}

How much a batch folds depends on how many distinct buckets its answers share: mostly on the days their visits span
(each day is a bucket per group). The same ${wcu.answers} answers, visits spread over fewer or more days, at the topology's batch of ${wcu.topologyBatchSize}:

${table(
  ['visits spread over', 'buckets / answer', 'units / answer'],
  wcu.byVisitDays.map((d) => [
    `${d.visitDays} day${d.visitDays === 1 ? '' : 's'}`,
    fixed(d.bucketsPerAnswer, 3),
    fixed(d.unitsPerAnswer),
  ]),
)}

- Floor: **${wcu.floor}** unit per answer (the response item). The earlier design, one transaction per answer with its ${wcu.bucketsPerAnswer} buckets: **${wcu.oneTransactionPerAnswer}**.
- The topology's stream batch is up to ${wcu.topologyBatchSize} records within ${wcu.topologyWindowSeconds} s, so a batch is that full only above ~${Math.round(wcu.topologyBatchSize / wcu.topologyWindowSeconds)} answers/s;
  at lower rates batches are smaller and cost more per answer, but then the total is small. Per answer: 1 + 2 × (distinct buckets + transactions) ÷ answers in the batch.${atTopology ? ` At ${wcu.topologyBatchSize}: ${fixed(atTopology.bucketsPerAnswer, 3)} buckets per answer.` : ''}
- A re-delivered answer (the same answer recorded again): its conditional Put fails, nothing reaches the stream. AWS bills a failed
  conditional write like a write: **${fixed(wcu.duplicateAnswer.awsUnitsPerAnswer)}** unit (DynamoDB Local reports ${fixed(wcu.duplicateAnswer.reportedUnitsPerAnswer)}); rollup writes: ${wcu.duplicateAnswer.rollupWrites}.
- A stream batch of ${wcu.replayedBatch.answers} answers handed over again: ${wcu.replayedBatch.transactionsAttempted} transaction(s) attempted, ${wcu.replayedBatch.cancelled} cancelled by the batch's marker,
  buckets unchanged: **${wcu.replayedBatch.bucketsUnchanged ? 'yes' : 'NO'}**.
- The customer's reason, added later to the kept response: ${fixed(wcu.reasonUnitsPerAnswer)} unit per answer that has one.

## Dashboard queries

Two data sizes 10× apart, each a year of synthetic answers in a year of its own, folded into the running stack's own
scores table by \`aggregateRollups\` + \`DynamoRollupStore\` in the stream's batches of ${wcu.topologyBatchSize}, in the order a year of answers
arrives. \`GET /v1/scores\` was checked to count exactly that many answers in each year. Then each query ran over HTTP
against the stack (${report.settings.queryRepetitions} times after one warm-up; median), and the same use case (\`queryScores\`) ran in this
process on the metering client to count the items DynamoDB read (ScannedCount of every Query page).

${table(
  [
    'answers in the year',
    'query (a whole year)',
    'median ms',
    'items read',
    'Query calls',
    'buckets answered',
    'bound: periods × groups',
  ],
  report.dashboardQuery.map((f) => [
    f.answers.toLocaleString('en'),
    `\`${f.query}\``,
    f.ms,
    f.itemsRead,
    f.queries,
    f.buckets,
    f.maxBuckets,
  ]),
)}

A query reads one pre-aggregated item per (period, group) that has answers, and nothing else: the items read never
exceed the number of periods × groups asked for (12 months × ${wcu.population.stores} stores, 12 × ${wcu.population.advisors} advisors, every day of the year),
whatever the number of answers. Below that bound they grow only while some periods or groups still have no answer at
all (a small year leaves some advisor-months empty); once every bucket has one, more answers change nothing that is read.

Loading the data (rollup writes through the production code):

${table(
  ['answers', 'year', 'batches', 'bucket updates', 'seconds'],
  report.dashboardData.map((d) => [d.answers.toLocaleString('en'), d.year, d.batches, d.buckets, d.seconds]),
)}

## What a survey costs

${surveyCostSection(report.surveyCost)}

## Lambda bundles

Every function of the topology bundled with esbuild using the CDK stack's bundling options (ESM, its Node target, minified,
source maps without sources, \`module\`/\`main\` fields, the banner (\`createRequire\`, zod without its JIT), the injected prelude, nothing external, the SDK's
credential chain aliased to the environment's credentials), each bundle's inputs read from esbuild's metafile (grouped by package), then
imported by a fresh \`node\` process outside the repository with its bindings' variables set to dummy values, as in Lambda. Load time is the \`import()\` alone (the module-scope work of a cold start:
parsing, config and client set-up); process time adds Node's own start-up and exit.

${bundleLoadNote(report.bundleBaseline, Number(report.settings.bundleRuns))}

${bundleTable(report.bundles, report.bundleBaseline)}

## SMS segments per completed survey

One conversation per locale through the stack (visit → survey text → score → why-question → reason → thanks); the
texts sent are read back from \`GET /dev/sms/outbox?to=\`, the replies are the customer's. Segments as carriers count them
(GSM-7: 160 septets, 153 per part; UCS-2: 70 code units, 67 per part).

${(['zh-CN', 'en'] as const)
  .map(
    (
      locale,
    ) => `### ${locale}: ${report.smsSegments[locale].outbound.segments} sent, ${report.smsSegments[locale].totalSegments} with the replies

${table(
  ['direction', 'encoding', 'length', 'segments', 'text'],
  report.smsSegments[locale].messages.map((m) => [
    m.direction,
    m.encoding,
    m.length,
    m.segments,
    m.body.replaceAll('|', '\\|').replaceAll('\n', ' '),
  ]),
)}`,
  )
  .join('\n\n')}

${report.firstDemo ? `${firstDemoSection(report.firstDemo)}\n\n` : ''}## Where the ceiling is

${ceilingNotes(report)
  .map((n) => `- ${n}`)
  .join('\n')}
`;
}
