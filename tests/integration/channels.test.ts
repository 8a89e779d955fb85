/**
 * The funnel and the scores split by channel (DESIGN §8), through the local runtime, on a stack of
 * this file's own so that the counts are exact: Minhang reaches by WeChat, then SMS. Two customers
 * with an openid get a WeChat notice (one answers on the web form, one never does and moves on to a
 * text), two without one get a text (one answers, one never does); a survey expires within seconds.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { baseTestConfig } from '#local/stack-process.ts';
import { e164, ownStack, visit, visitDay, waitFor } from './helpers.ts';

const EXPIRY_HOURS = 0.005; // 18 s after each channel's question

const { api, cxToken, postVisit, reply, surveyItem, waitForTexts } = ownStack((port) => {
  const config = baseTestConfig(port);
  config.expiryHours = EXPIRY_HOURS;
  config.reminder = { afterHours: 1 }; // after the expiry: no reminder
  config.stores.find((s: { id: string }) => s.id === 'sh-minhang').reach = ['wechat', 'sms'];
  return config;
});

const newOpenId = () => `o${randomBytes(20).toString('base64url')}`;
const waitForNotice = (openId: string) =>
  waitFor(
    async () => {
      const { body } = await api(`/dev/wechat/outbox?openId=${encodeURIComponent(openId)}`);
      return body.messages[0] as { url: string } | undefined;
    },
    `a WeChat notice to ${openId}`,
    30_000,
  );

/** A day either side of the visits' local day: every bucket of the range is summed per group. */
const range = `from=${visitDay('Asia/Shanghai', -1)}&to=${visitDay('Asia/Shanghai', 1)}&granularity=month`;
const read = async (path: string) => api(path, { token: await cxToken() });

type Bucket = Record<string, number | string>;
/** Buckets of every period summed per group, with the fields asked for. */
function perGroup(buckets: Bucket[], fields: string[]) {
  const groups: Record<string, Record<string, number>> = {};
  for (const b of buckets) {
    const sums = groups[String(b.group)] ?? Object.fromEntries(fields.map((f) => [f, 0]));
    groups[String(b.group)] = sums;
    for (const f of fields) sums[f] = (sums[f] ?? 0) + Number(b[f] ?? 0);
  }
  return groups;
}

describe('the funnel and the scores by channel (Minhang reaches by wechat, then sms)', () => {
  it('counts each channel its own sends and answers, a survey moved on to SMS sent by both, and scores each answer under its channel', async () => {
    const [answersOnWechat, silentOnWechat] = [newOpenId(), newOpenId()];
    const wechatAnswered = visit({ storeId: 'sh-minhang' }, { wechatOpenId: answersOnWechat });
    const wechatSilent = visit({ storeId: 'sh-minhang' }, { wechatOpenId: silentOnWechat });
    const smsAnswered = visit({ storeId: 'sh-minhang' });
    const smsSilent = visit({ storeId: 'sh-minhang' });
    const surveyIds: string[] = [];
    for (const body of [wechatAnswered, wechatSilent, smsAnswered, smsSilent]) {
      const posted = await postVisit(body);
      expect(posted.status).toBe(202);
      surveyIds.push(posted.body.survey.id);
    }

    // A text reply (7: a passive) and a web answer to the WeChat notice (9: a promoter).
    await waitForTexts(e164(smsAnswered.customer.phone), 1);
    await reply(e164(smsAnswered.customer.phone), '7');
    const notice = await waitForNotice(answersOnWechat);
    const answered = await api(new URL(notice.url).pathname, {
      method: 'POST',
      body: new URLSearchParams({ score: '9', reason: '微信上评价很方便' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answered.status).toBe(200);
    await waitForNotice(silentOnWechat);
    // The silent WeChat customer's notice expires unanswered: the survey moves on to a text.
    await waitForTexts(e164(wechatSilent.customer.phone), 1, 60_000);

    const funnel = await waitFor(
      async () => {
        const { body } = await read(`/v1/funnel?${range}&groupBy=channel`);
        const groups = perGroup(body.buckets ?? [], ['visits', 'sent', 'answered']);
        return groups.sms?.sent === 3 && groups.wechat?.answered === 1 ? groups : undefined;
      },
      'the funnel by channel to count the moved survey',
      30_000,
    );
    expect(funnel).toEqual({
      // A visit counts before any channel is chosen: in no channel's bucket.
      sms: { visits: 0, sent: 3, answered: 1 },
      wechat: { visits: 0, sent: 2, answered: 1 },
    });
    expect(await surveyItem(surveyIds[1] ?? '')).toMatchObject({ reach: 'sms', movedFrom: 'wechat' });
    const total = perGroup((await read(`/v1/funnel?${range}`)).body.buckets, ['visits', 'sent', 'answered']);
    expect(total).toEqual({ all: { visits: 4, sent: 4, answered: 2 } });

    const scores = await waitFor(async () => {
      const { body } = await read(`/v1/scores?metric=nps&${range}&groupBy=channel`);
      const groups = perGroup(body.buckets ?? [], ['responses', 'promoters', 'passives', 'detractors']);
      return groups.sms?.responses === 1 && groups.wechat?.responses === 1 ? groups : undefined;
    }, 'the scores by channel');
    expect(scores).toEqual({
      sms: { responses: 1, promoters: 0, passives: 1, detractors: 0 },
      // Answered on the web form, counted under the channel that reached the customer: not "web", not "link".
      wechat: { responses: 1, promoters: 1, passives: 0, detractors: 0 },
    });

    // A channel within a store, and a store within a channel: the store+channel view.
    const wechatInStore = await read(`/v1/scores?metric=nps&${range}&storeId=sh-minhang&channel=wechat`);
    expect(perGroup(wechatInStore.body.buckets, ['responses', 'promoters'])).toEqual({ all: { responses: 1, promoters: 1 } });
    const smsByStore = await read(`/v1/funnel?${range}&groupBy=store&channel=sms`);
    expect(perGroup(smsByStore.body.buckets, ['sent', 'answered'])).toEqual({ 'sh-minhang': { sent: 3, answered: 1 } });
  });

  it('refuses a channel it does not know with a 400 naming the field, and a channel with an advisor', async () => {
    const unknown = await read(`/v1/scores?metric=nps&${range}&channel=email`);
    expect(unknown.status).toBe(400);
    expect(Object.keys(unknown.body.error.fields)).toEqual(['channel']);

    const funnel = await read(`/v1/funnel?${range}&groupBy=channel&channel=fax`);
    expect(funnel.status).toBe(400);
    expect(Object.keys(funnel.body.error.fields)).toEqual(['channel']);

    const combined = await read(`/v1/funnel?${range}&groupBy=channel&advisorId=A-17`);
    expect(combined.status).toBe(400);
    expect(combined.body.error.fields).toHaveProperty('groupBy');
  });
});
