import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ClosedLoopStack } from '#infra/stack.ts';
import { describeStackWiring } from '#infra/wiring.ts';
import { parseConfig } from '#shared/config/load.ts';
import { api, stack } from './helpers.ts';

describe('one topology, two runtimes', () => {
  it('runs locally exactly the routes, queues, DLQs, triggers and env vars the CDK stack deploys', async () => {
    const config = parseConfig(JSON.parse(readFileSync(stack.configPath, 'utf8')));
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const synthesized = new ClosedLoopStack(app, 'ClosedLoop', { config });

    const local = (await api('/dev/wiring')).body;

    expect(local).toEqual(describeStackWiring(Template.fromStack(synthesized).toJSON()));
  });
});
