/**
 * Each Lambda bundle's size and cold module-load time. Every function of the topology is
 * bundled with esbuild using the options the CDK stack gives NodejsFunction (infra/constructs/
 * topology-function.ts `bundling()`, translated the way NodejsFunction turns them into esbuild
 * flags), and in the same esbuild run the baseline, a bundle of the DynamoDB document client alone
 * (bench/baseline-handler.ts); then a fresh `node` process, outside the repository (so nothing but
 * the bundle can be imported), imports a bundle with its bindings' variables set to dummy values,
 * a few times per bundle, each time just after a load of the baseline (bench/load-ratio.ts).
 */
import { loadConfigFile } from '#shared/config/load.ts';
import { spawnSync } from 'node:child_process';
import { copyFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { bundling } from '#infra/constructs/topology-function.ts';
import { commonEnvironment, envNamesOf, type FunctionSpec } from '#infra/topology.ts';
import { interleavedLoads, type LoadRatio, loadRatiosOf, type TakenLoad } from './load-ratio.ts';
import { median, round } from './stats.ts';

/** What a bundle holds, by package (or the repository's own folder), largest first. */
export interface BundleInput {
  /** An npm package (`zod`, `@aws-sdk/client-dynamodb`) or `closedloop:<folder>` for the repository's own code. */
  input: string;
  /** Bytes of the minified output that come from it (esbuild's `bytesInOutput`). */
  bytes: number;
}

export interface BuiltBundle {
  function: string;
  outfile: string;
  /** index.mjs, as deployed. */
  bytes: number;
  sourceMapBytes: number;
  /** Every input package or folder, largest first. */
  inputs: BundleInput[];
  /** Every input file that left something in the bundle (paths relative to the repository). */
  files: string[];
}

export interface BundleFigure {
  function: string;
  /** index.mjs, as deployed. */
  bytes: number;
  /** The bound `npm test` holds this bundle to (tests/infra/bundle-size.test.ts); see `bundleBoundBytes`. */
  boundBytes: number;
  sourceMapBytes: number;
  /** Median time to import the bundle in a fresh process (the module-scope work of a cold start). */
  loadMs: number;
  /** Median of the baseline bundle's loads (the DynamoDB document client alone) in the seconds around this bundle's (bench/load-ratio.ts). */
  baselineLoadMs: number;
  /**
   * Median over this bundle's loads of each ÷ the baseline's median load in the seconds around it (2 decimals): what
   * compares across runs and machines, as the absolute times do not.
   */
  loadRatio: number;
  /** Median wall time of the whole process: node's own start-up, the import, and exit. */
  processMs: number;
  /** Every load, in the order taken (ms, 1 decimal). */
  loadsMs: number[];
  /** The five largest inputs. */
  topInputs: BundleInput[];
}

const KB = 1024;
/**
 * The bench's reference bundle, in the same esbuild run as the functions: the DynamoDB document client
 * alone. Its name is no function's (checked where it is bundled).
 */
export const BASELINE_BUNDLE = { name: 'baseline-dynamodb-document-client', entry: 'bench/baseline-handler.ts' } as const;

/** What the bench reports of the baseline: its size and its median load over every one of its loads in the run. */
export interface BundleBaselineFigure {
  function: string;
  entry: string;
  bytes: number;
  sourceMapBytes: number;
  /** Median of all its loads (one before each load of each function). */
  loadMs: number;
  processMs: number;
  /** How many times it was loaded. */
  loads: number;
  /** Every load, in the order taken (ms, 1 decimal): the one before the first function's first, and so on. */
  loadsMs: number[];
  topInputs: BundleInput[];
}

/** DESIGN §6's size target: a bundle without an AWS SDK client ≤ 300 KB minified. */
export const BUNDLE_TARGET_BYTES = 300 * KB;

/**
 * The functions that do not meet the target yet, each bound to what it weighed when the bound was
 * set plus about 5%, so that growth fails `npm test` (tests/infra/bundle-size.test.ts). What keeps
 * them above it (the bench's "five largest inputs" shows it): the bundled AWS SDK (about 190 KB
 * for a DynamoDB client, its protocol and signing code and the Secrets Manager client that reads the
 * config's secrets) and zod/mini (about 40 KB); where phones are parsed, libphonenumber-js with its
 * metadata less the display formats (about 150 KB: shared/domain/phone-metadata.json; the `min` set
 * accepts a Chinese number one digit short, the `mobile` set refuses the fixed lines an import
 * keeps); where texts or emails go out, that client.
 */
const boundsOverTarget: Record<string, number> = {
  // DynamoDB, zod
  // Grew with the stores every composition root builds (streaks, call tasks, the daily text quota): 326.5 KB on 2026-12-07.
  'twilio-delivery-status': 345 * KB,
  'get-scores': 325 * KB,
  'get-funnel': 325 * KB,
  'list-responses': 330 * KB,
  'list-alerts': 330 * KB,
  'get-alert': 345 * KB,
  'get-integrity': 330 * KB,
  'get-retention': 330 * KB,
  'reveal-alert-contact': 350 * KB,
  'list-callbacks': 340 * KB,
  'get-callback': 342 * KB,
  'reveal-callback-contact': 363 * KB,
  'get-closed-loop': 330 * KB,
  'get-web-survey': 340 * KB,
  // Grew with an answer kept with its streak place in one transaction: 330.0 KB on 2026-12-07.
  'aggregate-rollups': 346 * KB,
  // DynamoDB, SQS, zod
  // Grew with the retention store's batched writes and the answer kept with its streak place: 381.0 KB on 2026-12-07.
  'act-on-alert': 400 * KB,
  'record-call-outcome': 390 * KB,
  'post-web-survey': 375 * KB,
  // Grew with the same: 391.3 KB on 2026-12-07.
  'score-response': 410 * KB,
  'sweep-timers': 360 * KB,
  // ... and End User Messaging or SES
  // Grew with reach, registered templates, the daily cap and the WeChat sender: 416.3 KB on 2026-12-07.
  'run-survey-timer': 440 * KB,
  'deliver-alert': 440 * KB,
  // ... and libphonenumber-js
  'ingest-service-event': 535 * KB,
  'import-answers': 565 * KB,
  // Grew with the consent recogniser and registered templates: 526.9 KB (aws-inbound-sms 543.0) on 2026-12-07.
  'twilio-inbound-sms': 555 * KB,
  'aws-inbound-sms': 570 * KB,
};

/** The bound a function's bundle is held to: the target, or its own ceiling while it cannot meet it. */
export const bundleBoundBytes = (fn: string) => boundsOverTarget[fn] ?? BUNDLE_TARGET_BYTES;

/** The options NodejsFunction passes to esbuild, from the CDK's BundlingOptions; anything else is refused. */
export function esbuildOptionsOf(configPath: string) {
  const {
    format,
    target,
    minify,
    sourceMap,
    sourcesContent,
    mainFields,
    externalModules,
    banner,
    inject,
    commandHooks,
    esbuildArgs,
    ...rest
  } = bundling(loadConfigFile(configPath));
  const unmapped = Object.keys(rest);
  if (unmapped.length) throw new Error(`the bench does not translate these bundling options yet: ${unmapped.join(', ')}`);
  if (!commandHooks) throw new Error('the CDK bundling ships the config file through an afterBundling hook');
  // NodejsFunction passes `--alias:from` with its value as `--alias:from=to`; nothing else is translated.
  const alias: Record<string, string> = {};
  for (const [flag, value] of Object.entries(esbuildArgs ?? {})) {
    if (!flag.startsWith('--alias:') || typeof value !== 'string')
      throw new Error(`the bench does not translate esbuild's ${flag} yet`);
    alias[flag.slice('--alias:'.length)] = value;
  }
  return {
    bundle: true,
    platform: 'node' as const,
    format: format === OutputFormat.ESM ? ('esm' as const) : ('cjs' as const),
    target,
    minify,
    sourcemap: sourceMap,
    sourcesContent,
    mainFields,
    external: externalModules,
    banner: banner === undefined ? undefined : { js: banner },
    inject,
    alias,
    logLevel: 'silent' as const,
  };
}

/** What every bundle is loaded with, the baseline too: the runtime's variables and the config file next to the bundle. */
function baseEnvironment(bundleDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The config file is shipped next to the bundle, as in the Lambda package.
    CLOSEDLOOP_CONFIG: join(bundleDir, 'config.json'),
    // Secrets from the environment: a load time is module work, not a Secrets Manager round trip.
    CLOSEDLOOP_SECRETS: 'env',
    POWERTOOLS_SERVICE_NAME: 'closedloop',
    // The shipped config's SMS provider is the simulator, which writes its outbox here.
    SMS_SIMULATOR_OUTBOX: join(bundleDir, 'sms-outbox.jsonl'),
  };
}

