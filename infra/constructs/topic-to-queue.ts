import { ArnFormat, Stack, Tags } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
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
    // TLS only. Not KMS: SNS's AWS-managed key cannot admit sms-voice.amazonaws.com, and the
    // message rests encrypted in the SQS queue (SSE) a moment later.
    this.topic = new Topic(this, 'Topic', { enforceSSL: true });
    Tags.of(this.topic).add(NAME_TAG, spec.name);

    // The only publisher: the service, acting for this account (no confused deputy).
    const servicePrefix = spec.publisherService.replace(/\.amazonaws\.com$/, '');
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'PublishFromServiceOfThisAccount',
        principals: [new ServicePrincipal(spec.publisherService)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: servicePrefix, resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }),
          },
        },
      }),
    );
    this.topic.addSubscription(new SqsSubscription(queue, { rawMessageDelivery: true }));
  }
}
