/**
 * Every Lambda bundle within its bound (bench/bundles.ts `bundleBoundBytes`): all functions of
 * both SMS topologies bundled once, by esbuild with the stack's own options, as `npm run bench`
 * measures them, without the inputs that were taken out, and each loaded once with only its
 * bindings' environment, compiling no code from strings. No timing: the cold module load is timed
 * by the bench, not here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltBundle, bundleBoundBytes, bundleFunctions, timeLoads } from '../../bench/bundles.ts';
import { buildTopology } from '#infra/topology.ts';
import { loadConfigFile, parseConfig } from '#shared/config/load.ts';
import { localConfigPath, repoRoot } from './synthesize.ts';

const config = loadConfigFile(localConfigPath);
const awsSmsConfig = parseConfig({
  ...config,
  sms: { ...config.sms, provider: 'aws', originationIdentity: 'pool-0123456789abcdef' },
});
// The simulator's topology and the End User Messaging one: the union of every function either deploys.
const functions = [...buildTopology(config).functions, ...buildTopology(awsSmsConfig).functions].filter(
  (fn, i, all) => all.findIndex((other) => other.name === fn.name) === i,
);

const outDir = mkdtempSync(join(tmpdir(), 'closedloop-bundle-size-'));
let bundles: BuiltBundle[] = [];
beforeAll(async () => {
  bundles = await bundleFunctions({ repoRoot, configPath: localConfigPath, functions, outDir });
}, 60_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

describe('Lambda bundle sizes', () => {
  it('bundles every function of both SMS topologies', () => {
    expect(bundles.map((b) => b.function)).toEqual(functions.map((fn) => fn.name));
    expect(functions.map((fn) => fn.name)).toContain('aws-inbound-sms');
  });

  it.each(functions.map((fn) => fn.name))('keeps %s within its bound', (name) => {
    const bundle = bundles.find((b) => b.function === name);
    if (!bundle) throw new Error(`no bundle for ${name}`);
    const largest = bundle.inputs
      .slice(0, 5)
      .map((i) => `${i.input} ${kb(i.bytes)}`)
      .join(', ');
    expect(
      bundle.bytes,
      `${name}: ${kb(bundle.bytes)}, bound ${kb(bundleBoundBytes(name))}; largest inputs: ${largest}`,
    ).toBeLessThanOrEqual(bundleBoundBytes(name));
  });

  it("carries no X-Ray SDK, no zod locale but English (locales/index.js is a 17-byte stub), not zod's classic API, not the SDK credential chain, and no event-stream code", () => {
    for (const bundle of bundles) {
      const inputs = bundle.inputs.map((i) => i.input);
      expect(inputs, bundle.function).not.toContain('aws-xray-sdk-core');
      expect(inputs, bundle.function).not.toContain('@aws-sdk/nested-clients');
      expect(inputs, bundle.function).not.toContain('@aws-sdk/credential-provider-ini');
      expect(
        bundle.files.filter((file) => file.includes('/event-streams/')),
        bundle.function,
      ).toEqual([]);
      // zod/mini (shared/zod.ts): the classic API's methods would bring every schema type and the JSON Schema converter.
      // get-openapi alone has them, through zod-openapi's own import of zod/v4 (and is within the target).
      if (!inputs.includes('zod-openapi')) {
        expect(
          bundle.files.filter((file) => file.includes('/zod/v4/classic/')),
          bundle.function,
        ).toEqual([]);
      }
      const locales = bundle.files
        .filter((file) => file.includes('/zod/v4/locales/') && !file.endsWith('/locales/index.js'))
        .map((file) => file.split('/').pop());
      expect(locales, bundle.function).toEqual(bundle.inputs.some((i) => i.input === 'zod') ? ['en.js'] : []);
    }
  });

  // A function reading a table or queue its topology does not bind fails at cold start in AWS; locally
  // every variable is set, so only a bundle loaded with its own bindings' environment shows it.
  // zod's compiled checkers are off before the first schema is built: nothing is compiled from strings.
  it.each(functions.map((fn) => fn.name))(
    'loads %s with only the environment its bindings give it, compiling no code from strings',
    (name) => {
      const fn = functions.find((f) => f.name === name);
      const bundle = bundles.find((b) => b.function === name);
      if (!fn || !bundle) throw new Error(`no bundle for ${name}`);
      expect(timeLoads(fn, bundle.outfile, localConfigPath, 1).codeFromStrings).toBe(0);
    },
  );
});
