import { Duration, Tags } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueSpec } from '../topology.ts';
import { deadLetterQueueName, NAME_TAG } from '../wiring.ts';

/** A work queue, the dead-letter queue its poison messages land in, and an alarm on the latter. */
export class QueueWithDeadLetter extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, spec: QueueSpec) {
    super(scope, id);
    const secured = { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED };

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...secured,
      retentionPeriod: Duration.days(spec.deadLetterRetentionDays),
    });
    this.queue = new Queue(this, 'Queue', {
      ...secured,
      retentionPeriod: Duration.days(spec.retentionDays),
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
    });
    Tags.of(this.queue).add(NAME_TAG, spec.name);
    Tags.of(this.deadLetterQueue).add(NAME_TAG, deadLetterQueueName(spec.name));

    // One message in a DLQ is a user's answer or alert that is not flowing: page on the first.
    this.alarm = this.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: Duration.minutes(1) })
      .createAlarm(this, 'DeadLetterAlarm', {
        alarmDescription: `${deadLetterQueueName(spec.name)} holds messages that failed ${spec.maxReceiveCount} times; fix the cause, then redrive them (npm run redrive).`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
  }
}
