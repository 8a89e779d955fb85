/**
 * What operators see: tracing on every function, an alarm for everything the topology builds
 * that can go wrong quietly (dead letters, stuck queues, failing or throttled functions, a
 * silent schedule, API 5xx), all to one topic, and a dashboard of the business and the plumbing.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTopology, type Topology } from '#infra/topology.ts';
import { deadLetterQueueName, namedResources } from '#infra/wiring.ts';
import { loadConfigFile, parseConfig } from '#shared/config/load.ts';
import { businessMetrics, METRICS_NAMESPACE, SERVICE_NAME } from '#shared/config/metric-names.ts';
import { localConfigPath, synthesizeStack } from './synthesize.ts';

const config = loadConfigFile(localConfigPath);
const topology = buildTopology(config);

let template: Template;
let ids: ReturnType<typeof namedResources>;
beforeAll(() => {
  template = Template.fromStack(synthesizeStack(config).stack);
  ids = namedResources(template.toJSON());
});

interface AlarmProperties {
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: unknown }[];
  Statistic: string;
  Period: number;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
}
const alarmsOf = (synthesized: Template) =>
  Object.entries(synthesized.findResources('AWS::CloudWatch::Alarm')).map(([id, r]) => ({
    id,
    ...(r.Properties as AlarmProperties),
  }));
const idOf = (kind: keyof typeof ids, name: string) => {
  const id = ids[kind].get(name);
  if (!id) throw new Error(`no ${kind} named ${name}`);
  return id;
};
/** The one alarm on `metric` of the resource `dimension` refers to. */
const alarmOn = (namespace: string, metric: string, dimension: { Name: string; Value: unknown }) => {
  const found = alarmsOf(template).filter(
    (a) => a.Namespace === namespace && a.MetricName === metric && JSON.stringify(a.Dimensions) === JSON.stringify([dimension]),
  );
  expect(found, `${namespace} ${metric} ${JSON.stringify(dimension)}`).toHaveLength(1);
  return found[0];
};
const queueName = (queue: string) => ({ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf('queues', queue), 'QueueName'] } });
const functionName = (fn: string) => ({ Name: 'FunctionName', Value: { Ref: idOf('functions', fn) } });
const expectedAlarmCount = (t: Topology) =>
  2 * t.queues.length +
  2 * t.functions.length +
  t.functions.flatMap((f) => f.triggers.filter((x) => x.kind === 'schedule')).length +
  // Each stream trigger: its iterator age (the rollups falling behind).
  t.functions.flatMap((f) => f.triggers.filter((x) => x.kind === 'stream')).length +
  1;