/** Dummy values of the variables a function's bindings set: enough to load, never called. */
function dummyEnvironment(fn: FunctionSpec, bundleDir: string): Record<string, string> {
  const env = baseEnvironment(bundleDir);
  for (const name of envNamesOf(fn.bindings)) {
    env[name] = name.endsWith('_URL')
      ? `https://sqs.us-east-1.amazonaws.com/000000000000/${name.toLowerCase()}`
      : name === 'PUBLIC_BASE_URL'
        ? 'https://api.example.com'
        : `bench-${name.toLowerCase()}`;
  }
  const missing = commonEnvironment.filter((name) => !(name in env));
  if (missing.length) throw new Error(`no dummy value for ${missing.join(', ')}`);
  return env;
}

/**
 * Imports the bundle once and says how long it took, and how many functions were compiled from
 * strings meanwhile (`new Function`, counted through a stand-in for the global): none, since zod
 * runs without its compiled checkers in a bundle (the banner of `bundling()`).
 */
const loader = (bundle: string) =>
  `let codeFromStrings = 0;
globalThis.Function = new Proxy(Function, {
  construct: (target, args) => (codeFromStrings++, Reflect.construct(target, args)),
  apply: (target, self, args) => (codeFromStrings++, Reflect.apply(target, self, args)),
});
const started = performance.now();
const module = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const loadMs = performance.now() - started;
if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler');
process.stdout.write(JSON.stringify({ loadMs, codeFromStrings }));
process.exit(0);`;

