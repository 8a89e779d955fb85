process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/**
 * `npm run bench:bundles`: only the bench's bundle measurement (sizes, five largest inputs, cold
 * module loads next to the DynamoDB-client-only baseline's, interleaved), printed as the report's
 * table; no stack, nothing written to bench/results.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildTopology } from '#infra/topology.ts';
import { loadConfigFile } from '#shared/config/load.ts';
import { measureBundles } from './bundles.ts';
import { bundleLoadNote, bundleTable } from './report.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    only: { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    `npm run bench:bundles -- [--runs N (cold loads per bundle, each after one of the baseline's; default 5)] [--only name,name] [--json FILE (also write the figures, every load included, there)]`,
  );
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs <= 0) throw new Error(`--runs must be a positive whole number, got ${values.runs}`);

const configPath = join(repoRoot, 'config/local.json');
const only = values.only?.split(',');
const functions = buildTopology(loadConfigFile(configPath)).functions.filter((fn) => !only || only.includes(fn.name));
const outDir = mkdtempSync(join(tmpdir(), 'closedloop-bundles-'));
try {
  const started = new Date();
  const { bundles, baseline } = await measureBundles({ repoRoot, configPath, functions, outDir, runs });
  if (values.json) {
    const figures = { startedAt: started.toISOString(), runs, bundleBaseline: baseline, bundles };
    writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
  }
  console.log(`${bundleTable(bundles, baseline)}\n\n${bundleLoadNote(baseline, runs)}`);
  console.log(
    `\nStarted ${started.toISOString()}, ${Math.round((Date.now() - started.getTime()) / 1000)} s, load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' / ')} at the end.`,
  );
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
