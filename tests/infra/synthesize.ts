import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import type { Config } from '#shared/config/schema.ts';
import { ClosedLoopStack } from '#infra/stack.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const localConfigPath = fileURLToPath(new URL('../../config/local.json', import.meta.url));

// The feature flags of cdk.json, so the tests see the template `cdk synth` produces.
const cdkContext: Record<string, unknown> = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

export function synthesizeStack(config: Config, options: { bundle?: boolean; outdir?: string } = {}) {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: {
      ...cdkContext,
      // An empty list skips esbuild: assertions on the template need no bundles.
      ...(options.bundle ? { 'aws:cdk:enable-asset-metadata': true } : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const stack = new ClosedLoopStack(app, 'ClosedLoop', { config });
  return { app, stack };
}
