import { describe, expect, it } from 'vitest';
import type { MessageStep } from '#shared/domain/messages.ts';
import { renderMessage } from '#shared/domain/messages.ts';
import type { Survey } from '#shared/domain/records.ts';
import { handleInboundSms, type InboundSms, twilioInboundSchema } from '#shared/use-cases/handle-inbound-sms.ts';
import { aSurvey, createFakes, type Fakes, fakeVault } from './fakes.ts';

const phone = '+8613800138000';
const NOW = '2026-11-20T02:00:00.000Z';

let messageCounter = 0;
const sms = (body: string, overrides: Partial<InboundSms> = {}): InboundSms => ({
  provider: 'twilio',
  messageId: `SM${++messageCounter}`,
  from: phone,
  body,
  ...overrides,
});

/** What the customer should read for a step of this survey (the templates are tested on their own). */
const text = (fakes: Fakes, step: MessageStep, survey: Survey) =>
  renderMessage(fakes.config.brand, survey.locale, step, {
    survey: survey.surveyType,
    storeName: fakes.config.stores.find((s) => s.id === survey.storeId)?.name ?? '',
    customerName: survey.customerName,
  });

const arrange = (survey: Partial<Survey> = {}) => {
  const fakes = createFakes({ now: NOW });
  const seeded = fakes.surveys.seed(aSurvey(survey));
  return { fakes, survey: seeded };
};

describe('twilioInboundSchema', () => {
  const form = (MessageSid: string) => ({ MessageSid, From: phone, Body: '9' });

  it('takes an SMS or MMS message SID', () => {
    expect(twilioInboundSchema.safeParse(form(`SM${'0123456789abcdef'.repeat(2)}`)).success).toBe(true);
    expect(twilioInboundSchema.safeParse(form(`MM${'0123456789ABCDEF'.repeat(2)}`)).success).toBe(true);
  });

  it.each(['SMnothex', `CA${'0'.repeat(32)}`, `SM${'0'.repeat(31)}`, ''])(
    'refuses %j as a MessageSid, so it is never remembered as a message',
    (sid) => {
      expect(twilioInboundSchema.safeParse(form(sid)).success).toBe(false);
    },
  );
});

