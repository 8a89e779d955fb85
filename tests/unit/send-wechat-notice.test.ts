import { describe, expect, it } from 'vitest';
import type { WechatNotice, WechatNotifier } from '#shared/ports.ts';
import { scheduleSurvey, serviceEventSchema } from '#shared/use-cases/schedule-survey.ts';
import { sendWechatNotice } from '#shared/use-cases/send-wechat-notice.ts';
import { createFakes, fakeVault } from './fakes.ts';

const openId = 'oAbCdEfGhIjKlMnOpQrStUvWxY01';

/** WeChat as the use case sees it: records each notice, answers as told. */
class RecordingWechat implements WechatNotifier {
  readonly sent: WechatNotice[] = [];
  constructor(private readonly answer: Awaited<ReturnType<WechatNotifier['send']>> = { kind: 'sent', messageId: '1' }) {}
  async send(notice: WechatNotice) {
    this.sent.push(notice);
    return this.answer;
  }
}

async function scheduled(customer: Record<string, unknown>) {
  const fakes = createFakes({ now: '2026-11-20T02:00:00.000Z' });
  const result = await scheduleSurvey(
    fakes,
    serviceEventSchema.parse({
      eventId: `RO-${Math.random()}`,
      occurredAt: '2026-11-20T09:30:00+08:00',
      storeId: 'sh-pudong',
      serviceType: 'first_service',
      customer: { id: 'C-1001', phone: '13800138000', ...customer },
    }),
  );
  const survey = await fakes.surveys.get(result.survey.id ?? '');
  if (!survey) throw new Error('no survey');
  return { fakes, survey };
}

describe('sendWechatNotice', () => {
  it("sends the survey's single-use link with the store, the visit's date and a prompt in the customer's language", async () => {
    const { fakes, survey } = await scheduled({ wechatOpenId: openId });
    const wechat = new RecordingWechat();

    const result = await sendWechatNotice({ ...fakes, wechat, publicBaseUrl: 'https://cl.example.com/' }, survey, 'question');

    expect(result).toEqual({ kind: 'sent', messageId: '1' });
    expect(wechat.sent).toEqual([
      {
        openId,
        url: `https://cl.example.com/s/${fakeVault.decrypt(survey.webTokenCipher ?? '')}`,
        store: '浦东服务中心',
        visitDate: '2026年11月20日',
        prompt: '点击详情,为本次服务评分',
      },
    ]);
  });

  it('reminds in English for an English-speaking customer', async () => {
    const { fakes, survey } = await scheduled({ wechatOpenId: openId, locale: 'en' });
    const wechat = new RecordingWechat();

    await sendWechatNotice({ ...fakes, wechat, publicBaseUrl: 'https://cl.example.com' }, survey, 'reminder');

    expect(wechat.sent[0]).toMatchObject({ visitDate: '2026-11-20', prompt: 'A minute to rate us?' });
  });

  it('passes on that the customer does not follow the account, for the next channel', async () => {
    const { fakes, survey } = await scheduled({ wechatOpenId: openId });
    const wechat = new RecordingWechat({ kind: 'unreachable', reason: 'not_following' });

    expect(await sendWechatNotice({ ...fakes, wechat, publicBaseUrl: 'https://cl.example.com' }, survey, 'question')).toEqual({
      kind: 'unreachable',
      reason: 'not_following',
    });
  });

  it('answers no_openid, sending nothing, for a visit that gave none', async () => {
    const { fakes, survey } = await scheduled({});
    const wechat = new RecordingWechat();

    expect(await sendWechatNotice({ ...fakes, wechat, publicBaseUrl: 'https://cl.example.com' }, survey, 'question')).toEqual({
      kind: 'unreachable',
      reason: 'no_openid',
    });
    expect(wechat.sent).toHaveLength(0);
  });
});

describe('the visit’s wechatOpenId', () => {
  it('is kept encrypted on the survey, never in the clear', async () => {
    const { survey } = await scheduled({ wechatOpenId: ` ${openId} ` });

    expect(survey.wechatOpenIdCipher).toBeDefined();
    expect(JSON.stringify(survey)).not.toContain(openId);
    expect(fakeVault.decrypt(survey.wechatOpenIdCipher ?? '')).toBe(openId);
  });

  it('reads an empty one as none', async () => {
    const { survey } = await scheduled({ wechatOpenId: '' });

    expect(survey.wechatOpenIdCipher).toBeUndefined();
  });

  it.each(['short', 'has spaces inside it 0123456789', 'x'.repeat(65), '微信用户openid0123456789abcdef'])(
    'refuses %j',
    (wechatOpenId) => {
      const parsed = serviceEventSchema.safeParse({
        eventId: 'RO-1',
        occurredAt: '2026-11-20T09:30:00+08:00',
        storeId: 'sh-pudong',
        serviceType: 'first_service',
        customer: { phone: '13800138000', wechatOpenId },
      });

      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['customer', 'wechatOpenId']);
    },
  );
});