describe('tracing and logs', () => {
  it('traces every function with X-Ray and names the Powertools service', () => {
    for (const fn of topology.functions) {
      const properties = template.toJSON().Resources[idOf('functions', fn.name)].Properties;
      expect(properties.TracingConfig, fn.name).toEqual({ Mode: 'Active' });
      expect(properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(SERVICE_NAME);
    }
  });
});

describe('alarms', () => {
  it('pages on the first message in every dead-letter queue', () => {
    for (const q of topology.queues) {
      expect(alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueName(deadLetterQueueName(q.name)))).toMatchObject({
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarms when the oldest message of a work queue outlives its whole retry budget', () => {
    for (const q of topology.queues) {
      expect(alarmOn('AWS/SQS', 'ApproximateAgeOfOldestMessage', queueName(q.name))).toMatchObject({
        Statistic: 'Maximum',
        Threshold: q.maxReceiveCount * q.visibilityTimeoutSeconds,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('alarms on any error and any throttle of every function', () => {
    for (const fn of topology.functions) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarmOn('AWS/Lambda', metric, functionName(fn.name))).toMatchObject({
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
      }
    }
  });

  it('alarms when a scheduled function stops being invoked, counting silence as breaching', () => {
    expect(alarmOn('AWS/Lambda', 'Invocations', functionName('sweep-timers'))).toMatchObject({
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('alarms on any 5xx answer of the API', () => {
    const api = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0];

    expect(alarmOn('AWS/ApiGateway', '5xx', { Name: 'ApiId', Value: { Ref: api } })).toMatchObject({
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('notifies the one alarm topic on alarm and on recovery, and outputs the topic', () => {
    const [topic, ...others] = Object.keys(template.findResources('AWS::SNS::Topic'));

    expect(others).toEqual([]);
    for (const alarm of alarmsOf(template)) {
      expect(alarm.AlarmActions, alarm.id).toEqual([{ Ref: topic }]);
      expect(alarm.OKActions, alarm.id).toEqual([{ Ref: topic }]);
    }
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topic } });
  });

  it.each([
    ['config/local.json', config],
    [
      'a config with two departments',
      parseConfig({
        ...config,
        departments: config.departments.filter((d) => ['workshop', 'customer-care'].includes(d.id)),
        routing: [],
        surveyPlans: config.surveyPlans.map(({ departmentId: _, ...plan }) => plan),
        auth: { ...config.auth, people: config.auth.people.filter((p) => p.role !== 'department'), clients: [] },
      }),
    ],
  ])('has exactly the alarms its topology calls for with %s', (_, cfg) => {
    const synthesized = cfg === config ? template : Template.fromStack(synthesizeStack(cfg).stack);

    expect(alarmsOf(synthesized)).toHaveLength(expectedAlarmCount(buildTopology(cfg)));
  });
});

describe('dashboard', () => {
  /** The dashboard body with CloudFormation references written as `<logicalId>` / `<logicalId.Attribute>`. */
  const widgets = (): { type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[] } }[] => {
    const body = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody;
    const parts: unknown[] = body['Fn::Join'][1];
    const text = parts
      .map((part) => {
        if (typeof part === 'string') return part;
        const ref = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
        return ref.Ref ? `<${ref.Ref}>` : `<${ref['Fn::GetAtt']?.join('.')}>`;
      })
      .join('');
    return JSON.parse(text).widgets;
  };
  const metricsOf = (title: string) => {
    const widget = widgets().find((w) => w.properties.title === title);
    if (!widget?.properties.metrics) throw new Error(`no metric widget titled ${title}`);
    return widget.properties.metrics.map((m) => m.filter((part) => typeof part === 'string').join(' '));
  };

  it('charts every business metric, per hour, in the namespace and service the handlers emit them to', () => {
    const charted = [...metricsOf('Surveys (per hour)'), ...metricsOf('Answers and alerts (per hour)')];

    expect(charted.sort()).toEqual(
      Object.values(businessMetrics)
        .map((name) => `${METRICS_NAMESPACE} ${name} service ${SERVICE_NAME}`)
        .sort(),
    );
  });

  it('charts the API’s requests, 4xx, 5xx and latency', () => {
    const api = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0];

    expect(metricsOf('API requests and errors (per 5 min)')).toEqual([
      `AWS/ApiGateway Count ApiId <${api}>`,
      `AWS/ApiGateway 4xx ApiId <${api}>`,
      `AWS/ApiGateway 5xx ApiId <${api}>`,
    ]);
    expect(metricsOf('API latency (ms)')).toEqual([
      `AWS/ApiGateway Latency ApiId <${api}>`,
      `AWS/ApiGateway Latency ApiId <${api}>`,
    ]);
  });

  it('charts the depth and age of every queue, and every dead-letter queue', () => {
    const queue = (name: string) => `QueueName <${idOf('queues', name)}.QueueName>`;

    expect(metricsOf('Queue depth (visible messages)')).toEqual(
      topology.queues.map((q) => `AWS/SQS ApproximateNumberOfMessagesVisible ${queue(q.name)}`),
    );
    expect(metricsOf('Age of the oldest message (s)')).toEqual(
      topology.queues.map((q) => `AWS/SQS ApproximateAgeOfOldestMessage ${queue(q.name)}`),
    );
    expect(metricsOf('Dead letters (visible messages)')).toEqual(
      topology.queues.map((q) => `AWS/SQS ApproximateNumberOfMessagesVisible ${queue(deadLetterQueueName(q.name))}`),
    );
  });

  it('charts the errors, throttles and duration of every function', () => {
    for (const [title, metric] of [
      ['Function errors', 'Errors'],
      ['Function throttles', 'Throttles'],
      ['Function duration p99 (ms)', 'Duration'],
    ] as const) {
      expect(metricsOf(title)).toEqual(
        topology.functions.map((fn) => `AWS/Lambda ${metric} FunctionName <${idOf('functions', fn.name)}>`),
      );
    }
  });

  it('shows the state of every alarm', () => {
    const status = widgets().find((w) => w.type === 'alarm');

    expect(status?.properties.alarms?.sort()).toEqual(
      alarmsOf(template)
        .map((a) => `<${a.id}.Arn>`)
        .sort(),
    );
  });

  it('outputs its name', () => {
    template.hasOutput('DashboardName', { Value: { Ref: Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))[0] } });
  });
});