describe('handleInboundSms', () => {
  describe('while awaiting the score', () => {
    it('takes "9" as the score, moves to awaiting_reason and asks why', async () => {
      const { fakes, survey } = arrange();

      const result = await handleInboundSms(fakes, sms('9'));

      expect(result).toEqual({ reply: text(fakes, 'why', survey) });
      expect(await fakes.surveys.get(survey.id)).toMatchObject({
        status: 'awaiting_reason',
        score: 9,
        scoredAt: NOW,
        timer: { action: 'close', at: '2026-11-20T02:30:00.000Z' }, // reasonWaitMinutes = 30
      });
    });

    it('hands the scored answer to the scorer at once', async () => {
      const { fakes, survey } = arrange();

      await handleInboundSms(fakes, sms('9'));

      expect(fakes.queues.responseUpdates).toEqual([survey.id]);
    });

    it('takes a score written in Chinese ("九分")', async () => {
      const { fakes, survey } = arrange();

      await handleInboundSms(fakes, sms('九分'));

      expect((await fakes.surveys.get(survey.id))?.score).toBe(9);
    });

    it('reads the score on the survey’s own scale (CSAT 1–5)', async () => {
      const { fakes, survey } = arrange({ surveyType: 'csat' });

      const result = await handleInboundSms(fakes, sms('9'));

      expect(result.reply).toBe(text(fakes, 'reask', survey));
      expect((await fakes.surveys.get(survey.id))?.score).toBeUndefined();
    });

    it('asks again once when the reply is unreadable', async () => {
      const { fakes, survey } = arrange();

      const result = await handleInboundSms(fakes, sms('what?'));

      expect(result.reply).toBe(text(fakes, 'reask', survey));
      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'awaiting_score', reasked: true });
      expect(fakes.queues.responseUpdates).toEqual([]);
    });

    it('asks again for an out-of-range score ("11" on NPS)', async () => {
      const { fakes, survey } = arrange();

      const result = await handleInboundSms(fakes, sms('11'));

      expect(result.reply).toBe(text(fakes, 'reask', survey));
    });

    it('stays silent after a second unreadable reply', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('what?'));

      const result = await handleInboundSms(fakes, sms('1 or 2'));

      expect(result.reply).toBeUndefined();
      expect((await fakes.surveys.get(survey.id))?.status).toBe('awaiting_score');
    });

    it('still takes a valid score after the re-ask', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('what?'));

      const result = await handleInboundSms(fakes, sms('8'));

      expect(result.reply).toBe(text(fakes, 'why', survey));
      expect((await fakes.surveys.get(survey.id))?.score).toBe(8);
    });

    it('finds the survey from a national-format sender number', async () => {
      const { fakes, survey } = arrange();

      await handleInboundSms(fakes, sms('9', { from: '13800138000' }));

      expect((await fakes.surveys.get(survey.id))?.score).toBe(9);
    });
  });

  describe('while awaiting the reason', () => {
    it('takes a later number as the reason and keeps the score', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('9'));

      await handleInboundSms(fakes, sms('8'));

      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'completed', score: 9, reason: '8' });
    });

    it('completes the conversation with thanks for a promoter', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('10'));
      fakes.clock.advance(5 * 60_000);

      const result = await handleInboundSms(fakes, sms('  技师很专业，交车也准时  '));

      expect(result.reply).toBe(text(fakes, 'thanks', survey));
      expect(await fakes.surveys.get(survey.id)).toMatchObject({
        status: 'completed',
        reason: '技师很专业，交车也准时',
        endedAt: '2026-11-20T02:05:00.000Z',
      });
    });

    it('completes the conversation with an apology for a detractor', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('3'));

      const result = await handleInboundSms(fakes, sms('等了三个小时'));

      expect(result.reply).toBe(text(fakes, 'sorry', survey));
      expect((await fakes.surveys.get(survey.id))?.status).toBe('completed');
    });

    it('thanks a passive rather than apologising', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('7'));

      const result = await handleInboundSms(fakes, sms('还行'));

      expect(result.reply).toBe(text(fakes, 'thanks', survey));
    });

    it('hands the completed conversation to the scorer again, so the reason can raise alerts', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('3'));

      await handleInboundSms(fakes, sms('等了三个小时'));

      expect(fakes.queues.responseUpdates).toEqual([survey.id, survey.id]);
    });

    it('says nothing more once the conversation is complete', async () => {
      const { fakes } = arrange();
      await handleInboundSms(fakes, sms('9'));
      await handleInboundSms(fakes, sms('很好'));

      const result = await handleInboundSms(fakes, sms('谢谢'));

      expect(result.reply).toBeUndefined();
    });
  });

  describe('a repeated message', () => {
    it('is processed once: the second delivery answers duplicate with the same reply', async () => {
      const { fakes, survey } = arrange();
      const message = sms('9');
      const first = await handleInboundSms(fakes, message);

      const second = await handleInboundSms(fakes, message);

      expect(second).toEqual({ reply: first.reply, duplicate: true });
      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'awaiting_reason', score: 9 });
    });

    it('does not take a repeated score as the reason', async () => {
      const { fakes, survey } = arrange();
      const message = sms('3');
      await handleInboundSms(fakes, message);

      await handleInboundSms(fakes, message);

      const stored = await fakes.surveys.get(survey.id);
      expect(stored?.status).toBe('awaiting_reason');
      expect(stored?.reason).toBeUndefined();
    });

    it('re-asks the scorer for a repeated scoring message, in case the first hand-over was lost', async () => {
      const { fakes, survey } = arrange();
      const message = sms('9');
      await handleInboundSms(fakes, message);

      await handleInboundSms(fakes, message);

      expect(fakes.queues.responseUpdates).toEqual([survey.id, survey.id]);
    });

    it('is told apart by provider as well as by message id', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('9', { provider: 'twilio', messageId: 'M1' }));

      const result = await handleInboundSms(fakes, sms('很好', { provider: 'simulator', messageId: 'M1' }));

      expect(result.duplicate).toBeUndefined();
      expect((await fakes.surveys.get(survey.id))?.status).toBe('completed');
    });
  });

  describe('keywords', () => {
    it('opts the phone out on STOP and confirms once', async () => {
      const { fakes, survey } = arrange();

      const result = await handleInboundSms(fakes, sms('STOP'));

      expect(result.reply).toBe(text(fakes, 'opted_out', survey));
      expect(await fakes.surveys.isOptedOut(fakeVault.hash(phone))).toBe(true);
    });

    it('does not confirm a second STOP', async () => {
      const { fakes } = arrange();
      await handleInboundSms(fakes, sms('STOP'));

      const result = await handleInboundSms(fakes, sms('退订'));

      expect(result.reply).toBeUndefined();
      expect(await fakes.surveys.isOptedOut(fakeVault.hash(phone))).toBe(true);
    });

    it('closes every open or scheduled survey of the phone on STOP, across stores', async () => {
      const { fakes, survey } = arrange({ id: 'sv_open', status: 'awaiting_score' });
      fakes.surveys.seed(
        aSurvey({ id: 'sv_next', storeId: 'sh-minhang', status: 'scheduled', createdAt: '2026-11-19T05:00:00.000Z' }),
      );

      await handleInboundSms(fakes, sms('T'));

      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'opted_out' });
      expect((await fakes.surveys.get(survey.id))?.timer).toBeUndefined();
      expect(await fakes.surveys.get('sv_next')).toMatchObject({ status: 'opted_out' });
      expect((await fakes.surveys.get('sv_next'))?.timer).toBeUndefined();
    });

    it('leaves a completed survey as it was on STOP', async () => {
      const { fakes, survey } = arrange({ status: 'completed', score: 9, reason: '很好', timer: undefined });

      await handleInboundSms(fakes, sms('STOP'));

      expect((await fakes.surveys.get(survey.id))?.status).toBe('completed');
    });

    it('opts out a phone that was never surveyed, confirming in the default locale', async () => {
      const fakes = createFakes({ now: NOW });

      const result = await handleInboundSms(fakes, sms('stop', { from: '+8613900139000' }));

      expect(result.reply).toBe(renderMessage(fakes.config.brand, 'zh-CN', 'opted_out', { survey: 'nps', storeName: '' }));
      expect(await fakes.surveys.isOptedOut(fakeVault.hash('+8613900139000'))).toBe(true);
    });

    it('reads "please stop texting me" as STOP rather than as a reason', async () => {
      const { fakes } = arrange();

      await handleInboundSms(fakes, sms('please stop texting me'));

      expect(await fakes.surveys.isOptedOut(fakeVault.hash(phone))).toBe(true);
    });

    it('keeps the score of a customer who opts out at the why-question, and hands it on for follow-up', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('2'));

      await handleInboundSms(fakes, sms('STOP'));

      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'completed', score: 2, endedAt: NOW });
      expect(fakes.queues.responseUpdates).toEqual([survey.id, survey.id]);
    });

    it('answers HELP with the help text and changes nothing', async () => {
      const { fakes, survey } = arrange();

      const result = await handleInboundSms(fakes, sms('HELP'));

      expect(result.reply).toBe(text(fakes, 'help', survey));
      expect((await fakes.surveys.get(survey.id))?.status).toBe('awaiting_score');
      expect(await fakes.surveys.isOptedOut(fakeVault.hash(phone))).toBe(false);
    });

    it('re-subscribes on START after STOP', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('STOP'));

      const result = await handleInboundSms(fakes, sms('START'));

      expect(result.reply).toBe(text(fakes, 'opted_in', survey));
      expect(await fakes.surveys.isOptedOut(fakeVault.hash(phone))).toBe(false);
    });
  });

  describe('consent revoked in a sentence', () => {
    it('opts out on R (the answer to "拒收请回复R") and confirms once', async () => {
      const { fakes, survey } = arrange();

      const result = await handleInboundSms(fakes, sms('r'));

      expect(result.reply).toBe(text(fakes, 'opted_out', survey));
      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'opted_out' });
      expect(await fakes.surveys.isOptedOut(fakeVault.hash(phone))).toBe(true);
    });

    it('opts out while the score is asked, and takes no score', async () => {
      const { fakes, survey } = arrange();

      const result = await handleInboundSms(fakes, sms('请不要再给我发短信了'));

      expect(result.reply).toBe(text(fakes, 'opted_out', survey));
      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'opted_out' });
      expect((await fakes.surveys.get(survey.id))?.score).toBeUndefined();
    });

    it('opts out while the why-question is open, keeps the score and stores no reason', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('3'));

      const result = await handleInboundSms(fakes, sms('Please stop texting me, I have said it twice'));

      expect(result.reply).toBe(text(fakes, 'opted_out', survey));
      const stored = await fakes.surveys.get(survey.id);
      expect(stored).toMatchObject({ status: 'completed', score: 3, endedAt: NOW });
      expect(stored?.reason).toBeUndefined();
      expect(fakes.queues.responseUpdates).toEqual([survey.id, survey.id]);
      expect(await fakes.surveys.isOptedOut(fakeVault.hash(phone))).toBe(true);
    });

    it('opts out after the survey ended, leaving its reason as it was', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('9'));
      await handleInboundSms(fakes, sms('很好'));

      const result = await handleInboundSms(fakes, sms('remove me from your list'));

      expect(result.reply).toBe(text(fakes, 'opted_out', survey));
      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'completed', reason: '很好' });
      expect(await fakes.surveys.isOptedOut(fakeVault.hash(phone))).toBe(true);
    });

    it('does not confirm a second revocation', async () => {
      const { fakes } = arrange();
      await handleInboundSms(fakes, sms('别再发了'));

      const result = await handleInboundSms(fakes, sms('不要再联系我'));

      expect(result.reply).toBeUndefined();
    });

    it('takes a comment that merely holds "stop" as the reason, and keeps the number', async () => {
      const { fakes, survey } = arrange();
      await handleInboundSms(fakes, sms('4'));

      const result = await handleInboundSms(fakes, sms('the brakes squeal every time I stop the car'));

      expect(result.reply).toBe(text(fakes, 'sorry', survey));
      expect(await fakes.surveys.get(survey.id)).toMatchObject({
        status: 'completed',
        reason: 'the brakes squeal every time I stop the car',
      });
      expect(await fakes.surveys.isOptedOut(fakeVault.hash(phone))).toBe(false);
    });
  });

  describe('with no open survey', () => {
    it('answers a reply after expiry with the "closed" text', async () => {
      const { fakes, survey } = arrange({ status: 'expired', timer: undefined });

      const result = await handleInboundSms(fakes, sms('9'));

      expect(result.reply).toBe(text(fakes, 'closed', survey));
      expect((await fakes.surveys.get(survey.id))?.score).toBeUndefined();
    });

    it('stays silent to a phone it does not know', async () => {
      const fakes = createFakes({ now: NOW });

      const result = await handleInboundSms(fakes, sms('9', { from: '+8613900139000' }));

      expect(result.reply).toBeUndefined();
    });

    it('remembers the message so a repeat is a duplicate', async () => {
      const fakes = createFakes({ now: NOW });
      const message = sms('hello', { from: '+8613900139000' });
      await handleInboundSms(fakes, message);

      const second = await handleInboundSms(fakes, message);

      expect(second.duplicate).toBe(true);
    });
  });

  describe('with two open surveys for one phone', () => {
    it('gives the reply to the most recent survey', async () => {
      const fakes = createFakes({ now: NOW });
      fakes.surveys.seed(aSurvey({ id: 'sv_older', storeId: 'sh-pudong', createdAt: '2026-11-18T01:00:00.000Z' }));
      fakes.surveys.seed(aSurvey({ id: 'sv_newer', storeId: 'sh-minhang', createdAt: '2026-11-19T01:00:00.000Z' }));

      await handleInboundSms(fakes, sms('6'));

      expect((await fakes.surveys.get('sv_newer'))?.score).toBe(6);
      expect((await fakes.surveys.get('sv_older'))?.score).toBeUndefined();
    });

    it('takes a reply to a text still being sent (sent, not yet marked sent) as its score', async () => {
      const { fakes, survey } = arrange({
        status: 'scheduled',
        sentAt: undefined,
        timer: { action: 'send', at: '2026-11-20T01:59:59.000Z' },
      });

      const result = await handleInboundSms(fakes, sms('8'));

      expect(result).toEqual({ reply: text(fakes, 'why', survey) });
      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'awaiting_reason', score: 8, sentAt: NOW });
      expect(fakes.queues.responseUpdates).toEqual([survey.id]);
    });

    it('still takes the score when the sender marks its text sent between the read and the write', async () => {
      const { fakes, survey } = arrange({
        status: 'scheduled',
        sentAt: undefined,
        timer: { action: 'send', at: '2026-11-20T01:59:59.000Z' },
      });
      // The survey dispatcher's own write lands first: sent, waiting for a score, reminder set.
      const read = fakes.surveys.latestForPhone.bind(fakes.surveys);
      fakes.surveys.latestForPhone = async (...args) => {
        const seen = await read(...args);
        fakes.surveys.latestForPhone = read;
        await fakes.surveys.update(
          survey.id,
          {
            status: 'awaiting_score',
            sentAt: '2026-11-20T01:59:59.500Z',
            timer: { action: 'remind', at: '2026-11-21T01:59:59.000Z' },
          },
          { status: 'scheduled' },
        );
        return seen;
      };

      const result = await handleInboundSms(fakes, sms('8'));

      expect(result).toEqual({ reply: text(fakes, 'why', survey) });
      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'awaiting_reason', score: 8 });
      expect(fakes.queues.responseUpdates).toEqual([survey.id]);
    });

    it('does not take a reply for a survey whose text is not due yet', async () => {
      const { fakes, survey } = arrange({ status: 'scheduled', timer: { action: 'send', at: '2026-11-20T08:00:00.000Z' } });

      await handleInboundSms(fakes, sms('8'));

      expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'scheduled' });
    });

    it('gives the reply to the most recent survey that is still open', async () => {
      const fakes = createFakes({ now: NOW });
      fakes.surveys.seed(aSurvey({ id: 'sv_open', createdAt: '2026-11-18T01:00:00.000Z' }));
      fakes.surveys.seed(aSurvey({ id: 'sv_scheduled', status: 'scheduled', createdAt: '2026-11-19T01:00:00.000Z' }));

      await handleInboundSms(fakes, sms('6'));

      expect((await fakes.surveys.get('sv_open'))?.score).toBe(6);
      expect((await fakes.surveys.get('sv_scheduled'))?.status).toBe('scheduled');
    });
  });

  it('replies in the survey’s locale', async () => {
    const { fakes, survey } = arrange({ locale: 'en', storeId: 'uk-reading', customerName: 'Sam' });

    const result = await handleInboundSms(fakes, sms('9'));

    expect(result.reply).toBe(text(fakes, 'why', survey));
    expect(result.reply).toContain('[Xingtu Service]');
  });
});
