/**
 * The stack's security posture, proven on the synthesized template: cdk-nag's AWS Solutions
 * rules, encryption at rest under the data key, secrets kept out of the template, API
 * throttling and access logs, and least-privilege IAM, statement by statement.
 */
import { Aspects } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  AwsSolutionsChecks,
  type INagLogger,
  type NagLoggerErrorData,
  type NagLoggerNonComplianceData,
  type NagLoggerSuppressedData,
} from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTopology, httpRoutes, routeThrottles } from '#infra/topology.ts';
import { namedResources } from '#infra/wiring.ts';
import { loadConfigFile, parseConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import { literalSecretsOf, referToSecrets } from '#shared/config/secrets.ts';
import { grantReader } from './grants.ts';
import { localConfigPath, synthesizeStack } from './synthesize.ts';

const config = loadConfigFile(localConfigPath);
const topology = buildTopology(config);
const awsSmsConfig = parseConfig({
  ...config,
  sms: {
    ...config.sms,
    provider: 'aws',
    originationIdentity: 'pool-0123456789abcdef0123456789abcdef',
    configurationSetName: 'closedloop',
  },
});
/** Twilio, and chat robots whose URLs are credentials, besides the local config's webhooks and tokens. */
const twilioConfig = parseConfig({
  ...config,
  sms: {
    ...config.sms,
    provider: 'twilio',
    accountSid: `AC${'0'.repeat(32)}`,
    from: '+15005550006',
    authToken: 'twilio-auth-token-do-not-ship',
  },
  departments: config.departments.map((d) =>
    d.id === 'parts'
      ? {
          ...d,
          channels: [
            ...d.channels,
            { type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/slack-url-do-not-ship' },
            {
              type: 'dingtalk',
              url: 'https://oapi.dingtalk.com/robot/send?access_token=ding-do-not-ship',
              secret: 'SEC-ding-do-not-ship',
            },
          ],
        }
      : d,
  ),
});

/** What cdk-nag reported, by outcome. */
class NagRecorder implements INagLogger {
  readonly findings: string[] = [];
  readonly suppressed: { ruleId: string; findingId: string; reason: string; path: string }[] = [];
  onCompliance() {}
  onNotApplicable() {}
  onNonCompliance(data: NagLoggerNonComplianceData) {
    this.findings.push(`${data.ruleId}[${data.findingId}] (${data.ruleLevel}) at ${data.resource.node.path}: ${data.ruleInfo}`);
  }
  onError(data: NagLoggerErrorData) {
    this.findings.push(`${data.ruleId} could not run at ${data.resource.node.path}: ${data.errorMessage}`);
  }
  onSuppressedError(data: NagLoggerErrorData) {
    this.findings.push(`${data.ruleId} could not run (suppressed) at ${data.resource.node.path}: ${data.errorMessage}`);
  }
  onSuppressed(data: NagLoggerSuppressedData) {
    this.suppressed.push({
      ruleId: data.ruleId,
      findingId: data.findingId,
      reason: data.suppressionReason,
      path: data.resource.node.path,
    });
  }
}

/** The stack under cdk-nag's AwsSolutions pack: what it reported, and the template (unless a finding failed the synth). */
function checkWithNag(cfg: Readonly<Config>) {
  const { stack } = synthesizeStack(cfg);
  const nag = new NagRecorder();
  Aspects.of(stack).add(new AwsSolutionsChecks({ additionalLoggers: [nag], reports: false }));
  try {
    return { nag, template: Template.fromStack(stack) };
  } catch (error) {
    // An unacknowledged error fails the synth; the recorder says which.
    return { nag, template: undefined, error };
  }
}

let template: Template;
let nag: NagRecorder;
let ids: ReturnType<typeof namedResources>;
let reader: ReturnType<typeof grantReader>;
beforeAll(() => {
  const checked = checkWithNag(config);
  if (!checked.template) throw new Error(`synth failed: ${checked.nag.findings.join('\n') || String(checked.error)}`);
  template = checked.template;
  nag = checked.nag;
  ids = namedResources(template.toJSON());
  reader = grantReader(template.toJSON());
});

const json = () => template.toJSON();
const idsOf = (type: string) => Object.keys(template.findResources(type));
const oneIdOf = (type: string) => {
  const [id, ...others] = idsOf(type);
  if (!id || others.length) throw new Error(`expected one ${type}`);
  return id;
};
const idOf = (kind: keyof typeof ids, name: string) => {
  const id = ids[kind].get(name);
  if (!id) throw new Error(`no ${kind} named ${name}`);
  return id;
};
const propertiesOf = (id: string) => json().Resources[id].Properties;
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const via = (service: string) => ({
  StringEquals: {
    'kms:ViaService': { 'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
  },
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged, error or warning, in the stack of config/local.json', () => {
    expect(nag.findings).toEqual([]);
  });

  it.each([
    ['the aws SMS provider', awsSmsConfig],
    ['Twilio and chat robot channels', twilioConfig],
  ])('finds nothing unacknowledged with %s either', (_, cfg) => {
    const checked = checkWithNag(cfg);

    expect(checked.nag.findings).toEqual([]);
    expect(checked.template).toBeDefined();
  });

  it('acknowledges only route authorization, the pinned Node.js 22 runtime, the secret’s rotation and named wildcards, each with its reason', () => {
    const deployHandler = (s: { path: string }) => s.path.split('/')[1]?.startsWith('Custom::CDKBucketDeployment');
    const acknowledged = new Set(
      nag.suppressed.filter((s) => !deployHandler(s)).map((s) => (s.findingId ? `${s.ruleId}[${s.findingId}]` : s.ruleId)),
    );

    expect([...acknowledged].sort()).toEqual([
      'AwsSolutions-APIG4',
      // The distribution: no geo restriction, no WAF yet, CloudFront's default certificate.
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR4',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
      'AwsSolutions-L1',
      'AwsSolutions-SMG4',
    ]);
    for (const { reason } of nag.suppressed) expect(reason.length).toBeGreaterThan(80);
    // The X-Ray wildcard is acknowledged on function roles only, once per function.
    const xray = nag.suppressed.filter((s) => s.findingId === 'Resource::*' && !deployHandler(s));
    expect(xray.map((s) => s.path.split('/')[1]).sort()).toEqual(topology.functions.map((fn) => `Function-${fn.name}`).sort());
  });

  it("acknowledges on CDK's deploy-time BucketDeployment handler only its managed logging policy, its runtime and the site's objects", () => {
    const handler = nag.suppressed.filter((s) => s.path.split('/')[1]?.startsWith('Custom::CDKBucketDeployment'));

    expect([...new Set(handler.map((s) => (s.findingId ? `${s.ruleId}[${s.findingId}]` : s.ruleId)))].sort()).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Resource::*]',
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<PagesBucket[0-9A-F]+\.Arn>\/\*\]$/),
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      'AwsSolutions-L1',
    ]);
  });
});