/**
 * `node_modules/@aws-sdk/core/dist-es/x.js` → `@aws-sdk/core`; `shared/domain/x.ts` → `closedloop:shared/domain`;
 * a JSON file of ours stays itself (`closedloop:shared/domain/phone-metadata.json`), data rather than code.
 */
export function packageOf(inputPath: string): string {
  const parts = inputPath.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at >= 0) {
    const name = parts[at + 1] ?? inputPath;
    return name.startsWith('@') ? `${name}/${parts[at + 2]}` : name;
  }
  if (inputPath.endsWith('.json')) return `closedloop:${inputPath}`;
  return `closedloop:${parts.slice(0, Math.max(1, parts.length - 1)).join('/')}`;
}

/** One esbuild entry: a name (the output folder) and its source, relative to the repository. */
interface BundleEntry {
  name: string;
  entry: string;
}

/**
 * Bundles every entry in one esbuild run (each on its own, no shared chunks, as NodejsFunction
 * builds them one by one) and reads each bundle's inputs from the metafile.
 */
async function bundleEntries(options: {
  repoRoot: string;
  configPath: string;
  entries: BundleEntry[];
  outDir: string;
}): Promise<BuiltBundle[]> {
  const esbuildOptions = esbuildOptionsOf(options.configPath);
  const extension = esbuildOptions.format === 'esm' ? '.mjs' : '.js';
  const { metafile } = await build({
    ...esbuildOptions,
    entryPoints: options.entries.map((e) => ({ in: join(options.repoRoot, e.entry), out: `${e.name}/index` })),
    outdir: options.outDir,
    outExtension: { '.js': extension },
    absWorkingDir: options.repoRoot,
    metafile: true,
  });
  return options.entries.map((e) => {
    const outfile = join(options.outDir, e.name, `index${extension}`);
    const output = metafile.outputs[relative(options.repoRoot, outfile)];
    if (!output) throw new Error(`esbuild wrote no ${outfile}`);
    const byPackage = new Map<string, number>();
    const files: string[] = [];
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput > 0) files.push(path);
      const name = packageOf(path);
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
    return {
      function: e.name,
      outfile,
      bytes: statSync(outfile).size,
      sourceMapBytes: statSync(`${outfile}.map`).size,
      inputs: [...byPackage]
        .map(([input, bytes]) => ({ input, bytes }))
        .filter((i) => i.bytes > 0)
        .sort((a, b) => b.bytes - a.bytes),
      files,
    };
  });
}

/** Bundles every function in one esbuild run, as the stack bundles each. */
export const bundleFunctions = (options: { repoRoot: string; configPath: string; functions: FunctionSpec[]; outDir: string }) =>
  bundleEntries({ ...options, entries: options.functions.map((fn) => ({ name: fn.name, entry: fn.entry })) });

