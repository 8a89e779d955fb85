import { Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';

/**
 * Lets `grantee` use the data key for `actions`, and only through `service` in this region
 * (kms:ViaService): a function that may read a table cannot decrypt a queue's messages with it.
 */
export function grantKeyUseVia(grantee: IGrantable, key: IKey, service: 'dynamodb' | 'sqs', actions: string[]): void {
  const stack = Stack.of(key);
  Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${stack.region}.${stack.urlSuffix}` } },
  });
}
