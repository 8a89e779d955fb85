import { fileURLToPath } from 'node:url';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { Config } from '#shared/config/schema.ts';
import { ConfigSecret } from './constructs/config-secret.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Pages } from './constructs/pages.ts';
import { PeopleSignIn } from './constructs/people-sign-in.ts';
import { PublicApi } from './constructs/public-api.ts';
import { QueueWithDeadLetter } from './constructs/queue-with-dead-letter.ts';
import { TopicToQueue } from './constructs/topic-to-queue.ts';
import { TopologyFunction, type TopologyResources } from './constructs/topology-function.ts';
import { TopologyTable } from './constructs/topology-table.ts';
import { buildTopology } from './topology.ts';
import { buildSite } from '#web/build.ts';

export interface ClosedLoopStackProps extends StackProps {
  /** The config; every function bundle carries a copy with its secrets as `secret:NAME` references. */
  config: Config;
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** ClosedLoop on AWS, built only from `buildTopology(config)`. */
export class ClosedLoopStack extends Stack {
  constructor(scope: Construct, id: string, { config, ...props }: ClosedLoopStackProps) {
    super(scope, id, props);
    const topology = buildTopology(config);

    // One customer-managed key for everything users sent: tables, queues, topics, the config secret.
    const dataKey = new Key(this, 'DataKey', {
      description: 'ClosedLoop: tables, queues, topics and the config secret',
      enableKeyRotation: true,
    });
    const secrets = new ConfigSecret(this, 'ConfigSecret', config, dataKey);
    const monitoring = new Monitoring(this, 'Monitoring', dataKey);

    // Stateful resources first: tables and queues hold what users sent.
    const tables = new Map(
      topology.tables.map((spec) => [spec.name, new TopologyTable(this, `Table-${spec.name}`, spec, dataKey)]),
    );
    const queues = new Map(
      topology.queues.map((spec) => {
        const queue = new QueueWithDeadLetter(this, `Queue-${spec.name}`, spec, dataKey);
        monitoring.watchQueue(spec, queue);
        return [spec.name, queue];
      }),
    );
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

    const api = new PublicApi(this, 'Api');
    monitoring.watchApi(api);
    // One public origin: the static pages from their bucket, the API's paths from the API.
    const pages = new Pages(this, 'Pages', { api, signInOrigins: PeopleSignIn.originsFor(this, config) });
    // What people and links see: the distribution, unless the config names a custom domain in front of it.
    const publicUrl = config.publicBaseUrl ?? pages.url;
    const signIn = new PeopleSignIn(this, 'SignIn', { config, pagesUrl: publicUrl });
    pages.deploy(buildSite(config), signIn.client);
    const resources: TopologyResources = {
      api,
      publicUrl,
      signIn,
      table: (name) => found(tables.get(name), 'table', name),
      queue: (name) => found(queues.get(name), 'queue', name),
    };

    for (const spec of topology.functions) {
      const fn = new TopologyFunction(this, `Function-${spec.name}`, {
        spec,
        repoRoot,
        config: secrets.shippedConfig,
        secrets,
      });
      for (const binding of spec.bindings) fn.bind(binding, resources);
      for (const trigger of spec.triggers) fn.connect(trigger, resources);
      monitoring.watchFunction(spec, fn.function);
    }

    new CfnOutput(this, 'PublicUrl', {
      value: pages.url,
      description:
        'The CloudFront distribution: the dashboard (/), the inbox (/inbox) and the API (/v1/..., /s/...) on one origin',
    });
    new CfnOutput(this, 'PagesBucketName', {
      value: pages.bucket.bucketName,
      description: "The pages' files (deployed by the stack)",
    });
    new CfnOutput(this, 'ApiUrl', {
      value: api.apiEndpoint,
      description: "The HTTP API's own URL, behind the distribution (callers use PublicUrl)",
    });
    for (const [name, table] of tables) {
      new CfnOutput(this, `${pascalCase(name)}TableName`, { value: table.tableName });
    }
    new CfnOutput(this, 'ConfigSecretArn', {
      value: secrets.secret.secretArn,
      description: 'Secrets Manager secret with the config secrets (a JSON object); put every name of ConfigSecretNames in it',
    });
    new CfnOutput(this, 'ConfigSecretNames', {
      value: secrets.names.join(','),
      description: 'The names the config secret must hold',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: monitoring.alarmTopic.topicArn,
      description: 'SNS topic every alarm notifies: subscribe the on-call address to it',
    });
    new CfnOutput(this, 'DashboardName', { value: monitoring.dashboard.dashboardName, description: 'CloudWatch dashboard' });
  }
}

function found<T>(resource: T | undefined, kind: string, name: string): T {
  if (!resource) throw new Error(`infra/topology.ts refers to ${kind} "${name}", which it does not define`);
  return resource;
}

const pascalCase = (name: string) =>
  name.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
