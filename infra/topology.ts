/**
 * The one plain-data description of ClosedLoop: tables, queues, functions, their
 * triggers and bindings. The CDK stack (infra/stack.ts) and the local runtime
 * (local/runtime.ts) are both built from `buildTopology(config)`, so they cannot drift.
 */
import type { Config } from '#shared/config/schema.ts';
import { alertQueueName, envNameForQueue, envNameForTable, twilioStatusCallbackPath } from '#shared/config/resource-names.ts';

export interface KeySpec {
  name: string;
  type: 'S' | 'N';
}
export interface TableSpec {
  name: string;
  partitionKey: KeySpec;
  sortKey: KeySpec;
  timeToLiveAttribute: string;
  indexes: { name: string; partitionKey: KeySpec; sortKey: KeySpec }[];
  /** A change stream, and what each record carries: the new item, or the old and the new. */
  stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES' | undefined;
}
export interface QueueSpec {
  name: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  retentionDays: number;
  deadLetterRetentionDays: number;
}
export type Binding =
  | { kind: 'table'; table: string; access: 'read' | 'readWrite' }
  | { kind: 'queue'; queue: string; access: 'send' }
  /** The public URL the pages and the API share (the CloudFront distribution's): what Twilio signs, and where links in alerts point. */
  | { kind: 'api' }
  /** Sends email through Amazon SES (an email alert channel); no variable: SES is the function's region's. */
  | { kind: 'email' }
  /** Sends SMS through AWS End User Messaging (the `aws` SMS provider); no variable: the config names the sender. */
  | { kind: 'sms' };
/** API Gateway throttling of one route: steady requests per second, and the burst above it. */
export interface RouteThrottle {
  rateLimit: number;
  burstLimit: number;
}
/**
 * Per-route throttles. Webhooks take machine traffic in bursts (a DMS syncing a day's visits,
 * Twilio relaying replies); people's routes (staff reading and acting, customers answering
 * the web survey) stay far below theirs; the stage's default caps the API as a whole.
 */
export const routeThrottles = {
  stage: { rateLimit: 200, burstLimit: 400 },
  webhook: { rateLimit: 100, burstLimit: 200 },
  read: { rateLimit: 20, burstLimit: 50 },
  write: { rateLimit: 20, burstLimit: 40 },
} satisfies Record<string, RouteThrottle>;
/**
 * Who may call a route, checked before its handler runs. `people`: the HTTP API's JWT authorizer
 * (a signed-in person, or an OAuth client by client credentials); the other kinds are proven by
 * the request itself, in the handler: a machine key (its SHA-256), Twilio's signature, the web
 * survey's single-use token; `public` documents (the OpenAPI document) need nothing. The pages are no
 * routes of the API: they are static files (web/site.ts) beside it on the same origin.
 */
export type RouteAuth = 'people' | 'machine-key' | 'twilio-signature' | 'survey-token' | 'public';
export type Trigger =
  | { kind: 'http'; method: 'GET' | 'POST'; path: string; auth: RouteAuth; throttle: RouteThrottle }
  | { kind: 'queue'; queue: string; batchSize: number; maxBatchingWindowSeconds: number }
  | { kind: 'schedule'; rateMinutes: number }
  /**
   * A table's change stream, from its oldest record, a batch at a time; only items whose `type`
   * is one of `itemTypes` reach the function. A failed batch is retried whole, never split;
   * records it gives up on (after the stream's 24 hours) go to the `onFailure` queue.
   */
  | {
      kind: 'stream';
      table: string;
      itemTypes: string[];
      batchSize: number;
      maxBatchingWindowSeconds: number;
      onFailure: string;
    };
export interface FunctionSpec {
  name: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  triggers: Trigger[];
  bindings: Binding[];
}
/** An SNS topic an AWS service publishes to, delivering each message to one queue (raw delivery). */
export interface TopicSpec {
  name: string;
  queue: string;
  /** The one service principal allowed to publish, e.g. `sms-voice.amazonaws.com`. */
  publisherService: string;
}
export interface Topology {
  tables: TableSpec[];
  queues: QueueSpec[];
  functions: FunctionSpec[];
  topics: TopicSpec[];
}

const S = (name: string): KeySpec => ({ name, type: 'S' });

