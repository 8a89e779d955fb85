/**
 * Local-only routes of the SMS simulator (the outbox, a phone's thread, replying as the customer),
 * the webhook receiver and the email outbox.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import * as z from '#shared/zod.ts';
import { resolveSecret } from '#shared/adapters/alert-channels/http-delivery.ts';
import type { OutboxEmailTransport } from '#shared/adapters/alert-channels/outbox-email.ts';
import type { Channel, Config } from '#shared/config/schema.ts';
import type { SimulatorSms } from '#shared/adapters/sms/simulator.ts';
import { toE164 } from '#shared/domain/phone.ts';
import type { handleInboundSms as HandleInboundSms } from '#shared/use-cases/handle-inbound-sms.ts';
import { readBody } from './api-gateway.ts';
import { phonePage } from './phone-page.ts';

const inboundSchema = z.object({
  from: z.string().check(z.trim(), z.minLength(3), z.maxLength(32)),
  to: z.optional(z.string().check(z.trim(), z.maxLength(32))),
  body: z.string().check(z.maxLength(1600)),
  messageId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});

type Reply = (status: number, body: unknown) => void;

export function createDevRoutes(options: {
  config: Readonly<Config>;
  outbox: SimulatorSms;
  webhookInbox: WebhookInbox;
  emailOutbox: OutboxEmailTransport;
  handleInbound: typeof HandleInboundSms extends (deps: never, sms: infer S) => infer R ? (sms: S) => R : never;
}) {
  const { config, outbox } = options;
  const countries = [...new Set(config.stores.map((s) => s.country))];
  /** The ways a developer may write one phone number: as typed, or in E.164 for any store's country. */
  const spellings = (phone: string) =>
    new Set([phone, ...countries.map((c) => toE164(phone, c)).filter((p): p is string => p !== undefined)]);

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://local');
    const reply: Reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /dev/phone') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(phonePage(config));
      return true;
    }
    if (route === 'GET /dev/sms/outbox') {
      const to = url.searchParams.get('to');
      const wanted = to ? spellings(to) : undefined;
      const messages = (await outbox.messages()).filter((m) => m.direction === 'outbound' && (!wanted || wanted.has(m.to)));
      reply(200, { messages });
      return true;
    }
    if (route === 'GET /dev/sms/thread') {
      const phone = url.searchParams.get('phone');
      const all = await outbox.messages();
      if (!phone) {
        const phones = [...new Set(all.map((m) => (m.direction === 'outbound' ? m.to : m.from)))];
        reply(200, { phones });
        return true;
      }
      const wanted = spellings(phone);
      reply(200, { messages: all.filter((m) => wanted.has(m.direction === 'outbound' ? m.to : m.from)) });
      return true;
    }
    if (route === 'POST /dev/sms/inbound') {
      const raw = await readBody(req);
      let parsed: ReturnType<typeof inboundSchema.safeParse>;
      try {
        parsed = inboundSchema.safeParse(JSON.parse(raw?.toString('utf8') ?? ''));
      } catch {
        reply(400, { error: { code: 'invalid_request', message: 'the body is not valid JSON' } });
        return true;
      }
      if (!parsed.success) {
        const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || '(body)', i.message]));
        reply(400, { error: { code: 'invalid_request', message: 'the body has invalid fields', fields } });
        return true;
      }
      const sms = parsed.data;
      const from = [...spellings(sms.from)].find((p) => p.startsWith('+')) ?? sms.from;
      await outbox.append({
        from,
        to: sms.to ?? 'CLOSEDLOOP',
        body: sms.body,
        sentAt: new Date().toISOString(),
        direction: 'inbound',
      });
      const result = await options.handleInbound({
        provider: 'simulator',
        messageId: sms.messageId ?? randomUUID(),
        from,
        body: sms.body,
      });
      if (result.reply && !result.duplicate) await outbox.send({ to: from, body: result.reply });
      reply(200, { reply: result.reply ?? null });
      return true;
    }
    const hook = /^POST \/dev\/webhooks\/([a-z0-9-]+)$/.exec(route);
    if (hook) {
      const raw = (await readBody(req))?.toString('utf8') ?? '';
      const departmentId = hook[1] ?? '';
      const channel = config.departments
        .find((d) => d.id === departmentId)
        ?.channels.find(
          (c): c is Extract<Channel, { type: 'webhook' }> => c.type === 'webhook' && new URL(c.url).pathname === url.pathname,
        );
      if (!channel) {
        reply(404, { error: { code: 'not_found', message: `no webhook channel of department ${departmentId} points here` } });
        return true;
      }
      let payload: unknown;
      try {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        payload = new Webhook(resolveSecret(channel.secret, process.env)).verify(raw, headers);
      } catch {
        reply(401, { error: { code: 'bad_signature', message: 'the Standard Webhooks signature does not verify' } });
        return true;
      }
      await options.webhookInbox.append({
        departmentId,
        receivedAt: new Date().toISOString(),
        webhookId: String(req.headers['webhook-id']),
        payload,
      });
      reply(200, { received: true });
      return true;
    }
    if (route === 'GET /dev/webhooks') {
      reply(200, { deliveries: await options.webhookInbox.all() });
      return true;
    }
    if (route === 'GET /dev/email/outbox') {
      const to = url.searchParams.get('to')?.toLowerCase();
      const messages = (await options.emailOutbox.messages()).filter((m) => !to || m.to.some((a) => a.toLowerCase() === to));
      reply(200, { messages });
      return true;
    }
    return false;
  };
}

/** What the local webhook receiver got, one JSON line per verified delivery. */
export class WebhookInbox {
  constructor(private readonly file: string) {}
  async append(entry: unknown) {
    await appendFile(this.file, `${JSON.stringify(entry)}\n`, 'utf8');
  }
  async all(): Promise<unknown[]> {
    const text = await readFile(this.file, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}
