import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand as DocumentScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, inject } from 'vitest';
import { twilioSignature } from '#shared/adapters/sms/twilio-signature.ts';
import { signIn } from '../../scripts/lib/sign-in.ts';

export const stack = inject('stack');
import {
  TEST_PUBLIC_BASE_URL as PUBLIC_BASE_URL,
  type StackProcess,
  type StackProcessOptions,
  startStackProcess,
  TWILIO_TEST_TOKEN as TWILIO_TOKEN,
} from '#local/stack-process.ts';

export { PUBLIC_BASE_URL, TWILIO_TOKEN };
/** The test config's people, as `npm start` serves them to its sign-in form. */
const people: { username: string; name: string; password: string; role: string; departmentId?: string }[] = JSON.parse(
  readFileSync(stack.configPath, 'utf8'),
).auth.people;
const person = (role: string, departmentId?: string) => {
  const found = people.find((p) => p.role === role && p.departmentId === departmentId);
  if (!found) throw new Error(`the test config has no ${role} ${departmentId ?? ''} person`);
  return found;
};
/** A person's access token, signing in on the local provider's form (code + PKCE), as the pages do. */
export const signInAs = async (who: { username: string; password: string }) =>
  (await signIn(stack.url, who.username, who.password)).accessToken;
export const heads = {
  cx: person('cx'),
  workshop: person('department', 'workshop'),
  advisors: person('department', 'service-advisors'),
  care: person('department', 'customer-care'),
  parts: person('department', 'parts'),
};
/** Bearer credentials of every role: people's tokens from a real sign-in, the machine key as configured. */
export const tokens = {
  ingest: 'dev-ingest-token',
  cx: await signInAs(heads.cx),
  workshop: await signInAs(heads.workshop),
  advisors: await signInAs(heads.advisors),
  care: await signInAs(heads.care),
  parts: await signInAs(heads.parts),
};

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
export const dynamo = new DynamoDBClient({ endpoint: stack.dynamodb, region: 'us-east-1', credentials });
export const sqs = new SQSClient({ endpoint: stack.sqs, region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false });

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface ApiOptions {
  method?: string;
  token?: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

/** One HTTP call to the stack at baseUrl; the body is parsed when it is JSON. */
export async function apiAt<T = any>(baseUrl: string, path: string, options: ApiOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? (body !== undefined ? 'POST' : 'GET'),
    headers,
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (TwiML, HTML)
  }
  return { status: response.status, body: parsed as T, text, headers: response.headers };
}

export const api = <T = any>(path: string, options: ApiOptions = {}) => apiAt<T>(stack.url, path, options);

/** What an alert holds, as the CX team reads it, without its SLA clock (which says what time it is now). */
export async function alertState(alertId: string) {
  const { sla: _clock, ...state } = (await api(`/v1/alerts/${alertId}`, { token: tokens.cx })).body;
  return state;
}

/** A fresh Chinese mobile number, so throttling never links two tests. */
export const newPhone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
export const e164 = (phone: string) => `+86${phone}`;

/**
 * The day a helper visit (three hours ago) falls on in a store's time zone: the day its answer is
 * counted under. Not today's UTC date, which differs for a Shanghai store from 19:00 UTC on.
 */