describe('encryption at rest', () => {
  it('has one customer-managed data key, rotated yearly and kept when the stack goes', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true }),
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  it('encrypts every table, every queue and dead-letter queue, the alarm topic and the config secret with it', () => {
    const key = arn(oneIdOf('AWS::KMS::Key'));
    for (const id of ids.tables.values()) {
      expect(propertiesOf(id).SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(propertiesOf(id).Replicas[0].SSESpecification).toEqual({ KMSMasterKeyId: key });
    }
    expect(ids.queues.size).toBe(2 * topology.queues.length);
    for (const id of ids.queues.values()) expect(propertiesOf(id).KmsMasterKeyId).toEqual(key);
    for (const id of idsOf('AWS::SNS::Topic')) expect(propertiesOf(id).KmsMasterKeyId).toEqual(key);
    expect(propertiesOf(oneIdOf('AWS::SecretsManager::Secret')).KmsKeyId).toEqual(key);
  });

  it('lets CloudWatch encrypt alarm notifications with the data key, and no other service', () => {
    const statements = propertiesOf(oneIdOf('AWS::KMS::Key')).KeyPolicy.Statement as { Principal: { Service?: string } }[];

    expect(statements.flatMap((s) => (s.Principal.Service ? [s] : []))).toEqual([
      {
        Sid: 'EncryptForCloudWatchAlarms',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
      },
    ]);
  });

  describe('with the aws SMS provider', () => {
    let aws: Template;
    beforeAll(() => {
      aws = Template.fromStack(synthesizeStack(awsSmsConfig).stack);
    });

    it('encrypts the inbound SMS topic with a rotated key of its own that End User Messaging may use', () => {
      const topic = namedResources(aws.toJSON()).topics.get('sms-inbound') ?? '';
      const keyId = aws.toJSON().Resources[topic].Properties.KmsMasterKeyId['Fn::GetAtt'][0];

      aws.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'sms-voice.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            }),
          ]),
        },
      });
      expect(Object.keys(aws.findResources('AWS::KMS::Key'))).toContain(keyId);
    });

    it('lets SNS decrypt into the sms-inbound queue with the data key for that topic only', () => {
      const topic = namedResources(aws.toJSON()).topics.get('sms-inbound') ?? '';

      aws.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'sns.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topic } } },
            }),
          ]),
        },
      });
    });
  });
});

