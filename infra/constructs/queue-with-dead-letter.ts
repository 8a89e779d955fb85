import { Duration, Tags } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueSpec } from '../topology.ts';
import { deadLetterQueueName, NAME_TAG } from '../wiring.ts';
import { grantKeyUseVia } from './key-use.ts';

/** A work queue and the dead-letter queue its poison messages land in, both under the data key and TLS-only. */
export class QueueWithDeadLetter extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  private readonly dataKey: IKey;

  /** `encryptionKey`: the stack's customer-managed data key. */
  constructor(scope: Construct, id: string, spec: QueueSpec, encryptionKey: IKey) {
    super(scope, id);
    this.dataKey = encryptionKey;
    const secured = { enforceSSL: true, encryption: QueueEncryption.KMS, encryptionMasterKey: encryptionKey };

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
  }

  /**
   * Exactly what a `send` binding needs: SendMessage on this queue (the URL comes from the
   * environment, no GetQueueUrl), and a data key for the message, through SQS.
   */
  grantSend(grantee: IGrantable): void {
    Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [this.queue.queueArn] });
    grantKeyUseVia(grantee, this.dataKey, 'sqs', ['kms:Decrypt', 'kms:GenerateDataKey']);
  }
}