/**
 * The rollups' stream batches: as large as Lambda allows, within half a minute. A batch costs
 * one write per distinct bucket it touches (bounded by stores × advisors × … × open periods,
 * not by answers), so the fuller the batch the closer an answer gets to its floor of 1 write
 * unit; half a minute is how stale the dashboard may be, alerts do not wait for it.
 */
const STREAM_BATCH = 10_000;
const STREAM_WINDOW_SECONDS = 30;

/** Lambda's advice: a queue's visibility timeout is at least six times its consumer's timeout. */
const queueFor = (name: string, consumerTimeoutSeconds: number): QueueSpec => ({
  name,
  visibilityTimeoutSeconds: consumerTimeoutSeconds * 6,
  maxReceiveCount: 5,
  retentionDays: 4,
  deadLetterRetentionDays: 14,
});

export function buildTopology(config: Pick<Config, 'departments' | 'sms'>): Topology {
  const alertQueues = config.departments.map((d) => alertQueueName(d.id));
  const sendToAlertQueues: Binding[] = alertQueues.map((queue) => ({ kind: 'queue', queue, access: 'send' }));
  const main = (access: 'read' | 'readWrite'): Binding => ({ kind: 'table', table: 'main', access });
  const scores = (access: 'read' | 'readWrite'): Binding => ({ kind: 'table', table: 'scores', access });
  const send = (queue: string): Binding => ({ kind: 'queue', queue, access: 'send' });
  const http = (
    method: 'GET' | 'POST',
    path: string,
    auth: RouteAuth,
    throttle = method === 'GET' ? routeThrottles.read : routeThrottles.write,
  ): Trigger => ({ kind: 'http', method, path, auth, throttle });
  const people = (method: 'GET' | 'POST', path: string) => http(method, path, 'people');
  const webhook = (path: string, auth: RouteAuth) => http('POST', path, auth, routeThrottles.webhook);
  const api = (name: string, description: string, trigger: Trigger, bindings: Binding[]): FunctionSpec => ({
    name,
    entry: `functions/http/${name}.ts`,
    description,
    timeoutSeconds: 10,
    memoryMb: 512,
    triggers: [trigger],
    bindings,
  });
  const consumerTimeout = 30;
  const rollupTimeout = 60;
  // AWS End User Messaging: texts go out through its API, and replies come in through SNS → SQS.
  const awsSms = config.sms.provider === 'aws';
  const sendSms: Binding[] = awsSms ? [{ kind: 'sms' }] : [];
  const sendsEmail = config.departments.some((d) => d.channels.some((c) => c.type === 'email'));

  return {
    tables: [
      {
        // Surveys and their conversations, alerts, opt-outs and idempotency records.
        name: 'main',
        partitionKey: S('pk'),
        sortKey: S('sk'),
        timeToLiveAttribute: 'expiresAt',
        // Visits, sends and answers feed the survey funnel's rollups.
        stream: 'NEW_AND_OLD_IMAGES',
        indexes: [
          // Sparse, sharded index of pending timers (sends, reminders, expiries, deliveries).
          { name: 'due', partitionKey: S('duePk'), sortKey: S('dueSk') },
          // Lookups: a phone's surveys newest first, a department's alerts newest first.
          { name: 'lookup', partitionKey: S('lookupPk'), sortKey: S('lookupSk') },
        ],
      },
      {
        // Scored answers and their pre-aggregated rollups; new answers feed the rollups.
        name: 'scores',
        partitionKey: S('pk'),
        sortKey: S('sk'),
        timeToLiveAttribute: 'expiresAt',
        stream: 'NEW_IMAGE',
        indexes: [],
      },
    ],
    queues: [
      queueFor('survey-dispatch', consumerTimeout),
      queueFor('responses', consumerTimeout),
      // Stream batches the rollups gave up on: kept for inspection and replay, never silently dropped.
      queueFor('rollup-failures', rollupTimeout),
      ...alertQueues.map((name) => queueFor(name, consumerTimeout)),
      ...(awsSms ? [queueFor('sms-inbound', consumerTimeout)] : []),
    ],
    functions: [
      api(
        'ingest-service-event',
        'Schedules the survey for a completed service visit',
        webhook('/v1/service-events', 'machine-key'),
        // scores: a visit that is a surveyed customer's return counts in their cohort's bucket.
        [main('readWrite'), scores('readWrite'), send('survey-dispatch')],
      ),
      {
        ...api(
          'import-answers',
          "Imports past visits and their answers from another tool's history",
          http('POST', '/v1/imports', 'machine-key'),
          [main('readWrite'), scores('readWrite'), send('responses')],
        ),
        // A bulk request while the scorer works alongside: as long as API Gateway waits (30 s), not 10 s.
        timeoutSeconds: 29,
      },
      api(
        'twilio-inbound-sms',
        "Twilio's inbound SMS webhook: one conversation step",
        webhook('/v1/sms/twilio', 'twilio-signature'),
        [main('readWrite'), send('responses'), { kind: 'api' }],
      ),
      api(
        'twilio-delivery-status',
        "Twilio's status callback: delivery status of the texts we sent",
        webhook(twilioStatusCallbackPath, 'twilio-signature'),
        [main('readWrite'), { kind: 'api' }],
      ),
      api('get-scores', 'Rolled-up NPS, CSAT and CES', people('GET', '/v1/scores'), [scores('read')]),
      api('get-funnel', 'Visits, surveys sent and answered, suppressions by reason', people('GET', '/v1/funnel'), [
        scores('read'),
      ]),
      api('list-responses', 'The answers and verbatims behind a bucket', people('GET', '/v1/responses'), [scores('read')]),
      api('get-integrity', 'Integrity signals per store or advisor, beside the score', people('GET', '/v1/integrity'), [
        scores('read'),
      ]),
      api(
        'get-retention',
        'Whether surveyed customers came back, by class of their answer, with 95% intervals',
        people('GET', '/v1/retention'),
        [scores('read')],
      ),
      api('list-alerts', 'Detractor alerts, by department and status', people('GET', '/v1/alerts'), [main('read')]),
      api('get-alert', 'One alert with its actions', people('GET', '/v1/alerts/{id}'), [main('read')]),
      api('act-on-alert', 'Acknowledge, contact, resolve or reassign an alert', people('POST', '/v1/alerts/{id}/actions'), [
        main('readWrite'),
        ...sendToAlertQueues,
      ]),
      api(
        'reveal-alert-contact',
        "The customer's number for the person following up an alert, recorded in its actions",
        people('POST', '/v1/alerts/{id}/contact'),
        [main('readWrite')],
      ),
      api(
        'list-callbacks',
        "The call-back department's call tasks (电话回访), open ones due first",
        people('GET', '/v1/callbacks'),
        [main('read')],
      ),
      api('get-callback', 'One call task with its script and its calls', people('GET', '/v1/callbacks/{id}'), [main('read')]),
      api(
        'record-call-outcome',
        "How a call-back's call ended; an answer goes to the scorer with channel call and the caller",
        people('POST', '/v1/callbacks/{id}/outcome'),
        [main('readWrite'), send('responses')],
      ),
      api(
        'reveal-callback-contact',
        "The customer's number for the caller of a call task, recorded in its log",
        people('POST', '/v1/callbacks/{id}/contact'),
        [main('readWrite')],
      ),
      api('get-closed-loop', 'Follow-up, closed-loop, SLA and recovery figures', people('GET', '/v1/closed-loop'), [
        main('read'),
      ]),
      api('get-openapi', 'The OpenAPI 3.1 document of this API', http('GET', '/openapi.json', 'public'), []),
      api('get-web-survey', 'The one-page web survey a link-mode text points to', http('GET', '/s/{token}', 'survey-token'), [
        main('read'),
      ]),
      api('post-web-survey', 'Takes the one answer of a web survey', http('POST', '/s/{token}', 'survey-token'), [
        main('readWrite'),
        send('responses'),
      ]),
      {
        name: 'run-survey-timer',
        entry: 'functions/sqs/run-survey-timer.ts',
        description: 'Sends due surveys and reminders, expires and closes conversations, raises retention tasks',
        timeoutSeconds: consumerTimeout,
        memoryMb: 512,
        triggers: [{ kind: 'queue', queue: 'survey-dispatch', batchSize: 10, maxBatchingWindowSeconds: 0 }],
        // The scores table for the segment counters a quiet customer's recency timer moves.
        bindings: [main('readWrite'), scores('readWrite'), send('responses'), { kind: 'api' }, ...sendSms, ...sendToAlertQueues],
      },
      ...(awsSms
        ? [
            {
              name: 'aws-inbound-sms',
              entry: 'functions/sqs/aws-inbound-sms.ts',
              description: 'Two-way SMS through AWS End User Messaging: one conversation step, and the reply',
              timeoutSeconds: consumerTimeout,
              memoryMb: 512,
              triggers: [{ kind: 'queue', queue: 'sms-inbound', batchSize: 10, maxBatchingWindowSeconds: 0 } as const],
              bindings: [main('readWrite'), send('responses'), ...sendSms],
            },
          ]
        : []),
      {
        name: 'score-response',
        entry: 'functions/sqs/score-response.ts',
        description: 'Records answers exactly once into responses and rollups; raises detractor alerts',
        timeoutSeconds: consumerTimeout,
        memoryMb: 512,
        // 100 a batch: an imported history's answers are recorded a batch together (recordAnswers), in
        // about the same few requests for 100 as for 25, and a consumer takes one batch at a time.
        triggers: [{ kind: 'queue', queue: 'responses', batchSize: 100, maxBatchingWindowSeconds: 1 }],
        bindings: [main('readWrite'), scores('readWrite'), ...sendToAlertQueues],
      },
      {
        name: 'aggregate-rollups',
        entry: 'functions/stream/aggregate-rollups.ts',
        description: 'Folds batches of answers and funnel steps into the rollups, one write per bucket a batch',
        timeoutSeconds: rollupTimeout,
        memoryMb: 1024,
        triggers: [
          {
            kind: 'stream',
            table: 'scores',
            // Kept answers, and each advisor's answers by answer time (the streaks decided here).
            itemTypes: ['response', 'streak-answer'],
            batchSize: STREAM_BATCH,
            maxBatchingWindowSeconds: STREAM_WINDOW_SECONDS,
            onFailure: 'rollup-failures',
          },
          {
            kind: 'stream',
            table: 'main',
            itemTypes: ['survey', 'event'],
            batchSize: STREAM_BATCH,
            maxBatchingWindowSeconds: STREAM_WINDOW_SECONDS,
            onFailure: 'rollup-failures',
          },
        ],
        bindings: [scores('readWrite')],
      },
      {
        name: 'deliver-alert',
        entry: 'functions/sqs/deliver-alert.ts',
        description: "Delivers alerts to their department's channels",
        timeoutSeconds: consumerTimeout,
        memoryMb: 512,
        triggers: alertQueues.map((queue) => ({ kind: 'queue', queue, batchSize: 5, maxBatchingWindowSeconds: 0 })),
        bindings: [main('readWrite'), { kind: 'api' }, ...(sendsEmail ? [{ kind: 'email' } as const] : [])],
      },
      {
        name: 'sweep-timers',
        entry: 'functions/schedule/sweep-timers.ts',
        description: 'Every minute: hands due timers to their queues',
        timeoutSeconds: 60,
        memoryMb: 512,
        triggers: [{ kind: 'schedule', rateMinutes: 1 }],
        bindings: [main('readWrite'), send('survey-dispatch'), ...sendToAlertQueues],
      },
    ],
    topics: awsSms ? [{ name: 'sms-inbound', queue: 'sms-inbound', publisherService: 'sms-voice.amazonaws.com' }] : [],
  };
}

/** The environment variable a binding sets on its function, if it sets one. */
export function envNameForBinding(binding: Binding): string | undefined {
  switch (binding.kind) {
    case 'table':
      return envNameForTable(binding.table);
    case 'queue':
      return envNameForQueue(binding.queue);
    case 'api':
      return 'PUBLIC_BASE_URL';
    case 'email':
    case 'sms':
      return undefined;
  }
}

/** The environment variables a function's bindings set. */
export const envNamesOf = (bindings: Binding[]): string[] =>
  bindings.flatMap((b) => {
    const name = envNameForBinding(b);
    return name === undefined ? [] : [name];
  });

/**
 * Variables every function gets besides its bindings. CLOSEDLOOP_SECRETS says where the config's
 * `secret:NAME` references are read: every function parses the one config, so every function reads them.
 */
export const commonEnvironment = ['CLOSEDLOOP_CONFIG', 'CLOSEDLOOP_SECRETS', 'POWERTOOLS_SERVICE_NAME'] as const;

export function httpRoutes(topology: Topology) {
  return topology.functions.flatMap((fn) =>
    fn.triggers.flatMap((t) => (t.kind === 'http' ? [{ method: t.method, path: t.path, auth: t.auth, function: fn.name }] : [])),
  );
}
