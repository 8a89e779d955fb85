import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '#shared/config/load.ts';
import { literalSecretsOf, referToSecrets } from '#shared/config/secrets.ts';
import { buildTopology } from '#infra/topology.ts';
import { namedResources } from '#infra/wiring.ts';
import { localConfigPath, repoRoot, synthesizeStack } from './synthesize.ts';

const config = loadConfigFile(localConfigPath);
const topology = buildTopology(config);
const missingEntries = topology.functions.map((fn) => fn.entry).filter((entry) => !existsSync(join(repoRoot, entry)));
const outdir = mkdtempSync(join(tmpdir(), 'closedloop-cdk-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  it.skipIf(missingEntries.length > 0)(
    `are self-contained ESM with the config inside, its secrets referred to, none in the clear${missingEntries.length ? ` (skipped: handlers not written yet: ${missingEntries.join(', ')})` : ''}`,
    () => {
      const { app } = synthesizeStack(config, { bundle: true, outdir });
      const assembly = app.synth();
      const template = assembly.getStackByName('ClosedLoop').template;
      const functions = namedResources(template).functions;

      expect([...functions.keys()].sort()).toEqual(topology.functions.map((fn) => fn.name).sort());
      for (const [name, logicalId] of functions) {
        const bundle = join(assembly.directory, template.Resources[logicalId].Metadata['aws:asset:path']);
        expect(readdirSync(bundle).sort(), name).toEqual(['config.json', 'index.mjs', 'index.mjs.map']);
        // The config as the stack ships it: every secret a `secret:NAME` reference, read from Secrets Manager at cold start.
        expect(JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')), name).toEqual(referToSecrets(config).config);
        const shipped = readdirSync(bundle).map((file) => readFileSync(join(bundle, file), 'utf8'));
        for (const secret of literalSecretsOf(config)) {
          expect(
            shipped.some((text) => text.includes(secret)),
            `${name} carries ${secret}`,
          ).toBe(false);
        }
        expect(
          staticImportsOf(join(bundle, 'index.mjs')).filter((path) => !isBuiltin(path)),
          name,
        ).toEqual([]);
      }
    },
    120_000,
  );
});

/** What a bundle imports statically: the runtime must resolve these at cold start, with no node_modules. */
function staticImportsOf(file: string): string[] {
  const { metafile } = buildSync({
    entryPoints: [file],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return Object.values(metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path),
  );
}
