/** The running local stack's HTTP API, as the benchmark uses it: real requests, parsed answers. */
import * as z from '#shared/zod.ts';

import { clientToken } from '../scripts/lib/sign-in.ts';

export const tokens = { ingest: 'dev-ingest-token' } as const;
/** The shipped config's BI client: the bench reads scores as a BI tool would, by client credentials. */
const reader = { clientId: 'bi-reader', secret: 'dev-bi-reader-secret' };

const scoresBody = z.object({ buckets: z.array(z.object({ period: z.string(), group: z.string(), responses: z.number() })) });
const funnelBody = z.object({ buckets: z.array(z.object({ sent: z.number(), visits: z.number(), answered: z.number() })) });
const ingestBody = z.object({ survey: z.object({ status: z.string(), reason: z.optional(z.string()) }) });
const inboundBody = z.object({ reply: z.nullable(z.string()) });
const outboxBody = z.object({
  messages: z.array(z.object({ to: z.string(), from: z.string(), body: z.string(), direction: z.string() })),
});

export class StackApi {
  private cx: Promise<string> | undefined;
  constructor(readonly url: string) {}

  cxToken(): Promise<string> {
    this.cx ??= clientToken(this.url, reader.clientId, reader.secret).then((t) => t.accessToken);
    return this.cx;
  }

  private async call(path: string, init: { token?: string; json?: unknown } = {}) {
    const response = await fetch(`${this.url}${path}`, {
      method: init.json === undefined ? 'GET' : 'POST',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.json === undefined ? 'GET' : 'POST'} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as unknown;
  }

  /** POST /v1/service-events; throws unless the visit was scheduled for a survey. */
  async ingest(visit: object) {
    const { survey } = ingestBody.parse(await this.call('/v1/service-events', { token: tokens.ingest, json: visit }));
    if (survey.status !== 'scheduled')
      throw new Error(`a benchmark visit was ${survey.status} (${survey.reason ?? 'no reason'})`);
  }

  /** GET /v1/scores; the path's query string is the caller's. */
  async scores(query: string) {
    return scoresBody.parse(await this.call(`/v1/scores?${query}`, { token: await this.cxToken() })).buckets;
  }

  async funnel(query: string) {
    return funnelBody.parse(await this.call(`/v1/funnel?${query}`, { token: await this.cxToken() })).buckets;
  }

  /** POST /dev/sms/inbound: the customer's text; answers the conversation's reply, if any. */
  async reply(from: string, body: string) {
    return inboundBody.parse(await this.call('/dev/sms/inbound', { json: { from, to: 'CLOSEDLOOP', body } })).reply;
  }

  /** GET /dev/sms/outbox?to=: every text sent to a number, oldest first. */
  async outbox(to: string) {
    return outboxBody.parse(await this.call(`/dev/sms/outbox?to=${encodeURIComponent(to)}`)).messages;
  }
}
