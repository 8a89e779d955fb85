import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { twilioSignature } from '#shared/adapters/sms/twilio-signature.ts';

export const stack = inject('stack');
export const TWILIO_TOKEN = 'test-twilio-auth-token';
export const PUBLIC_BASE_URL = 'https://closedloop.example.com';
export const tokens = {
  cx: 'dev-cx-token',
  ingest: 'dev-ingest-token',
  workshop: 'dev-workshop-token',
  advisors: 'dev-advisors-token',
  care: 'dev-care-token',
  parts: 'dev-parts-token',
};

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
export const dynamo = new DynamoDBClient({ endpoint: stack.dynamodb, region: 'us-east-1', credentials });
export const sqs = new SQSClient({ endpoint: stack.sqs, region: 'us-east-1', credentials });

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export async function api<T = any>(
  path: string,
  options: { method?: string; token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${stack.url}${path}`, {
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

/** A fresh Chinese mobile number, so throttling never links two tests. */
export const newPhone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
export const e164 = (phone: string) => `+86${phone}`;

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

export const postVisit = (body: unknown) => api('/v1/service-events', { token: tokens.ingest, json: body });

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function outbox(phone: string): Promise<{ to: string; body: string; sentAt: string }[]> {
  return (await api(`/dev/sms/outbox?to=${encodeURIComponent(phone)}`)).body.messages;
}

export const waitForTexts = (phone: string, count: number) =>
  waitFor(async () => {
    const messages = await outbox(phone);
    return messages.length >= count ? messages : undefined;
  }, `${count} text(s) to ${phone}`);

export const reply = (phone: string, body: string, messageId?: string) =>
  api<{ reply: string | null }>('/dev/sms/inbound', { json: { from: phone, body, messageId } });

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

export async function scores(query: string, token = tokens.cx) {
  return api(`/v1/scores?${query}`, { token });
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

export function twilioRequest(params: Record<string, string>, options: { signature?: string | null; token?: string } = {}) {
  const path = '/v1/sms/twilio';
  const entries = Object.entries(params);
  const signature =
    options.signature === undefined
      ? twilioSignature(options.token ?? TWILIO_TOKEN, `${PUBLIC_BASE_URL}${path}`, entries)
      : options.signature;
  return api(path, {
    body: new URLSearchParams(entries).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    },
  });
}

/** Runs a whole SMS survey for a fresh visit and returns its phone and survey id. */
export async function answeredSurvey(score: string, reason: string | undefined, overrides: Record<string, unknown> = {}) {
  const body = visit(overrides);
  const ingest = await postVisit(body);
  const phone = (body.customer as { phone: string }).phone;
  await waitForTexts(phone, 1);
  await reply(phone, score);
  if (reason !== undefined) await reply(phone, reason);
  return { phone, surveyId: ingest.body.survey.id as string, eventId: body.eventId };
}
