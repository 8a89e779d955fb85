/**
 * The SMS conversation's timing rules (reminder, expiry, re-ask, reason, several open
 * surveys), on a stack of this file's own whose reminder and expiry come within seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPhone, stackClient, visit, waitFor } from './helpers.ts';
import { baseTestConfig, type StackProcess, startStackProcess } from '#local/stack-process.ts';

const REMINDER_HOURS = 0.0015; // 5.4 s after the question
const EXPIRY_HOURS = 0.004; // 14.4 s after the question
const HOUR_MS = 3_600_000;

let running: StackProcess | undefined;
const target = {
  get url() {
    return running?.url ?? '';
  },
  get dynamodb() {
    return running?.dynamodb ?? '';
  },
};
const client = stackClient(target);
const { api, outbox, postVisit, reply, scores, surveyItem, waitForTexts } = client;

beforeAll(async () => {
  running = await startStackProcess({
    config: (port) => ({
      ...baseTestConfig(port),
      reminder: { afterHours: REMINDER_HOURS },
      expiryHours: EXPIRY_HOURS,
      // Two visits of one phone are both surveyed, so a reply has two open surveys to choose from.
      throttleDays: 0,
    }),
  });
});
afterAll(async () => {
  await running?.dispose();
});

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
/** Answers per group for one advisor, over the days around today (a visit counts on its store-local date). */
async function responsesBy(groupBy: 'store' | 'advisor', advisorId: string): Promise<Record<string, number>> {
  const { body } = await scores(
    `metric=nps&granularity=day&from=${day(-2)}&to=${day(2)}&groupBy=${groupBy}&advisorId=${advisorId}`,
  );
  const totals: Record<string, number> = {};
  for (const bucket of body.buckets) totals[bucket.group] = (totals[bucket.group] ?? 0) + bucket.responses;
  return totals;
}
async function bucketOf(advisorId: string) {
  const { body } = await scores(
    `metric=nps&granularity=month&from=${day(-2)}&to=${day(2)}&groupBy=advisor&advisorId=${advisorId}`,
  );
  return body.buckets.length === 1 ? body.buckets[0] : undefined;
}
/** Waits past the responses queue's 1 s batching window: what was going to be scored by now, has been. */
const settle = () => new Promise((r) => setTimeout(r, 1_500));

describe('an unanswered survey', () => {
  // Concurrent: each waits out the whole expiry, and the two customers are unrelated.
  it.concurrent.each([
    ['zh-CN', '九分', '提醒', '本次调查已结束'],
    ['en', 'nine', 'A reminder', 'This survey has closed'],
  ])(
    'in %s gets one reminder, then expires; a late reply hears it has closed and is not scored',
    async (locale, late, reminderText, closedText) => {
      const advisorId = `A-expiry-${locale}`;
      const body = visit({ advisorId }, { locale, phone: newPhone() });
      const phone = body.customer.phone;
      const ingested = await postVisit(body);
      expect(ingested.status).toBe(202);
      const surveyId: string = ingested.body.survey.id;

      const [question] = await waitForTexts(phone, 1);
      const [, reminder] = await waitForTexts(phone, 2, 15_000);
      expect(reminder?.body).toContain(reminderText);
      const sentAt = Date.parse(question?.sentAt ?? '');
      expect(Date.parse(reminder?.sentAt ?? '') - sentAt).toBeGreaterThanOrEqual(REMINDER_HOURS * HOUR_MS - 500);

      await waitFor(async () => (await surveyItem(surveyId))?.status === 'expired', 'the survey to expire', 20_000);
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(EXPIRY_HOURS * HOUR_MS - 500);
      expect(await outbox(phone)).toHaveLength(2);

      const answer = await reply(phone, late);
      expect(answer.body.reply).toContain(closedText);
      await settle();
      expect(await bucketOf(advisorId)).toBeUndefined();
      expect(await surveyItem(surveyId)).toMatchObject({ status: 'expired' });
      expect((await surveyItem(surveyId))?.score).toBeUndefined();
      const texts = await outbox(phone);
      expect(texts).toHaveLength(3);
      expect(texts[2]?.body).toContain(closedText);
    },
  );
});

describe('an unreadable reply', () => {
  it('is asked again once; a second one gets no answer; a valid score after that is still taken', async () => {
    const advisorId = 'A-reask';
    const body = visit({ advisorId });
    const phone = body.customer.phone;
    await postVisit(body);
    await waitForTexts(phone, 1);

    expect((await reply(phone, '好的')).body.reply).toContain('抱歉没看懂');
    expect((await reply(phone, '11')).body.reply).toBeNull();
    expect(await outbox(phone)).toHaveLength(2);

    expect((await reply(phone, '9分')).body.reply).toContain('原因');
    const bucket = await waitFor(bucketOf.bind(null, advisorId), 'the score in the rollup');
    expect(bucket).toMatchObject({ responses: 1, promoters: 1, detractors: 0 });
  });
});

describe('the reason', () => {
  it('takes a second number after the score as the reason, and keeps the score', async () => {
    const advisorId = 'A-reason-number';
    const body = visit({ advisorId });
    const phone = body.customer.phone;
    const surveyId: string = (await postVisit(body)).body.survey.id;
    await waitForTexts(phone, 1);

    expect((await reply(phone, '3')).body.reply).toContain('原因');
    expect((await reply(phone, '8')).body.reply).toContain('抱歉');

    const alert = await waitFor(async () => {
      const { body: list } = await api('/v1/alerts', { token: await client.token('cx') });
      return list.alerts.find((a: { surveyId: string }) => a.surveyId === surveyId);
    }, "the detractor's alert");
    expect(alert).toMatchObject({ score: 3, comment: '8' });
    expect((await api(`/v1/alerts/${alert.id}`, { token: await client.token('cx') })).body).toMatchObject({
      score: 3,
      comment: '8',
    });
    await settle();
    expect(await bucketOf(advisorId)).toMatchObject({ responses: 1, detractors: 1, passives: 0, promoters: 0 });
    expect(await surveyItem(surveyId)).toMatchObject({ score: 3, reason: '8', status: 'completed' });
  });
});

describe('two open surveys for one phone', () => {
  it('gives the reply to the most recently created one', async () => {
    const advisorId = 'A-two-cars';
    const phone = newPhone();
    const older = visit({ advisorId, storeId: 'sh-pudong' }, { phone });
    const newer = visit({ advisorId, storeId: 'sh-minhang' }, { phone });
    const olderId: string = (await postVisit(older)).body.survey.id;
    await waitForTexts(phone, 1);
    const newerIngest = await postVisit(newer);
    expect(newerIngest.body.survey.status).toBe('scheduled');
    const texts = await waitForTexts(phone, 2);
    expect(texts[1]?.body).toContain('闵行服务中心');

    expect((await reply(phone, '10')).body.reply).toContain('原因');
    const byStore = await waitFor(async () => {
      const totals = await responsesBy('store', advisorId);
      return Object.keys(totals).length > 0 ? totals : undefined;
    }, 'the answer in a store rollup');
    await settle();
    expect(await responsesBy('store', advisorId)).toEqual(byStore);
    expect(byStore).toEqual({ 'sh-minhang': 1 });
    expect(await surveyItem(olderId)).toMatchObject({ status: 'awaiting_score' });
    expect(await surveyItem(newerIngest.body.survey.id)).toMatchObject({ status: 'awaiting_reason', score: 10 });
  });
});
