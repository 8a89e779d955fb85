import { describe, expect, it } from 'vitest';
import { allowText } from '#shared/use-cases/allow-text.ts';
import { handleInboundSms } from '#shared/use-cases/handle-inbound-sms.ts';
import { runSurveyTimer } from '#shared/use-cases/run-survey-timer.ts';
import { aSurvey, configWith, createFakes, localConfig } from './fakes.ts';

/** The shipped config (sh-pudong in Asia/Shanghai, quiet 21:00-08:00) with a cap of `cap` texts a number a day. */
const capped = (cap: number) => configWith({ sms: { ...localConfig().sms, maxPerNumberPerDay: cap } });

// 2026-11-20 10:00 in Shanghai (UTC+8); its next local day begins 2026-11-20T16:00Z.
const NOW = '2026-11-20T02:00:00.000Z';
const phoneHash = aSurvey().phoneHash;

describe('allowText', () => {
  it('counts nothing when the config sets no cap', async () => {
    const fakes = createFakes({ now: NOW });

    for (let i = 0; i < 5; i++) expect(await allowText(fakes, phoneHash, 'Asia/Shanghai')).toEqual({ allowed: true });
    expect(fakes.quota.counted.size).toBe(0);
  });

  it("allows the cap's texts on a local day, then refuses until the next local midnight", async () => {
    const fakes = createFakes({ config: capped(2), now: NOW });

    expect(await allowText(fakes, phoneHash, 'Asia/Shanghai')).toEqual({ allowed: true });
    expect(await allowText(fakes, phoneHash, 'Asia/Shanghai')).toEqual({ allowed: true });
    expect(await allowText(fakes, phoneHash, 'Asia/Shanghai')).toEqual({
      allowed: false,
      nextDay: new Date('2026-11-20T16:00:00.000Z'),
    });
    expect(await allowText(fakes, aSurvey({ phone: '+8613900139000' }).phoneHash, 'Asia/Shanghai')).toEqual({
      allowed: true,
    });
  });

  it("counts by the customer's local day, not UTC's: 23:59 and 00:01 in Shanghai are two days", async () => {
    const fakes = createFakes({ config: capped(1), now: '2026-11-20T15:59:00.000Z' });

    expect((await allowText(fakes, phoneHash, 'Asia/Shanghai')).allowed).toBe(true);
    expect((await allowText(fakes, phoneHash, 'Asia/Shanghai')).allowed).toBe(false);
    fakes.clock.set('2026-11-20T16:01:00.000Z');
    expect((await allowText(fakes, phoneHash, 'Asia/Shanghai')).allowed).toBe(true);
    expect([...fakes.quota.counted.keys()]).toEqual([`${phoneHash}#2026-11-20`, `${phoneHash}#2026-11-21`]);
  });

  it('lets the counter expire a day after its own day ends', async () => {
    const fakes = createFakes({ config: capped(2), now: NOW });

    await allowText(fakes, phoneHash, 'Asia/Shanghai');

    expect(fakes.quota.counted.get(`${phoneHash}#2026-11-20`)).toEqual({ sent: 1, expiresAt: '2026-11-21T16:00:00.000Z' });
  });
});

describe('runSurveyTimer under the daily cap', () => {
  const at = '2026-11-20T01:59:00.000Z';

  it("sends nothing over the cap and moves the question to the customer's next day, after quiet hours", async () => {
    const fakes = createFakes({ config: capped(1), now: NOW });
    await fakes.quota.take(phoneHash, '2026-11-20', 1, '2026-11-22T00:00:00.000Z');
    const survey = fakes.surveys.seed(aSurvey({ status: 'scheduled', sentAt: undefined, timer: { action: 'send', at } }));

    expect(await runSurveyTimer(fakes, { surveyId: survey.id, action: 'send', at })).toBe('deferred');

    expect(fakes.sms.sent).toEqual([]);
    // Midnight in Shanghai is quiet: the question waits for 08:00 there (00:00Z).
    expect(await fakes.surveys.get(survey.id)).toMatchObject({
      status: 'scheduled',
      timer: { action: 'send', at: '2026-11-21T00:00:00.000Z' },
    });

    fakes.clock.set('2026-11-21T00:00:00.000Z');
    expect(await runSurveyTimer(fakes, { surveyId: survey.id, action: 'send', at: '2026-11-21T00:00:00.000Z' })).toBe('sent');
    expect(fakes.sms.sent).toHaveLength(1);
  });

  it('sends under the cap and counts the text', async () => {
    const fakes = createFakes({ config: capped(2), now: NOW });
    const survey = fakes.surveys.seed(aSurvey({ status: 'scheduled', sentAt: undefined, timer: { action: 'send', at } }));

    expect(await runSurveyTimer(fakes, { surveyId: survey.id, action: 'send', at })).toBe('sent');

    expect(fakes.quota.counted.get(`${phoneHash}#2026-11-20`)?.sent).toBe(1);
  });

  it('moves a capped reminder to the next day, or to its expiry when the next day comes after it', async () => {
    const fakes = createFakes({ config: capped(1), now: NOW });
    await fakes.quota.take(phoneHash, '2026-11-20', 1, '2026-11-22T00:00:00.000Z');
    const early = fakes.surveys.seed(
      aSurvey({
        id: 'sv_early',
        sentAt: '2026-11-19T02:00:00.000Z',
        channelSentAt: '2026-11-19T02:00:00.000Z',
        timer: { action: 'remind', at },
      }),
    );
    // Sent 70 hours ago: with a 72-hour expiry, the next day is too late for its reminder.
    const late = fakes.surveys.seed(
      aSurvey({
        id: 'sv_late',
        sentAt: '2026-11-17T04:00:00.000Z',
        channelSentAt: '2026-11-17T04:00:00.000Z',
        timer: { action: 'remind', at },
      }),
    );

    expect(await runSurveyTimer(fakes, { surveyId: early.id, action: 'remind', at })).toBe('deferred');
    expect(await runSurveyTimer(fakes, { surveyId: late.id, action: 'remind', at })).toBe('deferred');

    expect(fakes.sms.sent).toEqual([]);
    expect((await fakes.surveys.get(early.id))?.timer).toEqual({ action: 'remind', at: '2026-11-21T00:00:00.000Z' });
    expect((await fakes.surveys.get(late.id))?.timer).toEqual({ action: 'expire', at: '2026-11-20T04:00:00.000Z' });
  });
});

describe('handleInboundSms under the daily cap', () => {
  it('keeps the score of a reply but sends no why-question over the cap', async () => {
    const fakes = createFakes({ config: capped(1), now: NOW });
    await fakes.quota.take(phoneHash, '2026-11-20', 1, '2026-11-22T00:00:00.000Z');
    const survey = fakes.surveys.seed(aSurvey());

    const outcome = await handleInboundSms(fakes, { provider: 'twilio', messageId: 'SM1', from: '+8613800138000', body: '3' });

    expect(outcome).toEqual({ reply: undefined });
    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'awaiting_reason', score: 3 });
  });

  it('answers under the cap and counts the reply', async () => {
    const fakes = createFakes({ config: capped(2), now: NOW });
    fakes.surveys.seed(aSurvey());

    const outcome = await handleInboundSms(fakes, { provider: 'twilio', messageId: 'SM1', from: '+8613800138000', body: '9' });

    expect(outcome.reply).toBeDefined();
    expect(fakes.quota.counted.get(`${phoneHash}#2026-11-20`)?.sent).toBe(1);
  });
});
