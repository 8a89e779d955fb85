import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { businessMetrics, METRICS_NAMESPACE, SERVICE_NAME } from '#shared/config/metric-names.ts';
import type { FunctionSpec, QueueSpec, Trigger } from '../topology.ts';
import { deadLetterQueueName } from '../wiring.ts';
import type { PublicApi } from './public-api.ts';
import type { QueueWithDeadLetter } from './queue-with-dead-letter.ts';

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms and the dashboard, derived from what the stack builds from the topology: every queue
 * (dead letters, age of the oldest message), every function (errors, throttles, and what its
 * trigger kinds add), the API (5xx). Every alarm notifies one SNS topic, encrypted with the data key.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly widgets: {
    api: { traffic: GraphWidget; latency: GraphWidget };
    queues: { depth: GraphWidget; age: GraphWidget; deadLetters: GraphWidget };
    functions: { errors: GraphWidget; throttles: GraphWidget; duration: GraphWidget };
  };

  constructor(scope: Construct, id: string, encryptionKey: IKey) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'ClosedLoop alarms',
      enforceSSL: true,
      masterKey: encryptionKey,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic: it needs a data key for each
    // (the key policy AWS documents for it; the topic's own policy says who may publish).
    encryptionKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EncryptForCloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );

    const graph = (title: string, width = 8) => new GraphWidget({ title, width, height: 6, left: [] });
    const business = (title: string, names: string[]) =>
      new GraphWidget({
        title,
        width: 12,
        height: 6,
        left: names.map(
          (metricName) =>
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName,
              dimensionsMap: { service: SERVICE_NAME },
              statistic: Stats.SUM,
              period: Duration.hours(1),
            }),
        ),
      });
    this.widgets = {
      api: { traffic: graph('API requests and errors (per 5 min)', 12), latency: graph('API latency (ms)', 12) },
      queues: {
        depth: graph('Queue depth (visible messages)'),
        age: graph('Age of the oldest message (s)'),
        deadLetters: graph('Dead letters (visible messages)'),
      },
      functions: {
        errors: graph('Function errors'),
        throttles: graph('Function throttles'),
        duration: graph('Function duration p99 (ms)'),
      },
    };
    const { surveysScheduled, surveysSuppressed, surveysSent, remindersSent } = businessMetrics;
    const { answers, detractors, alertsRaised, alertsDelivered, escalations, retentionTasksRaised } = businessMetrics;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new TextWidget({
            markdown:
              '# ClosedLoop\nBusiness metrics (per hour), the API, queues and functions. Alarms notify the ClosedLoop alarms SNS topic.',
            width: 24,
            height: 2,
          }),
        ],
        [
          business('Surveys (per hour)', [surveysScheduled, surveysSuppressed, surveysSent, remindersSent]),
          business('Answers and alerts (per hour)', [
            answers,
            detractors,
            alertsRaised,
            alertsDelivered,
            escalations,
            retentionTasksRaised,
          ]),
        ],
        [this.widgets.api.traffic, this.widgets.api.latency],
        [this.widgets.queues.depth, this.widgets.queues.age, this.widgets.queues.deadLetters],
        [this.widgets.functions.errors, this.widgets.functions.throttles, this.widgets.functions.duration],
        [new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 })],
      ],
    });
  }

  /** The first dead letter, and a backlog older than a message's whole retry budget. */
  watchQueue(spec: QueueSpec, { queue, deadLetterQueue }: QueueWithDeadLetter): void {
    const deadLetters = deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: Stats.MAXIMUM,
      period: Duration.minutes(1),
    });
    // One message in a DLQ is a user's answer or alert that is not flowing: page on the first.
    this.alarm(`DeadLetters-${spec.name}`, deadLetters, {
      description: `${deadLetterQueueName(spec.name)} holds messages that failed ${spec.maxReceiveCount} times; fix the cause, then redrive them (npm run redrive).`,
      threshold: 1,
    });
    // A failing message is retried for up to maxReceiveCount visibility timeouts; older than that, the queue is not draining.
    const retryBudgetSeconds = spec.maxReceiveCount * spec.visibilityTimeoutSeconds;
    const age = queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, period: FIVE_MINUTES });
    this.alarm(`OldestMessage-${spec.name}`, age, {
      description: `The oldest message in ${spec.name} waited over ${retryBudgetSeconds} s (its retry budget): its consumer is failing, throttled or not keeping up.`,
      threshold: retryBudgetSeconds,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.widgets.queues.depth.addLeftMetric(
      queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: FIVE_MINUTES, label: spec.name }),
    );
    this.widgets.queues.age.addLeftMetric(age.with({ label: spec.name }));
    this.widgets.queues.deadLetters.addLeftMetric(deadLetters.with({ label: deadLetterQueueName(spec.name) }));
  }

  /** Errors and throttles of every function, plus what each of its trigger kinds needs watched. */
  watchFunction(spec: FunctionSpec, fn: IFunction): void {
    const sum = { statistic: Stats.SUM, period: FIVE_MINUTES };
    const errors = fn.metricErrors(sum);
    const throttles = fn.metricThrottles(sum);
    this.alarm(`Errors-${spec.name}`, errors, {
      description: `${spec.name} failed (an exception out of the handler, a timeout or a crash); see its log group.`,
      threshold: 1,
    });
    this.alarm(`Throttles-${spec.name}`, throttles, {
      description: `${spec.name} was throttled: the account's or region's Lambda concurrency is exhausted.`,
      threshold: 1,
    });
    for (const trigger of spec.triggers) this.watchTrigger(spec, trigger, fn);
    this.widgets.functions.errors.addLeftMetric(errors.with({ label: spec.name }));
    this.widgets.functions.throttles.addLeftMetric(throttles.with({ label: spec.name }));
    this.widgets.functions.duration.addLeftMetric(
      fn.metricDuration({ statistic: Stats.p(99), period: FIVE_MINUTES, label: spec.name }),
    );
  }

  private watchTrigger(spec: FunctionSpec, trigger: Trigger, fn: IFunction): void {
    switch (trigger.kind) {
      case 'http':
        // The API's 5xx alarm covers its routes: the handlers answer every expected error with a 4xx.
        return;
      case 'queue':
        // The queue's dead-letter and oldest-message alarms cover its consumer.
        return;
      case 'schedule': {
        // A schedule that stops invoking (rule disabled, permission lost) raises no error: alarm on silence.
        const window = Duration.minutes(Math.max(5, trigger.rateMinutes * 3));
        this.alarm(`NotInvoked-${spec.name}`, fn.metricInvocations({ statistic: Stats.SUM, period: window }), {
          description: `${spec.name} runs every ${trigger.rateMinutes} min but was not invoked for ${window.toMinutes()} min: its schedule is not firing.`,
          threshold: 1,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: TreatMissingData.BREACHING,
        });
        return;
      }
      case 'stream': {
        // The rollups lag behind the answers: the oldest record of a batch handed over is too old.
        const age = fn.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: FIVE_MINUTES });
        this.alarm(`IteratorAge-${spec.name}-${trigger.table}`, age, {
          description: `${spec.name} is more than 10 minutes behind the ${trigger.table} table's stream: scores and the funnel are stale; see its errors and the ${trigger.onFailure} queue.`,
          threshold: 10 * 60_000,
        });
        return;
      }
      default: {
        // A new trigger kind: decide what to watch (a stream trigger: its IteratorAge) before it compiles.
        const unwatched: never = trigger;
        throw new Error(`no monitoring for trigger ${JSON.stringify(unwatched)}`);
      }
    }
  }

  /** 5xx answers: handlers map every expected error to a 4xx, so any 5xx is a defect or an outage. */
  watchApi(api: PublicApi): void {
    const serverErrors = api.metricServerError({ statistic: Stats.SUM, period: FIVE_MINUTES });
    this.alarm('Api5xx', serverErrors, {
      description:
        'The HTTP API answered 5xx: a handler failed unexpectedly or API Gateway could not reach it; see the access log and the function logs.',
      threshold: 1,
    });
    this.widgets.api.traffic.addLeftMetric(api.metricCount({ statistic: Stats.SUM, period: FIVE_MINUTES, label: 'requests' }));
    this.widgets.api.traffic.addRightMetric(api.metricClientError({ statistic: Stats.SUM, period: FIVE_MINUTES, label: '4xx' }));
    this.widgets.api.traffic.addRightMetric(serverErrors.with({ label: '5xx' }));
    for (const p of [50, 99]) {
      this.widgets.api.latency.addLeftMetric(api.metricLatency({ statistic: Stats.p(p), period: FIVE_MINUTES, label: `p${p}` }));
    }
  }

  private alarm(
    id: string,
    metric: IMetric,
    options: {
      description: string;
      threshold: number;
      comparisonOperator?: ComparisonOperator;
      treatMissingData?: TreatMissingData;
    },
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      alarmDescription: options.description,
      threshold: options.threshold,
      evaluationPeriods: 1,
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    alarm.addOkAction(new SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
  }
}
