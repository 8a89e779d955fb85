/**
 * The local runtime: the topology's very handler modules, on this machine, against real
 * emulators (DynamoDB Local, fauxqs) with real AWS SDK v3 clients.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { buildTopology, commonEnvironment, envNamesOf, type FunctionSpec, type Topology } from '#infra/topology.ts';
import { normalizeWiring, type Wiring } from '#infra/wiring.ts';
import { loadConfigFile } from '#shared/config/load.ts';
import { envNameForQueue, envNameForTable } from '#shared/config/resource-names.ts';
import type { Config } from '#shared/config/schema.ts';
import { SimulatorSms } from '#shared/adapters/sms/simulator.ts';
import { OutboxEmailTransport } from '#shared/adapters/alert-channels/outbox-email.ts';
import { findMachineKey } from '#shared/use-cases/identity.ts';
import type { SignInClient } from '#shared/config/sign-in.ts';
import { jwtAuthorizer } from './jwt-authorizer.ts';
import { API_AUDIENCE, startLocalOidc, WEB_CLIENT_ID, WEB_SCOPES } from './oidc-provider.ts';
import { ApiGatewayEmulator, type HttpLambda, type LocalRoute } from './api-gateway.ts';
import { DeadLetterQueues } from './dead-letters.ts';
import { createDevRoutes, WebhookInbox } from './dev-routes.ts';
import { createWechatRoutes } from './wechat-routes.ts';
import { ensureTables, startDynamoDbLocal } from './dynamodb-local.ts';
import { QueuePoller, ScheduleTimer, type SqsLambda } from './event-sources.ts';
import { StartupError } from './startup-error.ts';
import { type StreamLambda, StreamPoller } from './stream-source.ts';
import { type FaultCounts, type FaultPlan, injectDynamoDbFaults } from './faults.ts';
import { freePort } from './free-port.ts';
import { seededRandom } from './seeded-random.ts';
import { siteFiles, writeSite } from '#web/build.ts';
import { SIGN_IN_FILE } from '#web/site.ts';
import { staticSite } from './static-site.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface LocalOptions {
  configPath: string;
  dataDir: string;
  port: number;
  host?: string;
  publicBaseUrl?: string | undefined;
  /** Tests shorten these; the topology's values are the default. */
  visibilityTimeoutSeconds?: number | undefined;
  scheduleIntervalMs?: number | undefined;
  /** Faults to inject into DynamoDB calls and queue deletes (LOCAL_FAULTS); none when absent. */
  faults?: FaultPlan | undefined;
  /** Caps every stream trigger's batching window (tests want rollups within a second). */
  streamBatchingWindowMs?: number | undefined;
  onError?: (error: unknown) => void;
}

export interface LocalStack {
  url: string;
  config: Readonly<Config>;
  topology: Topology;
  endpoints: { dynamodb: string; sqs: string };
  /** The local OpenID Connect provider people sign in with, and the pages' client. */
  signIn: SignInClient;
  tables: Record<string, string>;
  queues: Record<string, { url: string; dlqUrl: string }>;
  stop(): Promise<void>;
}

