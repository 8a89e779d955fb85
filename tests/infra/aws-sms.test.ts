import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTopology, commonEnvironment } from '#infra/topology.ts';
import { describeStackWiring, describeTopologyWiring, namedResources } from '#infra/wiring.ts';
import { loadConfigFile, parseConfig } from '#shared/config/load.ts';
import { localConfigPath, synthesizeStack } from './synthesize.ts';

const simulatorConfig = loadConfigFile(localConfigPath);
const awsConfig = parseConfig({
  ...simulatorConfig,
  sms: {
    ...simulatorConfig.sms,
    provider: 'aws',
    originationIdentity: 'pool-0123456789abcdef0123456789abcdef',
    configurationSetName: 'closedloop',
  },
});
const BASE_ENVIRONMENT = [...commonEnvironment];
const accountScopedSmsVoiceArn = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':sms-voice:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*'],
  ],
};

let template: Template;
let ids: ReturnType<typeof namedResources>;
beforeAll(() => {
  template = Template.fromStack(synthesizeStack(awsConfig).stack);
  ids = namedResources(template.toJSON());
});

const idOf = (kind: keyof typeof ids, name: string) => {
  const id = ids[kind].get(name);
  if (!id) throw new Error(`no ${kind} named ${name} in the template`);
  return id;
};
const propertiesOf = (logicalId: string) => template.toJSON().Resources[logicalId].Properties;
const policyStatementsOf = (functionName: string) => {
  const role = propertiesOf(idOf('functions', functionName)).Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: role }]) } }))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
    .filter((s) => [s.Action].flat().some((a) => a.startsWith('sms-voice:')));
};

describe('ClosedLoopStack with the aws SMS provider', () => {
  it('has exactly the wiring of its topology, the SNS topic and its queue included', () => {
    const wiring = describeStackWiring(template.toJSON());

    expect(wiring).toEqual(describeTopologyWiring(buildTopology(awsConfig), BASE_ENVIRONMENT));
    expect(wiring.topics).toEqual([{ name: 'sms-inbound', queue: 'sms-inbound' }]);
  });

  describe('the sms-inbound topic', () => {
    it('lets only End User Messaging publish, and only for this account and its own resources', () => {
      const topic = idOf('topics', 'sms-inbound');
      const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).filter(
        (p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topic }]),
      );
      expect(policies).toHaveLength(1);
      const [policy] = policies;
      expect(policy?.Properties.Topics).toEqual([{ Ref: topic }]);
      const allows = policy?.Properties.PolicyDocument.Statement.filter((s: { Effect: string }) => s.Effect === 'Allow');

      expect(allows).toEqual([
        {
          Sid: expect.any(String),
          Effect: 'Allow',
          Principal: { Service: 'sms-voice.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: topic },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': accountScopedSmsVoiceArn },
          },
        },
      ]);
    });

    it('refuses publishing without TLS', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('delivers to the sms-inbound queue with raw message delivery, and the queue admits only this topic', () => {
      const topic = idOf('topics', 'sms-inbound');
      const queue = idOf('queues', 'sms-inbound');

      template.resourceCountIs('AWS::SNS::Subscription', 1);
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        TopicArn: { Ref: topic },
        Endpoint: { 'Fn::GetAtt': [queue, 'Arn'] },
        RawMessageDelivery: true,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topic } } },
            }),
          ]),
        },
      });
    });

    it('outputs the topic ARN, to set as the phone number’s two-way destination', () => {
      template.hasOutput('SmsInboundTopicArn', { Value: { Ref: idOf('topics', 'sms-inbound') } });
    });
  });

  describe('the sms-inbound queue', () => {
    it('dead-letters a message after 5 receives into its own DLQ, with an alarm on it', () => {
      const dlq = idOf('queues', 'sms-inbound-dlq');

      expect(propertiesOf(idOf('queues', 'sms-inbound')).RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
        maxReceiveCount: 5,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
        Threshold: 1,
      });
    });

    it('triggers aws-inbound-sms, which reports partial batch failures', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [idOf('queues', 'sms-inbound'), 'Arn'] },
        FunctionName: { Ref: idOf('functions', 'aws-inbound-sms') },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });
  });

  describe('IAM', () => {
    it.each(['run-survey-timer', 'aws-inbound-sms'])(
      "lets %s call sms-voice:SendTextMessage on this account's End User Messaging resources in this region",
      (fn) => {
        expect(policyStatementsOf(fn)).toEqual([
          { Effect: 'Allow', Action: 'sms-voice:SendTextMessage', Resource: accountScopedSmsVoiceArn },
        ]);
      },
    );

    it('lets no other function send SMS', () => {
      const others = [...ids.functions.keys()].filter((fn) => fn !== 'run-survey-timer' && fn !== 'aws-inbound-sms');

      expect(others.length).toBeGreaterThan(5);
      for (const fn of others) expect(policyStatementsOf(fn), fn).toEqual([]);
    });

    it('lets aws-inbound-sms use the main table and send to responses', () => {
      const role = propertiesOf(idOf('functions', 'aws-inbound-sms')).Role['Fn::GetAtt'][0];
      const statements = Object.values(
        template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: role }]) } }),
      ).flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
      const on = (action: string) =>
        statements.filter((s) => [s.Action].flat().includes(action)).map((s) => JSON.stringify(s.Resource));

      expect(on('dynamodb:PutItem').join()).toContain(idOf('tables', 'main'));
      expect(on('sqs:SendMessage')).toEqual([JSON.stringify({ 'Fn::GetAtt': [idOf('queues', 'responses'), 'Arn'] })]);
    });
  });
});

describe('ClosedLoopStack with the simulator', () => {
  it('has no SNS topic, subscription, sms-inbound queue, aws-inbound-sms function or SMS permission', () => {
    const synthesized = Template.fromStack(synthesizeStack(simulatorConfig).stack);
    const named = namedResources(synthesized.toJSON());
    const actions = Object.values(synthesized.findResources('AWS::IAM::Policy')).flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((s: { Action: unknown }) => [s.Action].flat().map(String)),
    );

    // The one topic left is the alarms' (no topology name, no subscription).
    synthesized.resourceCountIs('AWS::SNS::Topic', 1);
    expect(named.topics.size).toBe(0);
    synthesized.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(named.queues.has('sms-inbound')).toBe(false);
    expect(named.functions.has('aws-inbound-sms')).toBe(false);
    expect(named.functions.has('run-survey-timer')).toBe(true);
    expect(actions.filter((a) => a.startsWith('sms-voice:'))).toEqual([]);
    expect(synthesized.toJSON().Outputs.SmsInboundTopicArn).toBeUndefined();
  });
});
