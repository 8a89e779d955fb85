process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/**
 * The bench's firstDemo phase: a newcomer's first `npm run demo`. A fresh local stack of its own
 * (empty DATA_DIR, the shipped config as it is, `npm start`'s own settings), then `scripts/demo.ts`
 * in a child process against it, as `npm run demo` runs it, timed from its start to its exit. The
 * demo's own figures (import, scoring, live) come from its `--json` summary.
 *
 * Alone: `npx tsx bench/first-demo.ts [--json FILE]` prints the figures and the report's section.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { shippedConfig, startStackProcess } from '#local/stack-process.ts';
import * as z from '#shared/zod.ts';
import type { DemoSummary } from '../scripts/demo.ts';
import { firstDemoSection } from './report.ts';
import { round } from './stats.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const demoSummary = z.object({
  rows: z.number(),
  answers: z.number(),
  imported: z.number(),
  duplicates: z.number(),
  importSeconds: z.number(),
  scoringSeconds: z.number(),
  settled: z.boolean(),
  scored: z.number(),
  liveSeconds: z.number(),
  live: z.record(z.string(), z.number()),
  alerts: z.number(),
  totalSeconds: z.number(),
});
// The demo writes what the bench reads: a field added or renamed on one side fails to compile.
const _sameShape: [DemoSummary, z.infer<typeof demoSummary>] extends [z.infer<typeof demoSummary>, DemoSummary] ? true : never =
  true;
void _sameShape;

/** Reads the demo's `--json` summary; a summary that does not parse is an error naming what is wrong. */
export function parseDemoSummary(text: string): DemoSummary {
  const parsed = demoSummary.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`the demo's --json summary does not parse: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export interface FirstDemoResult {
  /** The demo's child process, from its start to its exit: what a newcomer waits for. */
  seconds: number;
  importSeconds: number;
  /** From the import's end until the scores held every answer (`settled`), or until the demo stopped waiting. */
  scoringSeconds: number;
  liveSeconds: number;
  visits: number;
  answers: number;
  /** Visits imported per second of the import. */
  rowsPerSecond: number;
  /** Answers in the scores per second from the import's start until they all were (the scorer works alongside the import). */
  answersPerSecond: number;
  settled: boolean;
  /** The demo's own total (after its Node start-up and module load). */
  demoSeconds: number;
  /** `npm start` on an empty DATA_DIR, until it answered; not in `seconds`. */
  stackStartSeconds: number;
  live: Record<string, number>;
  alerts: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
}

/** The figures the report keeps, from the demo's summary and the bench's own clock. */
export function firstDemoFigures(
  summary: DemoSummary,
  timing: { seconds: number; stackStartSeconds: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[] },
): FirstDemoResult {
  const untilScored = summary.importSeconds + summary.scoringSeconds;
  return {
    seconds: round(timing.seconds, 1),
    importSeconds: round(summary.importSeconds, 1),
    scoringSeconds: round(summary.scoringSeconds, 1),
    liveSeconds: round(summary.liveSeconds, 1),
    visits: summary.rows,
    answers: summary.answers,
    rowsPerSecond: summary.importSeconds > 0 ? round(summary.rows / summary.importSeconds, 1) : 0,
    answersPerSecond: summary.settled && untilScored > 0 ? round(summary.answers / untilScored, 1) : 0,
    settled: summary.settled,
    demoSeconds: round(summary.totalSeconds, 1),
    stackStartSeconds: round(timing.stackStartSeconds, 1),
    live: summary.live,
    alerts: summary.alerts,
    loadAverageAtStart: timing.loadAverageAtStart,
    loadAverageAtEnd: timing.loadAverageAtEnd,
  };
}

/** Runs `scripts/demo.ts` as `npm run demo` does; its output goes to `echo`. Resolves with its wall-clock seconds. */
function runDemo(env: NodeJS.ProcessEnv, jsonPath: string, echo: (chunk: Buffer) => void): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--json', jsonPath], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', echo);
  child.stderr.on('data', echo);
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) done(seconds);
      else fail(new Error(`npm run demo exited with ${signal ?? `code ${code}`} after ${round(seconds, 0)} s`));
    });
  });
}

export async function measureFirstDemo(options: {
  log: (message: string) => void;
  /** Where the demo's console output goes (default: this process's stderr, the bench's log). */
  echo?: (chunk: Buffer) => void;
}): Promise<FirstDemoResult> {
  const loadAverageAtStart = loadavg().map((n) => round(n, 2));
  const stackStarted = performance.now();
  const stack = await startStackProcess({
    // The shipped config as it is (quiet hours, send delays), as `npm start` reads it.
    config: shippedConfig(),
    tempPrefix: 'closedloop-bench-demo-',
    logLevel: 'INFO',
    // Empty: `npm start`'s own values (the topology's visibility timeouts and schedule, its 2 s stream window).
    env: { LOCAL_VISIBILITY_TIMEOUT_SECONDS: '', LOCAL_STREAM_BATCHING_WINDOW_MS: '', LOCAL_SCHEDULE_INTERVAL_MS: '' },
    readyTimeoutMs: 180_000,
  });
  const stackStartSeconds = (performance.now() - stackStarted) / 1000;
  const scratch = mkdtempSync(join(tmpdir(), 'closedloop-bench-demo-summary-'));
  try {
    options.log(`  stack up at ${stack.url} in ${round(stackStartSeconds, 1)} s, empty DATA_DIR; npm run demo`);
    const jsonPath = join(scratch, 'demo.json');
    const { CLOSEDLOOP_TOKEN: _token, ...inherited } = process.env;
    const seconds = await runDemo(
      { ...inherited, CLOSEDLOOP_URL: stack.url, CLOSEDLOOP_CONFIG: stack.configPath },
      jsonPath,
      options.echo ?? ((chunk) => process.stderr.write(chunk)),
    );
    const summary = parseDemoSummary(readFileSync(jsonPath, 'utf8'));
    return firstDemoFigures(summary, {
      seconds,
      stackStartSeconds,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((n) => round(n, 2)),
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await stack.dispose();
  }
}

async function main() {
  const { values } = parseArgs({ options: { json: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log(
      "npx tsx bench/first-demo.ts [--json FILE]: the bench's firstDemo phase alone (a fresh stack, a newcomer's first npm run demo, timed); prints its figures and report section, writes nothing to bench/results",
    );
    return;
  }
  const log = (message: string) => process.stderr.write(`[first demo ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  log(
    `load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' / ')}: starting a fresh stack`,
  );
  const result = await measureFirstDemo({ log });
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ firstDemo: result }, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(`\n${firstDemoSection(result)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
