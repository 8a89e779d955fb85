import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SmsProviderError, TwilioSms } from '#shared/adapters/sms/twilio.ts';

const accountSid = `AC${'0'.repeat(31)}1`;

/** A stand-in for Twilio's Messages API that answers with the given statuses in turn. */
async function fakeTwilio(statuses: number[]) {
  const requests: { url: string; authorization: string; form: URLSearchParams }[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization ?? '', form: new URLSearchParams(body) });
    const status = statuses[Math.min(requests.length - 1, statuses.length - 1)] ?? 201;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 201 ? { sid: 'SM123', status: 'queued' } : { code: 20429, message: 'Too Many Requests' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { requests, baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

let close: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('TwilioSms', () => {
  it("posts the text to the account's Messages resource, form-encoded, with basic auth", async () => {
    const twilio = await fakeTwilio([201]);
    close = twilio.close;
    const sms = new TwilioSms({ accountSid, authToken: 'secret', from: '+15005550006', apiBaseUrl: twilio.baseUrl });

    await sms.send({ to: '+8613800138000', body: '【星途服务】您好' });

    expect(twilio.requests).toHaveLength(1);
    const [request] = twilio.requests;
    expect(request?.url).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(request?.authorization).toBe(`Basic ${Buffer.from(`${accountSid}:secret`).toString('base64')}`);
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      To: '+8613800138000',
      From: '+15005550006',
      Body: '【星途服务】您好',
    });
  });

  it('sends from a messaging service when one is configured', async () => {
    const twilio = await fakeTwilio([201]);
    close = twilio.close;
    const messagingServiceSid = `MG${'a'.repeat(32)}`;
    const sms = new TwilioSms({ accountSid, authToken: 's', messagingServiceSid, apiBaseUrl: twilio.baseUrl });

    await sms.send({ to: '+447911123456', body: 'hi' });

    expect(twilio.requests[0]?.form.get('MessagingServiceSid')).toBe(messagingServiceSid);
    expect(twilio.requests[0]?.form.has('From')).toBe(false);
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    const twilio = await fakeTwilio([429, 503, 201]);
    close = twilio.close;
    const sms = new TwilioSms({ accountSid, authToken: 's', from: '+1', apiBaseUrl: twilio.baseUrl, backoffMs: 1 });

    await sms.send({ to: '+8613800138000', body: 'x' });

    expect(twilio.requests).toHaveLength(3);
  });

  it('gives up after its retries so the queue can retry and finally dead-letter the message', async () => {
    const twilio = await fakeTwilio([500]);
    close = twilio.close;
    const sms = new TwilioSms({ accountSid, authToken: 's', from: '+1', apiBaseUrl: twilio.baseUrl, retries: 2, backoffMs: 1 });

    await expect(sms.send({ to: '+8613800138000', body: 'x' })).rejects.toThrow(SmsProviderError);
    expect(twilio.requests).toHaveLength(3);
  });

  it('does not retry a request Twilio refuses (4xx other than 429)', async () => {
    const twilio = await fakeTwilio([400]);
    close = twilio.close;
    const sms = new TwilioSms({ accountSid, authToken: 's', from: '+1', apiBaseUrl: twilio.baseUrl, backoffMs: 1 });

    await expect(sms.send({ to: 'not-a-number', body: 'x' })).rejects.toThrow('400');
    expect(twilio.requests).toHaveLength(1);
  });
});
