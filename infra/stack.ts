import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/schema.ts';
import { QueueWithDeadLetter } from './constructs/queue-with-dead-letter.ts';
import { TopicToQueue } from './constructs/topic-to-queue.ts';
import { TopologyFunction, type TopologyResources } from './constructs/topology-function.ts';
import { TopologyTable } from './constructs/topology-table.ts';
import { buildTopology } from './topology.ts';
import { buildDashboardAssets } from '#web/build.ts';

export interface ClosedLoopStackProps extends StackProps {
  config: Config;
  /** The JSON config file `config` was read from; every function bundle carries a copy. */
  configPath: string;
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** ClosedLoop on AWS, built only from `buildTopology(config)`. */
export class ClosedLoopStack extends Stack {
  constructor(scope: Construct, id: string, { config, configPath, ...props }: ClosedLoopStackProps) {
    super(scope, id, props);
    const topology = buildTopology(config);

    // Stateful resources first: tables and queues hold what users sent.
    const tables = new Map(topology.tables.map((spec) => [spec.name, new TopologyTable(this, `Table-${spec.name}`, spec)]));
    const queues = new Map(topology.queues.map((spec) => [spec.name, new QueueWithDeadLetter(this, `Queue-${spec.name}`, spec)]));
    for (const spec of topology.topics) {
      const { topic } = new TopicToQueue(
        this,
        `Topic-${spec.name}`,
        spec,
        found(queues.get(spec.queue), 'queue', spec.queue).queue,
      );
      new CfnOutput(this, `${pascalCase(spec.name)}TopicArn`, {
        value: topic.topicArn,
        description: `SNS topic for ${spec.publisherService} to publish to (End User Messaging: the two-way SMS destination)`,
      });
    }

    const api = new HttpApi(this, 'Api', { description: 'ClosedLoop: webhooks, web survey, scores and alerts' });
    const resources: TopologyResources = {
      api,
      table: (name) => found(tables.get(name), 'table', name),
      queue: (name) => found(queues.get(name), 'queue', name).queue,
    };

    // The dashboard's handlers bundle the compiled client: build it before esbuild bundles them (see web/build.ts).
    buildDashboardAssets();
    for (const spec of topology.functions) {
      const fn = new TopologyFunction(this, `Function-${spec.name}`, {
        spec,
        repoRoot,
        configPath: resolve(configPath),
      });
      for (const binding of spec.bindings) fn.bind(binding, resources);
      for (const trigger of spec.triggers) fn.connect(trigger, resources);
    }

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint, description: 'Base URL of the HTTP API' });
    for (const [name, table] of tables) {
      new CfnOutput(this, `${pascalCase(name)}TableName`, { value: table.tableName });
    }
  }
}

function found<T>(resource: T | undefined, kind: string, name: string): T {
  if (!resource) throw new Error(`infra/topology.ts refers to ${kind} "${name}", which it does not define`);
  return resource;
}

const pascalCase = (name: string) =>
  name.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