describe('encryption in transit', () => {
  it('denies every request to a queue or topic made without TLS', () => {
    const deniesPlainText = { Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    for (const id of ids.queues.values()) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(deniesPlainText)]) },
      });
    }
    for (const id of idsOf('AWS::SNS::Topic')) {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(deniesPlainText)]) },
      });
    }
  });
});

describe('secrets', () => {
  it.each([
    ['config/local.json', config],
    ['a config with a Twilio auth token and chat robot credentials', twilioConfig],
  ])('keeps every secret of %s out of the template: environment, outputs and all', (_, cfg) => {
    const synthesized = JSON.stringify(Template.fromStack(synthesizeStack(cfg).stack).toJSON());
    const secrets = literalSecretsOf(cfg);

    expect(secrets.length).toBeGreaterThan(9);
    for (const secret of secrets) expect(synthesized.includes(secret), `the template contains ${secret}`).toBe(false);
  });

  it('keeps the config secret, generating the phone key in it, and outputs the names it must hold', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{}', GenerateStringKey: 'PHONE_KEY' }),
      }),
    });
    template.hasOutput('ConfigSecretNames', { Value: referToSecrets(config).names.join(',') });
    template.hasOutput('ConfigSecretArn', { Value: { Ref: oneIdOf('AWS::SecretsManager::Secret') } });
  });

  it('lets every function, and nothing else, decrypt the config secret, through Secrets Manager only', () => {
    const statements = propertiesOf(oneIdOf('AWS::KMS::Key')).KeyPolicy.Statement as {
      Action: string | string[];
      Principal: { AWS?: unknown };
      Condition?: unknown;
    }[];
    const [decrypt, ...others] = statements.filter((s) => s.Action === 'kms:Decrypt' && Array.isArray(s.Principal.AWS));
    const roles = topology.functions.map((fn) => ({ 'Fn::GetAtt': [reader.roleOf(fn.name), 'Arn'] }));

    expect(others).toEqual([]);
    expect(decrypt?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    });
    expect(decrypt?.Principal.AWS).toEqual(expect.arrayContaining(roles));
    expect(decrypt?.Principal.AWS).toHaveLength(roles.length);
  });
});

describe('HTTP API', () => {
  const stage = () => propertiesOf(oneIdOf('AWS::ApiGatewayV2::Stage'));

  it('throttles the $default stage as a whole', () => {
    expect(stage()).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: routeThrottles.stage.rateLimit,
        ThrottlingBurstLimit: routeThrottles.stage.burstLimit,
      },
    });
  });

  it('throttles each route as its trigger says: webhooks above people’s routes', () => {
    const settings = stage().RouteSettings;
    const expected = Object.fromEntries(
      topology.functions.flatMap((fn) =>
        fn.triggers.flatMap((t) =>
          t.kind === 'http'
            ? [
                [
                  `${t.method} ${t.path}`,
                  { ThrottlingRateLimit: t.throttle.rateLimit, ThrottlingBurstLimit: t.throttle.burstLimit },
                ],
              ]
            : [],
        ),
      ),
    );

    expect(settings).toEqual(expected);
    expect(Object.keys(settings)).toHaveLength(httpRoutes(topology).length);
    expect(settings['POST /v1/service-events'].ThrottlingRateLimit).toBeGreaterThan(
      settings['GET /v1/scores'].ThrottlingRateLimit,
    );
    expect(settings['POST /v1/sms/twilio'].ThrottlingBurstLimit).toBeGreaterThan(
      settings['POST /s/{token}'].ThrottlingBurstLimit,
    );
  });

  it('deploys the stage after every route it throttles', () => {
    const dependsOn: string[] = json().Resources[oneIdOf('AWS::ApiGatewayV2::Stage')].DependsOn;

    for (const route of idsOf('AWS::ApiGatewayV2::Route')) expect(dependsOn).toContain(route);
  });

  it('writes a JSON access log line per request, with route keys and never paths (a path can hold a survey token)', () => {
    const { DestinationArn, Format } = stage().AccessLogSettings;
    const line = JSON.parse(Format);
    const logGroup = json().Resources[DestinationArn['Fn::GetAtt'][0]];

    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    expect(line).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    expect(Format).not.toContain('$context.path');
  });
});

