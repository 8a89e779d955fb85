import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { scheduleSurvey } from '#shared/use-cases/schedule-survey.ts';
import {
  hashWebSurveyToken,
  newWebSurveyToken,
  openWebSurvey,
  SurveyClosedError,
  submitWebSurvey,
} from '#shared/use-cases/web-survey.ts';
import { aSurvey, configWith, createFakes, fakeVault, localConfig } from './fakes.ts';

/** A customer's own phone, away from the store. */
const browser = { sourceIp: '198.51.100.7', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0)' };

function arrange(overrides: Parameters<typeof aSurvey>[0] = {}) {
  const fakes = createFakes({ now: '2026-11-20T02:00:00.000Z' });
  const token = newWebSurveyToken();
  const survey = aSurvey({ webTokenCipher: fakeVault.encrypt(token), ...overrides });
  fakes.surveys.seed(survey);
  fakes.surveys.webTokens.set(hashWebSurveyToken(token), survey.id);
  return { fakes, token, survey };
}

describe('newWebSurveyToken', () => {
  it('carries 128 random bits in 22 URL-safe characters, different every time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newWebSurveyToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('scheduleSurvey and the web token', () => {
  it('indexes only the hash of the token and keeps the token itself encrypted on the survey', async () => {
    const fakes = createFakes();
    const result = await scheduleSurvey(fakes, {
      eventId: 'RO-1',
      occurredAt: '2026-11-20T01:00:00+08:00',
      storeId: 'sz-futian',
      serviceType: 'first_service',
      customer: { phone: '13800138000' },
    });
    const survey = await fakes.surveys.get(result.survey.id ?? '');
    const token = fakeVault.decrypt(survey?.webTokenCipher ?? '');
    expect([...fakes.surveys.webTokens.keys()]).toEqual([hashWebSurveyToken(token)]);
    expect(await fakes.surveys.findByWebToken(hashWebSurveyToken(token))).toMatchObject({ id: survey?.id });
  });
});

describe('openWebSurvey', () => {
  it("shows the survey's type, scale and store in the customer's locale", async () => {
    const { fakes, token } = arrange({ surveyType: 'csat', locale: 'en' });
    expect(await openWebSurvey(fakes, token)).toMatchObject({
      survey: { surveyType: 'csat', locale: 'en' },
      storeName: '浦东服务中心',
      scale: { min: 1, max: 5 },
    });
  });

  it('does not know a wrong or malformed token', async () => {
    const { fakes } = arrange();
    await expect(openWebSurvey(fakes, newWebSurveyToken())).rejects.toThrow(NotFoundError);
    await expect(openWebSurvey(fakes, '../../etc/passwd')).rejects.toThrow(NotFoundError);
  });

  it('is closed after expiryHours from the send', async () => {
    const { fakes, token } = arrange({ sentAt: '2026-11-16T02:00:00.000Z' });
    await expect(openWebSurvey(fakes, token)).rejects.toThrow(SurveyClosedError);
  });

  it('is closed for an expired or opted-out survey', async () => {
    const { fakes, token } = arrange({ status: 'expired' });
    await expect(openWebSurvey(fakes, token)).rejects.toThrow(SurveyClosedError);
  });
});

describe('submitWebSurvey', () => {
  it('records score and reason as one finished web answer and hands it to the scorer', async () => {
    const { fakes, token, survey } = arrange();
    const result = await submitWebSurvey(fakes, token, { score: 3, reason: '等太久' }, browser);
    expect(result).toEqual({ surveyType: 'nps', locale: 'zh-CN', detractor: true });
    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'completed', score: 3, reason: '等太久', channel: 'web' });
    expect(fakes.queues.responseUpdates).toEqual([survey.id]);
  });

  it('takes one answer: a second submit is a conflict and changes nothing', async () => {
    const { fakes, token, survey } = arrange();
    await submitWebSurvey(fakes, token, { score: 9 }, browser);
    await expect(submitWebSurvey(fakes, token, { score: 1 }, browser)).rejects.toThrow(ConflictError);
    expect((await fakes.surveys.get(survey.id))?.score).toBe(9);
  });

  it('still takes the answer when the sender marks its text sent between the read and the write', async () => {
    const { fakes, token, survey } = arrange({ status: 'scheduled', timer: { action: 'send', at: '2026-11-20T01:59:59.000Z' } });
    const read = fakes.surveys.findByWebToken.bind(fakes.surveys);
    fakes.surveys.findByWebToken = async (tokenHash) => {
      const seen = await read(tokenHash);
      fakes.surveys.findByWebToken = read;
      await fakes.surveys.update(
        survey.id,
        { status: 'awaiting_score', timer: { action: 'remind', at: '2026-11-21T01:59:59.000Z' } },
        { status: 'scheduled' },
      );
      return seen;
    };

    await submitWebSurvey(fakes, token, { score: 10 }, browser);

    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'completed', score: 10, channel: 'web' });
    expect(fakes.queues.responseUpdates).toEqual([survey.id]);
  });

  it('refuses a score outside the scale, naming the field', async () => {
    const { fakes, token } = arrange({ surveyType: 'ces' });
    await expect(submitWebSurvey(fakes, token, { score: 8 }, browser)).rejects.toThrow(ValidationError);
  });
});

describe('submitWebSurvey integrity flags', () => {
  const withNetworks = () =>
    configWith({ stores: localConfig().stores.map((s) => (s.id === 'sh-pudong' ? { ...s, networks: ['203.0.113.0/24'] } : s)) });

  it('flags an answer within fastAnswerMinutes of the visit, and not one after', async () => {
    const fast = arrange({ visitAt: '2026-11-20T01:52:00.000Z' });
    await submitWebSurvey(fast.fakes, fast.token, { score: 10 }, browser);
    expect((await fast.fakes.surveys.get(fast.survey.id))?.answerFlags).toEqual(['fast_answer']);

    const later = arrange({ visitAt: '2026-11-20T01:49:00.000Z' });
    await submitWebSurvey(later.fakes, later.token, { score: 10 }, browser);
    expect((await later.fakes.surveys.get(later.survey.id))?.answerFlags).toBeUndefined();
  });

  it("flags an answer from one of the store's networks, IPv4 seen through IPv6 too", async () => {
    const { fakes, token, survey } = arrange();
    const deps = { ...fakes, config: withNetworks() };
    await submitWebSurvey(deps, token, { score: 9 }, { ...browser, sourceIp: '::ffff:203.0.113.40' });
    expect((await fakes.surveys.get(survey.id))?.answerFlags).toEqual(['store_network']);
  });

  it('flags the second customer answering from the same device, and keeps only a keyed hash of it', async () => {
    const first = arrange();
    await submitWebSurvey(first.fakes, first.token, { score: 10 }, browser);
    const token = newWebSurveyToken();
    const other = aSurvey({ id: 'sv_2', phoneHash: fakeVault.hash('+8613900139000'), webTokenCipher: fakeVault.encrypt(token) });
    first.fakes.surveys.seed(other);
    first.fakes.surveys.webTokens.set(hashWebSurveyToken(token), other.id);

    await submitWebSurvey(first.fakes, token, { score: 10 }, browser);

    expect((await first.fakes.surveys.get(first.survey.id))?.answerFlags).toBeUndefined();
    expect((await first.fakes.surveys.get(other.id))?.answerFlags).toEqual(['shared_device']);
    const stored = JSON.stringify([...first.fakes.surveys.devices.keys()]);
    expect(stored).not.toContain(browser.sourceIp);
  });
});