const localDay = (at: number, timezone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** The local day of a visit() (three hours ago). */
export const visitDay = (timezone = 'Asia/Shanghai', offsetDays = 0) =>
  localDay(Date.now() - 3 * 3600_000 + offsetDays * 86_400_000, timezone);

/** How long before its answer answerOnTheWeb's visit happened. */
const webVisitAgoMs = 60_000;

/**
 * The local day of the visits answerOnTheWeb posts: a minute ago, not three hours, so from 16:00
 * to 19:00 UTC it is the day after visitDay() in Asia/Shanghai.
 */
export const webAnswerDay = (timezone = 'Asia/Shanghai') => localDay(Date.now() - webVisitAgoMs, timezone);

export function visit(overrides: Record<string, unknown> = {}, customer: Record<string, unknown> = {}) {
  return {
    eventId: `RO-${randomUUID()}`,
    occurredAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
    storeId: 'sh-pudong',
    serviceType: 'first_service',
    customer: { id: `C-${randomUUID().slice(0, 8)}`, phone: newPhone(), name: '王先生', ...customer },
    vehicle: { vin: 'LSVAU2180N2183294', model: 'Model Y' },
    advisorId: 'A-17',
    technicianId: 'T-3',
    amount: 1200.5,
    currency: 'CNY',
    ...overrides,
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A survey's alert as the CX team lists it (of one department, when given), once it is raised. */
export const alertOfSurvey = (surveyId: string, departmentId?: string) =>
  waitFor(async () => {
    const { body } = await api(`/v1/alerts${departmentId ? `?departmentId=${departmentId}` : ''}`, { token: tokens.cx });
    return body.alerts.find((a: { surveyId: string }) => a.surveyId === surveyId);
  }, `the alert of ${surveyId}`);

/**
 * A visit at a link-mode store that ended a minute ago (the test config sends at once), its
 * web survey answered at once with `form`; `headers` set what the browser sends (its user agent).
 */
export async function answerOnTheWeb(
  overrides: Record<string, unknown>,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const body = visit({ storeId: 'sz-futian', occurredAt: new Date(Date.now() - webVisitAgoMs).toISOString(), ...overrides });
  await postVisit(body);
  const [text] = await waitForTexts(body.customer.phone, 1);
  const path = /\/s\/[A-Za-z0-9_-]{22}\b/.exec(text?.body ?? '')?.[0];
  if (!path) throw new Error(`no survey link in: ${text?.body}`);
  const answered = await api(path, {
    method: 'POST',
    body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  if (answered.status !== 200) throw new Error(`the web survey answered ${answered.status}: ${answered.text}`);
}

/** Items in every table, once nothing is moving: the "nothing was written" check. */
export async function countItems(): Promise<number> {
  const count = async () => {
    let total = 0;
    for (const table of ['closedloop-main', 'closedloop-scores']) {
      let ExclusiveStartKey: any;
      do {
        const page = await dynamo.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey }));
        total += page.Count ?? 0;
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
    return total;
  };
  let previous = await count();
  for (;;) {
    // Longer than the responses queue's 1 s batching window, so work in flight shows up.
    await new Promise((r) => setTimeout(r, 1300));
    const now = await count();
    if (now === previous) return now;
    previous = now;
  }
}

export async function queueUrl(name: string) {
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
}

export async function sendToQueue(name: string, body: unknown) {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: await queueUrl(name),
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

export async function queueDepth(name: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: await queueUrl(name),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** A local stack's address; `dynamodb` may change (a restarted stack gets a new DynamoDB Local port). */
export interface StackTarget {
  readonly url: string;
  readonly dynamodb: string;
}

/**
 * The helpers below, bound to one stack: the suite's shared one (the plain exports), or a
 * stack of a test's own (`startStackProcess` in local/stack-process.ts).
 */
export function stackClient(target: StackTarget) {
  const call = <T = any>(path: string, options: ApiOptions = {}) => apiAt<T>(target.url, path, options);
  // The shared stack's tokens are its own provider's: a stack of a test's own signs its people in
  // again, and again after 10 minutes (tokens last 15), so a long run never sends an expired one.
  const signedIn = new Map<string, { at: number; token: Promise<string> }>();
  const token = (who: keyof typeof heads) => {
    if (target.url === stack.url) return Promise.resolve(tokens[who]);
    const key = `${target.url} ${who}`;
    const cached = signedIn.get(key);
    if (cached && Date.now() - cached.at < 10 * 60_000) return cached.token;
    const fresh = signIn(target.url, heads[who].username, heads[who].password).then((t) => t.accessToken);
    signedIn.set(key, { at: Date.now(), token: fresh });
    return fresh;
  };
  const cxToken = () => token('cx');
  const postVisit = (body: unknown) => call('/v1/service-events', { token: tokens.ingest, json: body });
  const outbox = async (phone: string): Promise<{ to: string; body: string; sentAt: string }[]> =>
    (await call(`/dev/sms/outbox?to=${encodeURIComponent(phone)}`)).body.messages;
  const waitForTexts = (phone: string, count: number, timeoutMs?: number) =>
    waitFor(
      async () => {
        const messages = await outbox(phone);
        return messages.length >= count ? messages : undefined;
      },
      `${count} text(s) to ${phone}`,
      timeoutMs,
    );
  const reply = (phone: string, body: string, messageId?: string) =>
    call<{ reply: string | null }>('/dev/sms/inbound', { json: { from: phone, body, messageId } });

  let documents: { endpoint: string; client: DynamoDBDocumentClient } | undefined;
  const documentClient = () => {
    if (documents?.endpoint !== target.dynamodb) {
      documents?.client.destroy();
      const client = new DynamoDBClient({ endpoint: target.dynamodb, region: 'us-east-1', credentials });
      documents = { endpoint: target.dynamodb, client: DynamoDBDocumentClient.from(client) };
    }
    return documents.client;
  };

  return {
    api: call,
    postVisit,
    outbox,
    waitForTexts,
    reply,
    cxToken,
    token,
    scores: async (query: string, token?: string) => call(`/v1/scores?${query}`, { token: token ?? (await cxToken()) }),
    /** A request signed like Twilio's; `path` is the inbound webhook's unless given (e.g. the status callback). */
    twilioRequest(params: Record<string, string>, options: { signature?: string | null; token?: string; path?: string } = {}) {
      const path = options.path ?? '/v1/sms/twilio';
      const entries = Object.entries(params);
      const signature =
        options.signature === undefined
          ? twilioSignature(options.token ?? TWILIO_TOKEN, `${PUBLIC_BASE_URL}${path}`, entries)
          : options.signature;
      return call(path, {
        body: new URLSearchParams(entries).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature === null ? {} : { 'x-twilio-signature': signature }),
        },
      });
    },
    /** Runs a whole SMS survey for a fresh visit and returns its phone and survey id. */
    async answeredSurvey(score: string, reason: string | undefined, overrides: Record<string, unknown> = {}) {
      const body = visit(overrides);
      const ingest = await postVisit(body);
      const phone = (body.customer as { phone: string }).phone;
      // A reply in the instant between the text going out and the survey marked sent still counts.
      await waitForTexts(phone, 1, 60_000);
      await reply(phone, score);
      if (reason !== undefined) await reply(phone, reason);
      return { phone, surveyId: ingest.body.survey.id as string, eventId: body.eventId };
    },
    /** Every item of a table (`closedloop-main`, `closedloop-scores`), as plain objects. */
    async scanTable(table: string): Promise<Record<string, unknown>[]> {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documentClient().send(new DocumentScanCommand({ TableName: table, ExclusiveStartKey }));
        items.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items;
    },
    /** A survey's stored item (its status, timer, TTL), read consistently. */
    async surveyItem(surveyId: string): Promise<Record<string, unknown> | undefined> {
      const { Item } = await documentClient().send(
        new GetCommand({ TableName: 'closedloop-main', Key: { pk: `SURVEY#${surveyId}`, sk: 'SURVEY' }, ConsistentRead: true }),
      );
      return Item;
    },
  };
}

const shared = stackClient(stack);
export const postVisit = shared.postVisit;
export const outbox = shared.outbox;
export const waitForTexts = shared.waitForTexts;
export const reply = shared.reply;
export const scores = shared.scores;
export const twilioRequest = shared.twilioRequest;
export const answeredSurvey = shared.answeredSurvey;

/**
 * A stack of the calling test file's own (its own config, so its counts are exact), started before
 * the file's tests and disposed of after them: the helpers above, bound to it.
 */
export function ownStack(config: StackProcessOptions['config']) {
  let running: StackProcess | undefined;
  beforeAll(async () => {
    running = await startStackProcess({ config });
  });
  afterAll(async () => {
    await running?.dispose();
  });
  return stackClient({
    get url() {
      return running?.url ?? '';
    },
    get dynamodb() {
      return running?.dynamodb ?? '';
    },
  });
}
