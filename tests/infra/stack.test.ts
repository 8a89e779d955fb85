import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '#shared/config/load.ts';
import { buildTopology, commonEnvironment, envNameForBinding, httpRoutes } from '#infra/topology.ts';
import { describeStackWiring, describeTopologyWiring, NAME_TAG, namedResources } from '#infra/wiring.ts';
import { accessOf, expectedAccess, grantReader } from './grants.ts';
import { localConfigPath, synthesizeStack } from './synthesize.ts';

const config = loadConfigFile(localConfigPath);
const topology = buildTopology(config);
const BASE_ENVIRONMENT = [...commonEnvironment];

let template: Template;
let ids: ReturnType<typeof namedResources>;
let grantsOf: ReturnType<typeof grantReader>['grantsOf'];
beforeAll(() => {
  template = Template.fromStack(synthesizeStack(config).stack);
  ids = namedResources(template.toJSON());
  grantsOf = grantReader(template.toJSON()).grantsOf;
});

const idOf = (kind: keyof typeof ids, name: string) => {
  const id = ids[kind].get(name);
  if (!id) throw new Error(`no ${kind} named ${name} in the template`);
  return id;
};
const propertiesOf = (logicalId: string) => template.toJSON().Resources[logicalId].Properties;

describe('ClosedLoopStack', () => {
  describe('wiring', () => {
    const twoDepartments = parseConfig({
      ...config,
      departments: config.departments.filter((d) => ['workshop', 'customer-care'].includes(d.id)),
      routing: [],
      surveyPlans: config.surveyPlans.map(({ departmentId: _, ...plan }) => plan),
      auth: { ...config.auth, people: config.auth.people.filter((p) => p.role !== 'department'), clients: [] },
    });

    it.each([
      ['config/local.json', config],
      ['a config with two departments', twoDepartments],
    ])('has exactly the tables, queues, routes, event sources, schedules and env vars of the topology for %s', (_, cfg) => {
      const synthesized = Template.fromStack(synthesizeStack(cfg).stack).toJSON();

      expect(describeStackWiring(synthesized)).toEqual(describeTopologyWiring(buildTopology(cfg), BASE_ENVIRONMENT));
    });

    it('points every binding env var at the bound table, queue or public URL, CLOSEDLOOP_CONFIG at the bundled config and CLOSEDLOOP_SECRETS at the config secret', () => {
      const distributionId = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0];
      const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
      for (const fn of topology.functions) {
        const expected = Object.fromEntries(
          fn.bindings.flatMap((b) => {
            const name = envNameForBinding(b);
            if (b.kind === 'email' || b.kind === 'sms' || name === undefined) return [];
            return [
              [
                name,
                b.kind === 'api'
                  ? { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] }
                  : { Ref: b.kind === 'table' ? idOf('tables', b.table) : idOf('queues', b.queue) },
              ],
            ];
          }),
        );
        const variables = propertiesOf(idOf('functions', fn.name)).Environment.Variables;
        expect(variables).toEqual({
          CLOSEDLOOP_CONFIG: '/var/task/config.json',
          CLOSEDLOOP_SECRETS: { 'Fn::Join': ['', ['secretsmanager:', { Ref: secretId }]] },
          POWERTOOLS_SERVICE_NAME: 'closedloop',
          ...expected,
        });
      }
    });
  });

  describe('queues', () => {
    const deadLetterArn = (queue: string) => propertiesOf(idOf('queues', queue)).RedrivePolicy.deadLetterTargetArn;

    it('gives every queue its own dead-letter queue, used after 5 receives', () => {
      const deadLetterQueues = topology.queues.map((q) => deadLetterArn(q.name));

      for (const q of topology.queues) {
        expect(deadLetterArn(q.name)).toEqual({ 'Fn::GetAtt': [idOf('queues', `${q.name}-dlq`), 'Arn'] });
        expect(propertiesOf(idOf('queues', q.name)).RedrivePolicy.maxReceiveCount).toBe(5);
      }
      expect(new Set(deadLetterQueues.map((arn) => JSON.stringify(arn))).size).toBe(topology.queues.length);
    });

    it('keeps dead letters for 14 days and work for 4 days', () => {
      for (const q of topology.queues) {
        expect(propertiesOf(idOf('queues', q.name)).MessageRetentionPeriod).toBe(4 * 24 * 3600);
        expect(propertiesOf(idOf('queues', `${q.name}-dlq`)).MessageRetentionPeriod).toBe(14 * 24 * 3600);
      }
    });

    it('hides a received message for at least six times its consumer timeout', () => {
      const mappings = queueMappings();
      expect(mappings).toHaveLength(topology.functions.flatMap((f) => f.triggers.filter((t) => t.kind === 'queue')).length);

      for (const { Properties } of mappings) {
        const queue = propertiesOf(Properties.EventSourceArn['Fn::GetAtt'][0]);
        const fn = propertiesOf(Properties.FunctionName.Ref);
        expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Timeout);
      }
    });

    it('alarms on the first message in every dead-letter queue', () => {
      for (const q of topology.queues) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf('queues', `${q.name}-dlq`), 'QueueName'] } }],
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
        });
      }
    });

    it('encrypts every queue at rest with the data key and denies requests without TLS', () => {
      const dataKey = Object.keys(template.findResources('AWS::KMS::Key'))[0];
      for (const name of ids.queues.keys()) {
        expect(propertiesOf(idOf('queues', name)).KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [dataKey, 'Arn'] });
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: idOf('queues', name) }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });
  });

  describe('functions', () => {
    it('runs every handler as ESM index.handler on Node.js 22, arm64, with the timeout and memory of its spec', () => {
      for (const fn of topology.functions) {
        expect(propertiesOf(idOf('functions', fn.name))).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          Timeout: fn.timeoutSeconds,
          MemorySize: fn.memoryMb,
        });
      }
    });

    it('logs every function into its own log group with a retention', () => {
      for (const fn of topology.functions) {
        const logGroup = propertiesOf(idOf('functions', fn.name)).LoggingConfig.LogGroup.Ref;
        expect(propertiesOf(logGroup).RetentionInDays).toBeGreaterThan(0);
      }
    });

    it('reports partial batch failures from every queue event source', () => {
      const mappings = queueMappings();

      expect(mappings.length).toBeGreaterThan(0);
      for (const { Properties } of mappings) expect(Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    });

    it("feeds the rollups from both tables' streams, retrying a failed batch whole, keeping what it gives up on", () => {
      const streamTriggers = topology.functions.flatMap((fn) =>
        fn.triggers.flatMap((t) => (t.kind === 'stream' ? [{ fn: fn.name, ...t }] : [])),
      );
      expect(streamTriggers.map((t) => t.table).sort()).toEqual(['main', 'scores']);
      for (const trigger of streamTriggers) {
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: { 'Fn::GetAtt': [idOf('tables', trigger.table), 'StreamArn'] },
          FunctionName: { Ref: idOf('functions', trigger.fn) },
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: trigger.batchSize,
          BisectBatchOnFunctionError: false,
          FilterCriteria: {
            Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { type: { S: trigger.itemTypes } } } }) }],
          },
          DestinationConfig: {
            OnFailure: { Destination: { 'Fn::GetAtt': [idOf('queues', trigger.onFailure), 'Arn'] } },
          },
        });
      }
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        Replicas: [Match.objectLike({ Tags: Match.arrayWith([{ Key: 'closedloop:name', Value: 'main' }]) })],
      });
    });

    it('runs sweep-timers every minute', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [idOf('functions', 'sweep-timers'), 'Arn'] } })],
      });
    });
  });

  describe('HTTP API', () => {
    it('has one route per topology route, each a payload format 2.0 Lambda proxy to its function', () => {
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
      expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
        httpRoutes(topology)
          .map((r) => `${r.method} ${r.path}`)
          .sort(),
      );

      for (const route of httpRoutes(topology)) {
        const [match] = Object.values(
          template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: `${route.method} ${route.path}` } }),
        );
        const integration = match?.Properties.Target['Fn::Join'][1][1].Ref;
        expect(propertiesOf(integration)).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: { 'Fn::GetAtt': [idOf('functions', route.function), 'Arn'] },
        });
      }
    });

    it('outputs the API URL and every table name', () => {
      template.hasOutput('ApiUrl', {});
      template.hasOutput('MainTableName', { Value: { Ref: idOf('tables', 'main') } });
      template.hasOutput('ScoresTableName', { Value: { Ref: idOf('tables', 'scores') } });
    });
  });

  describe('tables', () => {
    it('bills per request, keeps point-in-time recovery, expires items by TTL and survives stack deletion', () => {
      for (const table of topology.tables) {
        template.hasResource('AWS::DynamoDB::GlobalTable', {
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: Match.objectLike({
            BillingMode: 'PAY_PER_REQUEST',
            TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
            Replicas: [
              Match.objectLike({
                PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
                Tags: Match.arrayWith([{ Key: NAME_TAG, Value: table.name }]),
              }),
            ],
          }),
        });
      }
    });

    it('has the keys and the all-attribute GSIs of the topology', () => {
      const key = (pk: string, sk: string) => [
        { AttributeName: pk, KeyType: 'HASH' },
        { AttributeName: sk, KeyType: 'RANGE' },
      ];
      for (const table of topology.tables) {
        const properties = propertiesOf(idOf('tables', table.name));
        expect(properties.KeySchema).toEqual(key(table.partitionKey.name, table.sortKey.name));
        expect(properties.GlobalSecondaryIndexes ?? []).toEqual(
          table.indexes.map((i) => ({
            IndexName: i.name,
            KeySchema: key(i.partitionKey.name, i.sortKey.name),
            Projection: { ProjectionType: 'ALL' },
          })),
        );
      }
    });
  });

  describe('IAM', () => {
    it('lets get-scores read the scores table and nothing else of the data', () => {
      const access = accessOf(grantsOf('get-scores'));

      expect(access['table:scores']).toEqual(['read']);
      expect(Object.keys(access).filter((r) => r.startsWith('table:') || r.startsWith('queue:'))).toEqual(['table:scores']);
    });

    it('lets ingest-service-event send to survey-dispatch but not to responses or any alert queue', () => {
      const sendsTo = grantsOf('ingest-service-event')
        .filter((g) => g.action === 'sqs:SendMessage')
        .map((g) => g.resource);

      expect(sendsTo).toEqual(['queue:survey-dispatch']);
    });

    it('lets list-alerts read the main table without writing to it', () => {
      const onMain = grantsOf('list-alerts')
        .filter((g) => g.resource === 'table:main')
        .map((g) => g.action);

      expect(onMain).toContain('dynamodb:Query');
      expect(onMain).not.toContain('dynamodb:PutItem');
      expect(onMain).not.toContain('dynamodb:UpdateItem');
    });

    it("lets deliver-alert send email as an SES identity of the stack's own account and region", () => {
      const role = propertiesOf(idOf('functions', 'deliver-alert')).Role['Fn::GetAtt'][0];

      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: Match.arrayWith([{ Ref: role }]),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Action: 'ses:SendEmail',
              Resource: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ses:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':identity/*',
                  ],
                ],
              },
            }),
          ]),
        },
      });
    });

    it('grants no function SES access when no department has an email channel', () => {
      const withoutEmail = parseConfig({
        ...config,
        departments: config.departments.map((d) => ({ ...d, channels: d.channels.filter((c) => c.type !== 'email') })),
      });
      const policies = Object.values(Template.fromStack(synthesizeStack(withoutEmail).stack).findResources('AWS::IAM::Policy'));
      const actions = policies.flatMap((p) =>
        p.Properties.PolicyDocument.Statement.flatMap((s: { Action: unknown }) => [s.Action].flat().map(String)),
      );

      expect(actions).toContain('sqs:SendMessage');
      expect(actions.filter((a) => a.startsWith('ses:'))).toEqual([]);
    });

    it.each(topology.functions.map((fn) => [fn.name, fn] as const))(
      'grants %s exactly what its bindings and queue triggers need',
      (_, fn) => {
        expect(accessOf(grantsOf(fn.name))).toEqual(expectedAccess(fn, topology));
      },
    );
  });
});

/** The event source mappings that read a queue (the others read a table's stream). */
function queueMappings() {
  const queueIds = new Set(ids.queues.values());
  return Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(({ Properties }) =>
    queueIds.has(Properties.EventSourceArn['Fn::GetAtt']?.[0]),
  );
}
