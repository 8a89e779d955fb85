import { ArnFormat, Stack, Tags } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TopicSpec } from '../topology.ts';
import { NAME_TAG } from '../wiring.ts';

/**
 * An SNS topic that one AWS service publishes to (End User Messaging's inbound texts), delivering
 * each message to a work queue with raw message delivery: the queue's message body is the
 * service's own JSON, so the consumer parses one schema and local tests can send the same body.
 */
export class TopicToQueue extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, spec: TopicSpec, queue: IQueue) {
    super(scope, id);
    const stack = Stack.of(this);
    // TLS only, and encrypted at rest with a key of its own: SNS's AWS-managed key cannot admit the
    // publishing service, and the queue's key cannot serve (its policy names this topic: a cycle).
    const encryptionKey = new Key(this, 'Key', {
      description: `ClosedLoop: the ${spec.name} topic (messages from ${spec.publisherService})`,
      enableKeyRotation: true,
    });
    this.topic = new Topic(this, 'Topic', { enforceSSL: true, masterKey: encryptionKey });
    Tags.of(this.topic).add(NAME_TAG, spec.name);

    // The only publisher: the service, acting for this account (no confused deputy).
    const servicePrefix = spec.publisherService.replace(/\.amazonaws\.com$/, '');
    const fromServiceOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({ service: servicePrefix, resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }),
      },
    };
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'PublishFromServiceOfThisAccount',
        principals: [new ServicePrincipal(spec.publisherService)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromServiceOfThisAccount,
      }),
    );
    // Publishing to an encrypted topic: the service needs a data key for each message (the key
    // policy AWS documents for it; the topic policy above says for whom it may publish).
    encryptionKey.addToResourcePolicy(
      new PolicyStatement({
        sid: `EncryptFor${spec.publisherService.replace(/[^A-Za-z0-9]/g, '')}`,
        principals: [new ServicePrincipal(spec.publisherService)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    // SqsSubscription lets sns.amazonaws.com use the queue's key for this topic only.
    this.topic.addSubscription(new SqsSubscription(queue, { rawMessageDelivery: true }));
  }
}
