/**
 * Builds adapters from the validated runtime config, once per cold start. Each handler
 * asks only for what it uses, so its bundle carries only those SDK clients. What sends texts
 * (sms-sender.ts) and alerts (alert-channels.ts) is apart, with the clients only they use.
 */
import { VaultCustomerContact } from '#shared/adapters/contact/vault-contact.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoAlertStore } from '#shared/adapters/dynamodb/alert-store.ts';
import { DynamoCallTaskStore } from '#shared/adapters/dynamodb/call-task-store.ts';
import { DynamoResponseStore } from '#shared/adapters/dynamodb/response-store.ts';
import { DynamoRetentionStore } from '#shared/adapters/dynamodb/retention-store.ts';
import { DynamoRollupStore } from '#shared/adapters/dynamodb/rollup-store.ts';
import { DynamoStreakStore } from '#shared/adapters/dynamodb/streak-store.ts';
import { DynamoSurveyStore } from '#shared/adapters/dynamodb/survey-store.ts';
import { DynamoTimerIndex } from '#shared/adapters/dynamodb/timer-index.ts';
import { DynamoDeliveryStatusStore } from '#shared/adapters/dynamodb/delivery-status-store.ts';
import { DynamoTextQuota } from '#shared/adapters/dynamodb/text-quota-store.ts';
import { SqsWorkQueues } from '#shared/adapters/sqs/work-queues.ts';
import { loadRuntime, type Runtime } from '#shared/config/runtime.ts';
import { createPhoneVault } from '#shared/privacy/phone-vault.ts';
import type { Clock, CustomerContact } from '#shared/ports.ts';
import { secretSource } from './secret-source.ts';

export const runtime: Runtime = loadRuntime(process.env, await secretSource(process.env));
export const config = runtime.config;
export const clock: Clock = { now: () => new Date() };

let documentClient: ReturnType<typeof createDocumentClient> | undefined;
/** The one DynamoDB client of this function instance (its middleware stack is where the local runtime injects faults). */
export const db = () => (documentClient ??= createDocumentClient(new DynamoDBClient({})));
const retention = () => config.privacy.retentionDays;

export const surveyStore = () => new DynamoSurveyStore(db(), runtime.table('main'), retention());
export const alertStore = () => new DynamoAlertStore(db(), runtime.table('main'), retention());
export const timerIndex = () => new DynamoTimerIndex(db(), runtime.table('main'));
/** The daily cap's counters, asked by everything that texts a customer (the survey timer, the conversation). */
export const textQuota = () => new DynamoTextQuota(db(), runtime.table('main'));

/** Call-backs (电话回访): the call-back department's tasks. */
export const callTaskStore = () => new DynamoCallTaskStore(db(), runtime.table('main'), retention());
export const deliveryStatusStore = () => new DynamoDeliveryStatusStore(db(), runtime.table('main'), retention());
export const responseStore = () => new DynamoResponseStore(db(), runtime.table('scores'), retention());
export const rollupStore = () => new DynamoRollupStore(db(), runtime.table('scores'));
export const streakStore = () => new DynamoStreakStore(db(), runtime.table('scores'), retention());
export const retentionStore = () => new DynamoRetentionStore(db(), runtime.table('main'), runtime.table('scores'));
/** The customers' history items alone (the main table): contact and retention-task bookkeeping, no counters. */
export const customerHistory = () => new DynamoRetentionStore(db(), runtime.table('main'));

/** What taking in visits needs (live and imported): each visit is also a return in the retention cohorts. */
export const visitIntake = () => ({
  config,
  clock,
  surveys: surveyStore(),
  queues: workQueues(),
  vault: phoneVault(),
  retention: retentionStore(),
  alerts: alertStore(),
});

/** Queue URLs come from the function's bindings; a missing one fails loudly when used. */
export const workQueues = () =>
  // The endpoint comes from the region or AWS_ENDPOINT_URL_SQS, never from a queue URL's host
  // (fauxqs's `sqs.<region>.127.0.0.1` hosts are not valid URLs to the SDK).
  new SqsWorkQueues(new SQSClient({ useQueueUrlAsEndpoint: false }), {
    surveyDispatch: runtime.env.QUEUE_SURVEY_DISPATCH_URL,
    responses: runtime.env.QUEUE_RESPONSES_URL,
    alerts: (departmentId) => runtime.alertQueueUrl(departmentId),
  });

export function phoneVault() {
  const key = runtime.secret('PHONE_KEY');
  if (!key) throw new Error('no phone key: set PHONE_KEY or privacy.phoneKey in the config');
  return createPhoneVault(key);
}

/**
 * How a head reaches the customer: today the survey's own number, decrypted. A virtual-number
 * service (an AXB binding) would be built here instead, behind the same port.
 */
export const customerContact = (): CustomerContact => new VaultCustomerContact(surveyStore(), customerHistory(), phoneVault());