/** Imports a bundle once in a fresh `node` process, in its own folder with `env` alone. */
function loadOnce(what: string, outfile: string, env: Record<string, string>) {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', loader(outfile)], {
    cwd: dirname(outfile),
    env,
    encoding: 'utf8',
  });
  const processMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`${what}'s bundle failed to load:\n${child.stderr}`);
  const loaded = JSON.parse(child.stdout);
  return { loadMs: Number(loaded.loadMs), processMs, codeFromStrings: Number(loaded.codeFromStrings) };
}

/** Median import time of one bundle in fresh `node` processes, with the config shipped next to it. */
export function timeLoads(fn: FunctionSpec, outfile: string, configPath: string, runs: number) {
  copyFileSync(configPath, join(dirname(outfile), 'config.json'));
  const env = dummyEnvironment(fn, dirname(outfile));
  const loads = Array.from({ length: runs }, () => loadOnce(fn.name, outfile, env));
  return {
    loadMs: round(median(loads.map((l) => l.loadMs)), 1),
    processMs: round(median(loads.map((l) => l.processMs)), 1),
    codeFromStrings: Math.max(...loads.map((l) => l.codeFromStrings)),
  };
}

export interface BundleMeasurement {
  bundles: BundleFigure[];
  baseline: BundleBaselineFigure;
}

/**
 * Every function's bundle and the baseline's, from one esbuild run; then `runs` rounds of loads,
 * each function's just after one of the baseline's (bench/load-ratio.ts `interleavedLoads`), and
 * each function's loads as multiples of the baseline's around them (`loadRatiosOf`).
 */
export async function measureBundles(options: {
  repoRoot: string;
  configPath: string;
  functions: FunctionSpec[];
  outDir: string;
  runs: number;
}): Promise<BundleMeasurement> {
  if (options.functions.some((fn) => fn.name === BASELINE_BUNDLE.name))
    throw new Error(`a function is named ${BASELINE_BUNDLE.name}, the bench's baseline bundle`);
  const built = await bundleEntries({
    ...options,
    entries: [...options.functions.map((fn) => ({ name: fn.name, entry: fn.entry })), BASELINE_BUNDLE],
  });
  const baseline = built.at(-1) as BuiltBundle;
  const bundles = built.slice(0, -1);
  for (const b of built) copyFileSync(options.configPath, join(dirname(b.outfile), 'config.json'));
  const baselineEnv = baseEnvironment(dirname(baseline.outfile));
  const envs = options.functions.map((fn, i) => dummyEnvironment(fn, dirname((bundles[i] as BuiltBundle).outfile)));

  const taken: TakenLoad[] = [];
  const processMs: number[][] = bundles.map(() => []);
  const baselineProcessMs: number[] = [];
  for (const step of interleavedLoads(bundles.length, options.runs)) {
    if (step.baseline) {
      const load = loadOnce(baseline.function, baseline.outfile, baselineEnv);
      taken.push({ ...step, ms: load.loadMs });
      baselineProcessMs.push(load.processMs);
    } else {
      const b = bundles[step.bundle] as BuiltBundle;
      const load = loadOnce(b.function, b.outfile, envs[step.bundle] as Record<string, string>);
      taken.push({ ...step, ms: load.loadMs });
      processMs[step.bundle]?.push(load.processMs);
    }
  }
  const ratios = loadRatiosOf(taken, bundles.length);
  const asTaken = (ms: number[]) => ms.map((m) => round(m, 1));

  return {
    bundles: bundles.map((b, i) => ({
      function: b.function,
      bytes: b.bytes,
      boundBytes: bundleBoundBytes(b.function),
      sourceMapBytes: b.sourceMapBytes,
      ...(ratios.bundles[i] as LoadRatio),
      processMs: round(median(processMs[i] as number[]), 1),
      loadsMs: asTaken(ratios.loads[i] as number[]),
      topInputs: b.inputs.slice(0, 5),
    })),
    baseline: {
      function: baseline.function,
      entry: BASELINE_BUNDLE.entry,
      bytes: baseline.bytes,
      sourceMapBytes: baseline.sourceMapBytes,
      loadMs: ratios.baselineLoadMs,
      processMs: round(median(baselineProcessMs), 1),
      loads: ratios.baselineLoads.length,
      loadsMs: asTaken(ratios.baselineLoads),
      topInputs: baseline.inputs.slice(0, 5),
    },
  };
}
