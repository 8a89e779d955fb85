process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/**
 * `npm run bench:bundles`: only the bench's bundle measurement (sizes, five largest inputs, cold
 * module loads), printed as the report's table; no stack, nothing written to bench/results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildTopology } from '#infra/topology.ts';
import { loadConfigFile } from '#shared/config/load.ts';
import { measureBundles } from './bundles.ts';
import { bundleTable } from './report.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, only: { type: 'string' }, help: { type: 'boolean', default: false } },
});
if (values.help) {
  console.log(`npm run bench:bundles -- [--runs N (cold loads per bundle, default 5)] [--only name,name]`);
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs <= 0) throw new Error(`--runs must be a positive whole number, got ${values.runs}`);

const configPath = join(repoRoot, 'config/local.json');
const only = values.only?.split(',');
const functions = buildTopology(loadConfigFile(configPath)).functions.filter((fn) => !only || only.includes(fn.name));
const outDir = mkdtempSync(join(tmpdir(), 'closedloop-bundles-'));
try {
  console.log(bundleTable(await measureBundles({ repoRoot, configPath, functions, outDir, runs })));
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