export const localTableName = (table: string) => `closedloop-${table}`;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(`port ${port} is busy: stop what uses it, or run with PORT=<another port>`)
          : error,
      ),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolveListen(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** A phone key for local data, made once and kept with it, when neither env nor config gives one. */
function localPhoneKey(dataDir: string): string {
  const file = join(dataDir, 'local-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).phoneKey;
  const phoneKey = randomBytes(32).toString('base64url');
  writeFileSync(file, JSON.stringify({ phoneKey }), { mode: 0o600 });
  return phoneKey;
}

export async function startLocalStack(options: LocalOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const configPath = resolve(options.configPath);
  const config = loadConfigFile(configPath);
  const topology = buildTopology(config);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const onError = options.onError ?? ((error) => console.error('[local]', error));

  // Listen first: a busy port is reported before anything slow starts.
  let ready: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server = createServer((req, res) => {
    if (!ready) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: 'starting', message: 'the local stack is starting' } }));
      return;
    }
    ready(req, res).catch((error) => {
      onError(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } }));
    });
  });
  const port = await listen(server, options.port, host);
  const url = `http://${host}:${port}`;
  const stoppers: (() => Promise<void>)[] = [async () => void (await new Promise((r) => server.close(r)))];
  const stop = async () => {
    for (const s of stoppers.splice(0).reverse()) await s().catch(onError);
  };

  try {
    const oidc = await startLocalOidc({ issuer: url, config, dataDir });
    const signInClient: SignInClient = { issuer: url, clientId: WEB_CLIENT_ID, scope: WEB_SCOPES };
    const dynamo = await startDynamoDbLocal({ dataDir, port: await freePort(host) });
    stoppers.push(() => dynamo.stop());
    const fauxqs = await startFauxqs({ port: 0, host, logger: false });
    stoppers.push(() => fauxqs.stop());

    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const region = 'us-east-1';
    const queues: LocalStack['queues'] = {};
    const queueArns: Record<string, string> = {};
    const queueRedrive: Record<string, string> = {};
    const eventSources: Wiring['eventSources'] = [];
    const schedules: Wiring['schedules'] = [];
    const streams: Wiring['streams'] = [];
    for (const queue of topology.queues) {
      const dlq = fauxqs.createQueue(`${queue.name}-dlq`, {
        attributes: { MessageRetentionPeriod: String(queue.deadLetterRetentionDays * 86_400) },
      });
      const main = fauxqs.createQueue(queue.name, {
        attributes: {
          VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(queue.retentionDays * 86_400),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: queue.maxReceiveCount }),
        },
      });
      queues[queue.name] = { url: main.queueUrl, dlqUrl: dlq.queueUrl };
      queueRedrive[queue.name] = dlq.queueName;
      queueArns[queue.name] = main.queueArn;
    }
    const tables = Object.fromEntries(topology.tables.map((t) => [t.name, localTableName(t.name)]));

    // What the bindings set in AWS, set here for the same handler modules.
    Object.assign(process.env, {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: fauxqs.address,
      CLOSEDLOOP_CONFIG: configPath,
      // No Secrets Manager here: the config's `secret:NAME` references, if any, come from the environment.
      CLOSEDLOOP_SECRETS: 'env',
      SMS_SIMULATOR_OUTBOX: join(dataDir, 'sms-outbox.jsonl'),
      // Alert emails stay on this machine: the handlers write them here instead of calling SES.
      EMAIL_OUTBOX: join(dataDir, 'email-outbox.jsonl'),
      PUBLIC_BASE_URL: options.publicBaseUrl ?? process.env.PUBLIC_BASE_URL ?? url,
      // Relative channel URLs (config/local.json's /dev/webhooks/…) reach this stack on whatever port it has,
      // not PUBLIC_BASE_URL, which may be a tunnel or a made-up host for Twilio's signatures.
      CHANNEL_BASE_URL: url,
      PHONE_KEY: process.env.PHONE_KEY ?? config.privacy.phoneKey ?? localPhoneKey(dataDir),
      POWERTOOLS_SERVICE_NAME: 'closedloop',
      ...Object.fromEntries(Object.entries(tables).map(([name, tableName]) => [envNameForTable(name), tableName])),
      ...Object.fromEntries(Object.entries(queues).map(([name, q]) => [envNameForQueue(name), q.url])),
    });

    const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
    const streamArns = await ensureTables(dynamoClient, topology.tables, (t) => localTableName(t.name));
    dynamoClient.destroy();

    // The pages, as the deployment puts them in the bucket: built from this config, the sign-in client beside them.
    const siteDir = join(dataDir, 'site');
    writeSite({ ...siteFiles(config), [SIGN_IN_FILE]: JSON.stringify(signInClient) }, siteDir);
    const pages = staticSite(siteDir, [new URL(signInClient.issuer).origin]);
    const modules = new Map<string, { handler: unknown }>();
    for (const fn of topology.functions) {
      modules.set(fn.name, await import(pathToFileURL(join(repoRoot, fn.entry)).href));
    }
    const handlerOf = <T>(fn: FunctionSpec) => modules.get(fn.name)?.handler as T;

    const routes: LocalRoute[] = topology.functions.flatMap((fn) =>
      fn.triggers.flatMap((t) =>
        t.kind === 'http'
          ? [{ method: t.method, path: t.path, auth: t.auth, functionName: fn.name, handler: handlerOf<HttpLambda>(fn) }]
          : [],
      ),
    );
    const compose = await import('#functions/lib/compose.ts');
    const api = new ApiGatewayEmulator(routes, {
      people: jwtAuthorizer({ issuer: url, audience: [API_AUDIENCE, WEB_CLIENT_ID] }),
      isMachineKey: (credential) => findMachineKey(compose.config.auth.tokens, credential) !== undefined,
    });
    const faultCounts: FaultCounts = { throttled: 0, crashedBefore: 0, crashedAfter: 0, lostDeletes: 0 };
    const random = seededRandom(options.faults?.seed ?? 1);
    if (options.faults) injectDynamoDbFaults(compose.db(), options.faults, random, faultCounts);
    const loseDeleteRate = options.faults?.sqs.loseDelete ?? 0;
    const loseDelete = loseDeleteRate
      ? () => {
          const lost = random() < loseDeleteRate;
          if (lost) faultCounts.lostDeletes++;
          return lost;
        }
      : undefined;
    const { handleInboundSms } = await import('#shared/use-cases/handle-inbound-sms.ts');
    const inboundDeps = {
      config: compose.config,
      clock: compose.clock,
      surveys: compose.surveyStore(),
      queues: compose.workQueues(),
      vault: compose.phoneVault(),
      quota: compose.textQuota(),
    };
    const devRoutes = createDevRoutes({
      // The handlers' config: secrets and relative channel URLs resolved, as the receiver compares URLs.
      config: compose.config,
      outbox: new SimulatorSms(join(dataDir, 'sms-outbox.jsonl')),
      webhookInbox: new WebhookInbox(join(dataDir, 'webhooks-received.jsonl')),
      emailOutbox: new OutboxEmailTransport(join(dataDir, 'email-outbox.jsonl')),
      handleInbound: (sms) => handleInboundSms(inboundDeps, sms),
    });

    // WeChat's API as a fake on this stack's own port (the shipped config's wechat.apiBaseUrl), and its simulator page.
    const wechatRoutes = createWechatRoutes({
      config: compose.config,
      appSecret: compose.runtime.secret('WECHAT_APP_SECRET'),
      outboxFile: join(dataDir, 'wechat-outbox.jsonl'),
    });

    const sqs = new SQSClient({ endpoint: fauxqs.address, region, credentials, useQueueUrlAsEndpoint: false });
    const streamsClient = new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region, credentials });
    for (const fn of topology.functions) {
      for (const trigger of fn.triggers) {
        if (trigger.kind === 'queue') {
          const queue = queues[trigger.queue];
          if (!queue) throw new Error(`${fn.name} is triggered by unknown queue ${trigger.queue}`);
          const poller = new QueuePoller(sqs, handlerOf<SqsLambda>(fn), {
            functionName: fn.name,
            queueUrl: queue.url,
            queueArn: queueArns[trigger.queue] ?? '',
            batchSize: trigger.batchSize,
            maxBatchingWindowSeconds: trigger.maxBatchingWindowSeconds,
            timeoutSeconds: fn.timeoutSeconds,
            onError,
            loseDelete,
          });
          poller.start();
          eventSources.push({
            function: fn.name,
            queue: trigger.queue,
            batchSize: trigger.batchSize,
            maxBatchingWindowSeconds: trigger.maxBatchingWindowSeconds,
          });
          stoppers.push(() => poller.stop());
        } else if (trigger.kind === 'schedule') {
          const schedule = new ScheduleTimer(
            fn.name,
            handlerOf(fn),
            options.scheduleIntervalMs ?? trigger.rateMinutes * 60_000,
            onError,
          );
          schedule.start();
          schedules.push({ function: fn.name, rateMinutes: trigger.rateMinutes });
          stoppers.push(() => schedule.stop());
        } else if (trigger.kind === 'stream') {
          const streamArn = streamArns[trigger.table];
          if (!streamArn) throw new Error(`${fn.name} is triggered by table ${trigger.table}, which has no stream`);
          const poller = new StreamPoller(streamsClient, handlerOf<StreamLambda>(fn), {
            functionName: fn.name,
            streamArn,
            itemTypes: trigger.itemTypes,
            batchSize: trigger.batchSize,
            maxBatchingWindowMs: Math.min(
              trigger.maxBatchingWindowSeconds * 1000,
              options.streamBatchingWindowMs ?? Number.POSITIVE_INFINITY,
            ),
            timeoutSeconds: fn.timeoutSeconds,
            checkpointFile: join(dataDir, 'stream-checkpoints', `${fn.name}.${trigger.table}.json`),
            onError,
          });
          poller.start();
          streams.push({
            function: fn.name,
            table: trigger.table,
            itemTypes: trigger.itemTypes,
            batchSize: trigger.batchSize,
            maxBatchingWindowSeconds: trigger.maxBatchingWindowSeconds,
            onFailure: trigger.onFailure,
          });
          stoppers.push(() => poller.stop());
        }
      }
    }

    const deadLetters = new DeadLetterQueues(sqs, queues);
    // What this runtime actually built, in the shape infra/wiring.ts gives the CDK stack.
    const wiring: Wiring = {
      tables: Object.keys(tables),
      queues: Object.entries(queueRedrive).map(([name, deadLetterQueue]) => ({ name, deadLetterQueue })),
      // The emulator runs the JWT authorizer on exactly the people's routes (local/api-gateway.ts).
      routes: routes.map((r) => ({
        routeKey: `${r.method} ${r.path}`,
        function: r.functionName,
        authorizer: r.auth === 'people' ? 'jwt' : 'none',
      })),
      eventSources,
      streams,
      schedules,
      environment: Object.fromEntries(
        topology.functions.map((fn) => [
          fn.name,
          [...commonEnvironment, ...envNamesOf(fn.bindings)].filter((n) => n in process.env),
        ]),
      ),
      // No SNS here: topics carry the aws SMS provider's replies, and locally SMS is the simulator.
      topics: [],
    };
    ready = async (req, res) => {
      if (await api.handle(req, res)) return;
      if (await pages(req, res)) return;
      if (await oidc.handle(req, res)) return;
      if (await wechatRoutes(req, res)) return;
      if (await devRoutes(req, res)) return;
      if (await deadLetters.handle(req, res)) return;
      if (req.method === 'GET' && req.url === '/dev/faults') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ plan: options.faults ?? null, injected: faultCounts }));
        return;
      }
      if (req.method === 'GET' && req.url === '/dev/wiring') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(normalizeWiring(wiring)));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { code: 'not_found', message: `no route for ${req.method} ${new URL(req.url ?? '/', url).pathname}` },
        }),
      );
    };
    return {
      url,
      config,
      topology,
      endpoints: { dynamodb: dynamo.endpoint, sqs: fauxqs.address },
      signIn: signInClient,
      tables,
      queues,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
