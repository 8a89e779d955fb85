/**
 * SMS on registered templates through the local runtime, on a stack of this file's own: Pudong
 * (CN) reaches by SMS, then by link text; registered in zh-CN only, so an English text to it has
 * no template; a number gets two texts a day; a survey expires unanswered within seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseTestConfig, type StackProcess, shippedConfig, startStackProcess } from '#local/stack-process.ts';
import { newPhone, stackClient, visit, waitFor } from './helpers.ts';

const DAY_MS = 86_400_000;
/** Asia/Shanghai keeps no daylight saving time: always UTC+8. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

const EXPIRY_HOURS = 0.002; // 7.2 s after each channel's text
const HOUR_MS = 3_600_000;
const templates = shippedConfig().sms.templates;

let running: StackProcess | undefined;
const target = {
  get url() {
    return running?.url ?? '';
  },
  get dynamodb() {
    return running?.dynamodb ?? '';
  },
};
const { api, cxToken, outbox, postVisit, reply, surveyItem, waitForTexts } = stackClient(target);

beforeAll(async () => {
  running = await startStackProcess({
    config: (port) => {
      const config = baseTestConfig(port);
      config.reminder = { afterHours: 1 }; // after the expiry: no reminder
      config.expiryHours = EXPIRY_HOURS;
      config.sms.maxPerNumberPerDay = 2;
      config.stores.find((s: { id: string }) => s.id === 'sh-pudong').reach = ['sms', 'link'];
      for (const byLocale of Object.values(config.sms.templates) as Record<string, unknown>[]) delete byLocale.en;
      return config;
    },
  });
});
afterAll(async () => {
  await running?.dispose();
});

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('a Chinese store on registered templates', () => {
  it('texts its registered body filled, and after the expiry the link text once, then nothing more', async () => {
    const body = visit({ storeId: 'sh-pudong', serviceType: 'first_service' }, { phone: newPhone(), name: '王先生' });
    const phone = body.customer.phone;
    const surveyId: string = (await postVisit(body)).body.survey.id;

    const [question] = await waitForTexts(phone, 1);
    expect(question?.body).toBe(
      templates.question_nps['zh-CN'].body.replace('{name}', '王先生').replace('{store}', '浦东服务中心'),
    );
    // The text is in the outbox a moment before the survey's own update that records it.
    const sent = await waitFor(async () => {
      const item = await surveyItem(surveyId);
      return item?.status === 'awaiting_score' ? item : undefined;
    }, 'the survey marked sent');
    expect(sent).toMatchObject({ reach: 'sms', status: 'awaiting_score' });

    const [, link] = await waitForTexts(phone, 2, 20_000);
    // The registered body, its {link} the deployment's survey address and the survey's token.
    const [head = '', tail = ''] = templates.question_link['zh-CN'].body
      .replace('{name}', '王先生')
      .replace('{store}', '浦东服务中心')
      .split('{link}');
    expect(link?.body.startsWith(head) && link.body.endsWith(tail)).toBe(true);
    expect(link?.body.slice(head.length, -tail.length || undefined)).toMatch(
      /^https:\/\/closedloop\.example\.com\/s\/[A-Za-z0-9_-]+$/,
    );
    expect(Date.parse(link?.sentAt ?? '') - Date.parse(question?.sentAt ?? '')).toBeGreaterThanOrEqual(
      EXPIRY_HOURS * HOUR_MS - 500,
    );
    const moved = await waitFor(async () => {
      const item = await surveyItem(surveyId);
      return item?.reach === 'link' ? item : undefined;
    }, 'the survey moved to its link text');
    expect(moved).toMatchObject({ reach: 'link', movedFrom: 'sms' });

    await waitFor(async () => (await surveyItem(surveyId))?.status === 'expired', 'the link survey to expire', 20_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await outbox(phone)).toHaveLength(2);
  });

  it('sends no text without a registered template and counts the visit suppressed unregistered_template', async () => {
    const body = visit({ storeId: 'sh-pudong', advisorId: 'A-unregistered' }, { phone: newPhone(), locale: 'en' });
    const surveyId: string = (await postVisit(body)).body.survey.id;

    await waitFor(async () => (await surveyItem(surveyId))?.status === 'expired', 'the survey to end unsent');
    expect(await surveyItem(surveyId)).toMatchObject({ suppressedAs: 'unregistered_template' });
    expect(await outbox(body.customer.phone)).toEqual([]);

    const suppressed = await waitFor(async () => {
      const { body: funnel } = await api(`/v1/funnel?from=${day(-2)}&to=${day(2)}&granularity=day&advisorId=A-unregistered`, {
        token: await cxToken(),
      });
      const n = funnel.buckets.reduce(
        (sum: number, b: { suppressed: Record<string, number> }) => sum + (b.suppressed.unregistered_template ?? 0),
        0,
      );
      return n > 0 ? funnel.buckets : undefined;
    }, 'the suppression in the funnel');
    expect(suppressed).toEqual([expect.objectContaining({ visits: 1, sent: 0, suppressedTotal: 1 })]);
  });

  it("keeps a reply over the number's two texts a day but sends nothing back", async () => {
    // The cap counts per Shanghai day: three texts straddling its midnight (16:00 UTC) would be two days' texts.
    const toMidnight = DAY_MS - ((Date.now() + SHANGHAI_OFFSET_MS) % DAY_MS);
    if (toMidnight < 60_000) await new Promise((r) => setTimeout(r, toMidnight + 1_000));
    const body = visit({ storeId: 'sh-pudong' }, { phone: newPhone() });
    const phone = body.customer.phone;
    const surveyId: string = (await postVisit(body)).body.survey.id;
    await waitForTexts(phone, 1);

    expect((await reply(phone, '3')).body.reply).toContain('原因');
    expect((await reply(phone, '等太久了')).body.reply).toBeNull();

    expect(await surveyItem(surveyId)).toMatchObject({ score: 3, reason: '等太久了' });
    expect(await outbox(phone)).toHaveLength(2);
  }, 150_000);
});
