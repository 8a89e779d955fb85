import { describe, expect, it } from 'vitest';
import type { Survey } from '#shared/domain/records.ts';
import { leaveChannel } from '#shared/use-cases/leave-channel.ts';
import { runSurveyTimer } from '#shared/use-cases/run-survey-timer.ts';
import { type ServiceEvent, scheduleSurvey, serviceEventSchema } from '#shared/use-cases/schedule-survey.ts';
import { aSurvey, configWith, createFakes, fakeVault, localConfig } from './fakes.ts';

const NOW = '2026-11-20T02:00:00.000Z';

/** The shipped config, Pudong reaching its customers by `reach`. */
const reaching = (reach: string[]) =>
  configWith({ stores: localConfig().stores.map((s) => (s.id === 'sh-pudong' ? { ...s, reach } : s)) });

const visit = (customer: Record<string, unknown> = {}): ServiceEvent =>
  serviceEventSchema.parse({
    eventId: 'RO-2026-000777',
    occurredAt: '2026-11-20T09:30:00+08:00',
    storeId: 'sh-pudong',
    serviceType: 'first_service',
    customer: { id: 'C-7', phone: '13800138000', ...customer },
    advisorId: 'A-17',
  });

describe('a visit no channel of its store can reach', () => {
  it('is suppressed `no_channel` at once, counted in the funnel, and no survey is made', async () => {
    const fakes = createFakes({ config: reaching(['wechat']), now: NOW });

    const result = await scheduleSurvey(fakes, visit());

    expect(result.survey).toEqual({ status: 'suppressed', reason: 'no_channel' });
    expect(fakes.surveys.surveys.size).toBe(0);
    expect(fakes.surveys.suppressions).toHaveLength(1);
  });

  it('is a landline at a store that only texts: no_channel; where the store calls, the call is its channel', async () => {
    const textsOnly = createFakes({ config: reaching(['sms']), now: NOW });
    expect((await scheduleSurvey(textsOnly, visit({ phone: '020-3888 6666' }))).survey).toEqual({
      status: 'suppressed',
      reason: 'no_channel',
    });

    const calls = createFakes({ config: reaching(['sms', 'call']), now: NOW });
    const { survey } = await scheduleSurvey(calls, visit({ phone: '020-3888 6666' }));
    const scheduled = await calls.surveys.get(survey.id ?? '');
    expect(scheduled).toMatchObject({ landline: true });
    const deps = { ...calls, dispatch: { call: async () => 'sent' as const } };
    expect(await runSurveyTimer(deps, { surveyId: survey.id ?? '', action: 'send', at: scheduled?.sendAt ?? NOW })).toBe('sent');
    expect(await calls.surveys.get(survey.id ?? '')).toMatchObject({ status: 'awaiting_score', reach: 'call' });
    expect(calls.sms.sent).toEqual([]);
  });

  it('is surveyed when it gives what the store’s channel needs', async () => {
    const fakes = createFakes({ config: reaching(['wechat']), now: NOW });

    const result = await scheduleSurvey(fakes, visit({ wechatOpenId: 'oA1b2C3d4E5f6G7h8I9j0K1l2M3n' }));

    expect(result.survey).toMatchObject({ status: 'scheduled' });
  });
});

describe('leaveChannel', () => {
  const arrange = (reach: string[], survey: Partial<Survey>) => {
    const fakes = createFakes({ config: reaching(reach), now: NOW });
    return { fakes, survey: fakes.surveys.seed(aSurvey({ status: 'scheduled', sentAt: undefined, ...survey })) };
  };

  it('moves a survey whose channel failed to the next one its customer can use, sent at once', async () => {
    const { fakes, survey } = arrange(['wechat', 'call', 'sms'], { wechatOpenIdCipher: fakeVault.encrypt('o'.repeat(28)) });

    expect(await leaveChannel(fakes, survey, 'wechat', 'failed', { status: 'scheduled' })).toBe('moved');

    expect(await fakes.surveys.get(survey.id)).toMatchObject({
      status: 'scheduled',
      reach: 'call',
      movedFrom: 'wechat',
      timer: { action: 'send', at: NOW },
    });
    expect(fakes.queues.surveyTimers).toEqual([{ surveyId: survey.id, action: 'send', at: NOW }]);
  });

  it('suppresses `no_channel` a survey whose last channel failed before anything went out', async () => {
    const { fakes, survey } = arrange(['sms', 'wechat'], { reach: 'wechat', movedFrom: 'sms' });

    expect(await leaveChannel(fakes, survey, 'wechat', 'failed', { status: 'scheduled' })).toBe('ended');

    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'expired', reach: 'wechat', suppressedAs: 'no_channel' });
    expect(fakes.queues.surveyTimers).toEqual([]);
  });

  it('expires, unsuppressed, a survey that went out and was not answered on its last channel', async () => {
    const { fakes, survey } = arrange(['sms'], { status: 'awaiting_score', reach: 'sms', sentAt: NOW });

    expect(await leaveChannel(fakes, survey, 'sms', 'expired', { status: 'awaiting_score' })).toBe('ended');

    const ended = await fakes.surveys.get(survey.id);
    expect(ended).toMatchObject({ status: 'expired' });
    expect(ended?.suppressedAs).toBeUndefined();
  });

  it('writes nothing when the survey moved meanwhile', async () => {
    const { fakes, survey } = arrange(['sms', 'call'], { status: 'completed', reach: 'sms', sentAt: NOW, score: 9 });

    expect(await leaveChannel(fakes, survey, 'sms', 'expired', { status: 'awaiting_score' })).toBe('stale');

    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'completed', reach: 'sms' });
    expect(fakes.queues.surveyTimers).toEqual([]);
  });

  it('is what the send step does when WeChat cannot reach the customer and nothing follows it', async () => {
    const { fakes, survey } = arrange(['wechat'], {
      wechatOpenIdCipher: fakeVault.encrypt('o'.repeat(28)),
      timer: { action: 'send', at: NOW },
    });
    const deps = { ...fakes, dispatch: { wechat: async () => 'unreachable' as const } };

    expect(await runSurveyTimer(deps, { surveyId: survey.id, action: 'send', at: NOW })).toBe('done');

    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'expired', suppressedAs: 'no_channel' });
    expect(fakes.sms.sent).toEqual([]);
  });
});
