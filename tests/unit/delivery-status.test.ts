import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { TwilioSms } from '#shared/adapters/sms/twilio.ts';
import { recordDeliveryStatus, twilioStatusCallbackSchema } from '#shared/use-cases/record-delivery-status.ts';
import { runSurveyTimer } from '#shared/use-cases/run-survey-timer.ts';
import { aSurvey, createFakes, FakeClock, FakeDeliveryStatusStore } from './fakes.ts';

const sid = `SM${'0123456789abcdef'.repeat(2)}`;
const callback = (fields: Record<string, string>) => twilioStatusCallbackSchema.parse({ MessageSid: sid, ...fields });

describe('twilioStatusCallbackSchema', () => {
  it("reads Twilio's form and ignores the fields it does not need", () => {
    const parsed = twilioStatusCallbackSchema.parse({
      MessageSid: sid,
      SmsSid: sid,
      AccountSid: `AC${'0'.repeat(32)}`,
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
      To: '+8613800138000',
      ApiVersion: '2010-04-01',
    });

    expect(parsed).toEqual({ MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' });
  });

  it('takes an empty ErrorCode as none', () => {
    expect(callback({ MessageStatus: 'delivered', ErrorCode: '' }).ErrorCode).toBeUndefined();
  });

  it.each([
    ['no MessageSid', { MessageSid: '', MessageStatus: 'sent' }],
    ['a MessageSid that is not a message', { MessageSid: `CA${'0'.repeat(32)}`, MessageStatus: 'sent' }],
    ['an unknown MessageStatus', { MessageSid: sid, MessageStatus: 'lost' }],
    ['no MessageStatus', { MessageSid: sid }],
    ['a non-numeric ErrorCode', { MessageSid: sid, MessageStatus: 'failed', ErrorCode: 'oops' }],
  ])('refuses %s', (_, form) => {
    expect(twilioStatusCallbackSchema.safeParse(form).success).toBe(false);
  });
});

describe('recordDeliveryStatus', () => {
  const arrange = () => ({ clock: new FakeClock('2026-11-20T02:00:00.000Z'), deliveries: new FakeDeliveryStatusStore() });

  it('records a status for a message it has never seen (Twilio may call before the sid was stored)', async () => {
    const deps = arrange();

    expect(await recordDeliveryStatus(deps, callback({ MessageStatus: 'sent' }))).toBe('recorded');

    expect(deps.deliveries.messages.get(sid)).toEqual({
      status: 'sent',
      rank: 3,
      errorCode: undefined,
      history: [{ status: 'sent', at: '2026-11-20T02:00:00.000Z' }],
    });
  });

  it('keeps the furthest status current when Twilio reports out of order, and the whole history', async () => {
    const deps = arrange();
    await recordDeliveryStatus(deps, callback({ MessageStatus: 'undelivered', ErrorCode: '30003' }));
    deps.clock.advance(1000);

    await recordDeliveryStatus(deps, callback({ MessageStatus: 'sent' }));

    expect(deps.deliveries.messages.get(sid)).toMatchObject({
      status: 'undelivered',
      errorCode: '30003',
      history: [
        { status: 'undelivered', errorCode: '30003', at: '2026-11-20T02:00:00.000Z' },
        { status: 'sent', at: '2026-11-20T02:00:01.000Z' },
      ],
    });
  });

  it('records a repeated callback once', async () => {
    const deps = arrange();
    await recordDeliveryStatus(deps, callback({ MessageStatus: 'delivered' }));

    expect(await recordDeliveryStatus(deps, callback({ MessageStatus: 'delivered' }))).toBe('duplicate');
    expect(deps.deliveries.messages.get(sid)?.history).toHaveLength(1);
  });
});

describe('runSurveyTimer', () => {
  it('answers sent when the question went out as a text, and done when the customer had opted out instead', async () => {
    const fakes = createFakes({ now: '2026-11-20T02:00:00.000Z' });
    const at = '2026-11-20T01:59:00.000Z';
    const texted = fakes.surveys.seed(
      aSurvey({ id: 'sv_texted', status: 'scheduled', sentAt: undefined, timer: { action: 'send', at } }),
    );
    const optedOut = fakes.surveys.seed(
      aSurvey({
        id: 'sv_opted_out',
        phone: '13900139000',
        status: 'scheduled',
        sentAt: undefined,
        timer: { action: 'send', at },
      }),
    );
    await fakes.surveys.setOptOut(optedOut.phoneHash, true, at);

    expect(await runSurveyTimer(fakes, { surveyId: texted.id, action: 'send', at })).toBe('sent');
    expect(await runSurveyTimer(fakes, { surveyId: optedOut.id, action: 'send', at })).toBe('done');
    expect(fakes.sms.sent).toHaveLength(1);
  });

  it("keeps the sent text's provider message id on the survey, where its delivery status can be found", async () => {
    const fakes = createFakes({ now: '2026-11-20T02:00:00.000Z' });
    const at = '2026-11-20T01:59:00.000Z';
    const survey = fakes.surveys.seed(aSurvey({ status: 'scheduled', sentAt: undefined, timer: { action: 'send', at } }));

    expect(await runSurveyTimer(fakes, { surveyId: survey.id, action: 'send', at })).toBe('sent');

    expect(fakes.sms.sent).toHaveLength(1);
    expect(await fakes.surveys.get(survey.id)).toMatchObject({
      status: 'awaiting_score',
      lastMessageId: `SM${'1'.padStart(32, '0')}`,
    });
  });
});

describe('TwilioSms and delivery status', () => {
  let server: Server | undefined;
  afterEach(() => new Promise((r) => (server ? server.close(r) : r(undefined))));

  /** A stand-in for Twilio's Messages API answering 201 with the created message. */
  async function fakeTwilio(answer: unknown) {
    const forms: URLSearchParams[] = [];
    server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      forms.push(new URLSearchParams(body));
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(typeof answer === 'string' ? answer : JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return { forms, baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
  }
  const accountSid = `AC${'0'.repeat(31)}1`;

  it("returns the created message's sid and asks Twilio to post its status to the callback URL", async () => {
    const twilio = await fakeTwilio({ sid, status: 'queued' });
    const statusCallback = 'https://closedloop.example.com/v1/sms/twilio/status';
    const sms = new TwilioSms({ accountSid, authToken: 's', from: '+15005550006', apiBaseUrl: twilio.baseUrl, statusCallback });

    expect(await sms.send({ to: '+8613800138000', body: 'x' })).toEqual({ providerMessageId: sid });
    expect(twilio.forms[0]?.get('StatusCallback')).toBe(statusCallback);
  });

  it('asks for no callback without a public URL, and still succeeds when the answer has no readable sid', async () => {
    const twilio = await fakeTwilio('not json');
    const sms = new TwilioSms({ accountSid, authToken: 's', from: '+15005550006', apiBaseUrl: twilio.baseUrl });

    expect(await sms.send({ to: '+8613800138000', body: 'x' })).toEqual({ providerMessageId: undefined });
    expect(twilio.forms[0]?.has('StatusCallback')).toBe(false);
  });
});
