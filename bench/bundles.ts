/**
 * Each Lambda bundle's size and cold module-load time. Every function of the topology is
 * bundled with esbuild using the options the CDK stack gives NodejsFunction (infra/constructs/
 * topology-function.ts `bundling()`, translated the way NodejsFunction turns them into esbuild
 * flags); then a fresh `node` process, outside the repository (so nothing but the bundle can be
 * imported), imports the bundle with its bindings' variables set to dummy values, a few times.
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
  /** Median wall time of the whole process: node's own start-up, the import, and exit. */
  processMs: number;
  /** The five largest inputs. */
  topInputs: BundleInput[];
}

const KB = 1024;
/** DESIGN §6's target: every Lambda bundle ≤ 300 KB minified and ≤ 80 ms module load (the load only the bench times). */
export const BUNDLE_TARGET_BYTES = 300 * KB;
export const LOAD_BOUND_MS = 80;

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
  'twilio-delivery-status': 320 * KB,
  'get-scores': 325 * KB,
  'get-funnel': 325 * KB,
  'list-responses': 330 * KB,
  'list-alerts': 330 * KB,
  'get-alert': 345 * KB,
  'get-integrity': 330 * KB,
  'get-retention': 330 * KB,
  'reveal-alert-contact': 350 * KB,
  'get-closed-loop': 330 * KB,
  'get-web-survey': 340 * KB,
  'aggregate-rollups': 330 * KB,
  // DynamoDB, SQS, zod
  'act-on-alert': 380 * KB,
  'post-web-survey': 375 * KB,
  'score-response': 390 * KB,
  'sweep-timers': 340 * KB,
  // ... and End User Messaging or SES
  'run-survey-timer': 405 * KB,
  'deliver-alert': 440 * KB,
  // ... and libphonenumber-js
  'ingest-service-event': 535 * KB,
  'import-answers': 565 * KB,
  'twilio-inbound-sms': 520 * KB,
  'aws-inbound-sms': 535 * KB,
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

/** Dummy values of the variables a function's bindings set: enough to load, never called. */
function dummyEnvironment(fn: FunctionSpec, bundleDir: string): Record<string, string> {
  const env: Record<string, string> = {
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

/**
 * Bundles every function in one esbuild run (each entry on its own, no shared chunks, as
 * NodejsFunction builds them one by one) and reads each bundle's inputs from the metafile.
 */
export async function bundleFunctions(options: {
  repoRoot: string;
  configPath: string;
  functions: FunctionSpec[];
  outDir: string;
}): Promise<BuiltBundle[]> {
  const esbuildOptions = esbuildOptionsOf(options.configPath);
  const extension = esbuildOptions.format === 'esm' ? '.mjs' : '.js';
  const { metafile } = await build({
    ...esbuildOptions,
    entryPoints: options.functions.map((fn) => ({ in: join(options.repoRoot, fn.entry), out: `${fn.name}/index` })),
    outdir: options.outDir,
    outExtension: { '.js': extension },
    absWorkingDir: options.repoRoot,
    metafile: true,
  });
  return options.functions.map((fn) => {
    const outfile = join(options.outDir, fn.name, `index${extension}`);
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
      function: fn.name,
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

/** Median import time of one bundle in fresh `node` processes, with the config shipped next to it. */
export function timeLoads(fn: FunctionSpec, outfile: string, configPath: string, runs: number) {
  const dir = dirname(outfile);
  copyFileSync(configPath, join(dir, 'config.json'));
  const env = dummyEnvironment(fn, dir);
  const loads: number[] = [];
  const processes: number[] = [];
  let codeFromStrings = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', loader(outfile)], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    processes.push(performance.now() - started);
    if (child.status !== 0) throw new Error(`${fn.name}'s bundle failed to load:\n${child.stderr}`);
    const loaded = JSON.parse(child.stdout);
    loads.push(Number(loaded.loadMs));
    codeFromStrings = Math.max(codeFromStrings, Number(loaded.codeFromStrings));
  }
  return { loadMs: round(median(loads), 1), processMs: round(median(processes), 1), codeFromStrings };
}

export async function measureBundles(options: {
  repoRoot: string;
  configPath: string;
  functions: FunctionSpec[];
  outDir: string;
  runs: number;
}): Promise<BundleFigure[]> {
  const built = await bundleFunctions(options);
  return built.map((b, i) => {
    const fn = options.functions[i] as FunctionSpec;
    const { loadMs, processMs } = timeLoads(fn, b.outfile, options.configPath, options.runs);
    return {
      function: b.function,
      bytes: b.bytes,
      boundBytes: bundleBoundBytes(b.function),
      sourceMapBytes: b.sourceMapBytes,
      loadMs,
      processMs,
      topInputs: b.inputs.slice(0, 5),
    };
  });
}
