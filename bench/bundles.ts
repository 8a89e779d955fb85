/**
 * Each Lambda bundle's size and cold module-load time. Every function of the topology is
 * bundled with esbuild using the options the CDK stack gives NodejsFunction (infra/constructs/
 * topology-function.ts `bundling()`, translated the way NodejsFunction turns them into esbuild
 * flags); then a fresh `node` process, outside the repository (so nothing but the bundle can be
 * imported), imports the bundle with its bindings' variables set to dummy values, a few times.
 */
import { loadConfigFile } from '#shared/config/load.ts';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { bundling } from '#infra/constructs/topology-function.ts';
import { commonEnvironment, envNamesOf, type FunctionSpec } from '#infra/topology.ts';
import { median, round } from './stats.ts';

export interface BundleFigure {
  function: string;
  /** index.mjs, as deployed. */
  bytes: number;
  sourceMapBytes: number;
  /** Median time to import the bundle in a fresh process (the module-scope work of a cold start). */
  loadMs: number;
  /** Median wall time of the whole process: node's own start-up, the import, and exit. */
  processMs: number;
}

/** The options NodejsFunction passes to esbuild, from the CDK's BundlingOptions; anything else is refused. */
function esbuildOptionsOf(configPath: string) {
  const { format, target, minify, sourceMap, sourcesContent, mainFields, externalModules, banner, commandHooks, ...rest } =
    bundling(loadConfigFile(configPath));
  const unmapped = Object.keys(rest);
  if (unmapped.length) throw new Error(`the bench does not translate these bundling options yet: ${unmapped.join(', ')}`);
  if (!commandHooks) throw new Error('the CDK bundling ships the config file through an afterBundling hook');
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
    NODE_OPTIONS: '--enable-source-maps',
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

const loader = (bundle: string) =>
  `const started = performance.now();
const module = await import(${JSON.stringify(pathToFileURL(bundle).href)});
if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler');
process.stdout.write(JSON.stringify({ loadMs: performance.now() - started }));
process.exit(0);`;

export async function measureBundles(options: {
  repoRoot: string;
  configPath: string;
  functions: FunctionSpec[];
  outDir: string;
  runs: number;
}): Promise<BundleFigure[]> {
  const esbuildOptions = esbuildOptionsOf(options.configPath);
  const figures: BundleFigure[] = [];
  for (const fn of options.functions) {
    const dir = join(options.outDir, fn.name);
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, esbuildOptions.format === 'esm' ? 'index.mjs' : 'index.js');
    await build({ ...esbuildOptions, entryPoints: [join(options.repoRoot, fn.entry)], outfile, absWorkingDir: options.repoRoot });
    copyFileSync(options.configPath, join(dir, 'config.json'));

    const env = dummyEnvironment(fn, dir);
    const loads: number[] = [];
    const processes: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const started = performance.now();
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', loader(outfile)], {
        cwd: dir,
        env,
        encoding: 'utf8',
      });
      processes.push(performance.now() - started);
      if (child.status !== 0) throw new Error(`${fn.name}'s bundle failed to load:\n${child.stderr}`);
      loads.push(Number(JSON.parse(child.stdout).loadMs));
    }
    figures.push({
      function: fn.name,
      bytes: statSync(outfile).size,
      sourceMapBytes: statSync(`${outfile}.map`).size,
      loadMs: round(median(loads), 1),
      processMs: round(median(processes), 1),
    });
  }
  return figures;
}
