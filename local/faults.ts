/**
 * Fault injection for the local runtime, from `LOCAL_FAULTS` (JSON): what AWS does to a running
 * system — DynamoDB throttling, a consumer that dies just before or just after a write, SQS
 * handing a message over again — put into the real SDK client's middleware stack and into the
 * event-source pollers, never into the handlers or the domain.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from '#shared/zod.ts';

const rate = z._default(z.number().check(z.gte(0), z.lte(0.5)), 0);
export const faultPlanSchema = z.object({
  seed: z._default(z.int(), 1),
  dynamodb: z._default(
    z.object({
      /** Each DynamoDB call answered ProvisionedThroughputExceededException (the SDK retries it, as in AWS). */
      throttle: rate,
      /** Each write, the caller dies before sending it. */
      crashBeforeWrite: rate,
      /** Each write, the caller dies right after it succeeded (the work is done, the caller never knows). */
      crashAfterWrite: rate,
    }),
    { throttle: 0, crashBeforeWrite: 0, crashAfterWrite: 0 },
  ),
  sqs: z._default(
    z.object({
      /** Each message a consumer finished, its delete is lost: it is handed over again after its visibility timeout. */
      loseDelete: rate,
    }),
    { loseDelete: 0 },
  ),
});
export type FaultPlan = z.infer<typeof faultPlanSchema>;

export function faultPlanFromEnv(value: string | undefined): FaultPlan | undefined {
  if (!value) return undefined;
  return faultPlanSchema.parse(JSON.parse(value));
}

export class InjectedCrash extends Error {
  override name = 'InjectedCrash';
}

const writes = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

type MiddlewareClient = Pick<DynamoDBDocumentClient, 'middlewareStack'>;

export interface FaultCounts {
  throttled: number;
  crashedBefore: number;
  crashedAfter: number;
  lostDeletes: number;
}

/** Adds the plan's DynamoDB faults to a client's middleware stack; counts what it injected. */
export function injectDynamoDbFaults(client: MiddlewareClient, plan: FaultPlan, random: () => number, counts: FaultCounts) {
  const { throttle, crashBeforeWrite, crashAfterWrite } = plan.dynamodb;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const write = writes.has(context.commandName ?? '');
      if (write && random() < crashBeforeWrite) {
        counts.crashedBefore++;
        throw new InjectedCrash(`crashed before ${context.commandName}`);
      }
      const result = await next(args);
      if (write && random() < crashAfterWrite) {
        counts.crashedAfter++;
        throw new InjectedCrash(`crashed after ${context.commandName}`);
      }
      return result;
    },
    { step: 'initialize', name: 'closedloopInjectedCrashes', priority: 'high' },
  );
  // Inside the SDK's retry loop (deserialize comes after finalizeRequest, where retries happen):
  // the SDK sees a throttling error by its name and backs off and retries, as it does in AWS.
  client.middlewareStack.add(
    (next) => async (args) => {
      if (random() < throttle) {
        counts.throttled++;
        throw Object.assign(new Error('Injected: the level of configured provisioned throughput was exceeded'), {
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'deserialize', name: 'closedloopInjectedThrottling' },
  );
}