describe('least privilege, statement by statement', () => {
  const commonStatements = (fn: string) => {
    const logGroup = propertiesOf(idOf('functions', fn)).LoggingConfig.LogGroup.Ref;
    return [
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arn(logGroup) },
      { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: { Ref: oneIdOf('AWS::SecretsManager::Secret') },
      },
    ];
  };
  const key = () => arn(oneIdOf('AWS::KMS::Key'));
  const mainIndexes = () =>
    ['due', 'lookup'].map((index) => ({ 'Fn::Join': ['', [arn(idOf('tables', 'main')), `/index/${index}`]] }));
  const expectStatements = (fn: string, expected: object[]) => {
    const statements = reader.statementsOf(fn);
    expect(statements).toEqual(expect.arrayContaining(expected));
    expect(statements).toHaveLength(expected.length);
  };

  it('lets a reader (get-scores) get and query its table, and decrypt through DynamoDB: nothing more', () => {
    expectStatements('get-scores', [
      ...commonStatements('get-scores'),
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: arn(idOf('tables', 'scores')) },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: key(), Condition: via('dynamodb') },
    ]);
  });

  it('lets a writer and sender (ingest-service-event) write its tables, query its indexes and send to its one queue', () => {
    const writes = [
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ];
    expectStatements('ingest-service-event', [
      ...commonStatements('ingest-service-event'),
      // scores: a visit that is a surveyed customer's return adds to their cohort's bucket there.
      { Effect: 'Allow', Action: writes, Resource: [arn(idOf('tables', 'main')), arn(idOf('tables', 'scores'))] },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: mainIndexes() },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: key(),
        Condition: via('dynamodb'),
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arn(idOf('queues', 'survey-dispatch')) },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key(), Condition: via('sqs') },
    ]);
  });

  it('lets a consumer (run-survey-timer) receive from its queue and decrypt its messages', () => {
    const statements = reader.statementsOf('run-survey-timer');

    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
          ],
          Resource: arn(idOf('queues', 'survey-dispatch')),
        },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: key() },
      ]),
    );
    // The scorer's queue, and the departments' alert queues (it raises retention tasks); nothing else.
    const sentTo = statements.filter((s) => [s.Action].flat().includes('sqs:SendMessage')).flatMap((s) => [s.Resource].flat());
    const alertQueues = topology.queues.filter((q) => q.name.startsWith('alerts-'));
    expect(alertQueues.length).toBeGreaterThan(0);
    expect(sentTo).toHaveLength(1 + alertQueues.length);
    expect(sentTo).toEqual(
      expect.arrayContaining([arn(idOf('queues', 'responses')), ...alertQueues.map((q) => arn(idOf('queues', q.name)))]),
    );
  });

  it('gives no function a wildcard action, and no resource * but X-Ray’s', () => {
    for (const fn of topology.functions) {
      for (const statement of reader.statementsOf(fn.name)) {
        for (const action of [statement.Action].flat()) expect(action, fn.name).not.toContain('*');
        if (statement.Resource === '*')
          expect(statement.Action, fn.name).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      }
    }
  });

  it('attaches no managed policy to any function role', () => {
    for (const fn of topology.functions) expect(propertiesOf(reader.roleOf(fn.name)).ManagedPolicyArns, fn.name).toBeUndefined();
  });
});
