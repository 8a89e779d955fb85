import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, e164, postVisit, stack, stackClient, visit, waitFor, waitForTexts } from './helpers.ts';

const { surveyItem, scanTable } = stackClient(stack);

/** A fresh openid of the shape WeChat gives a service account's followers (28 characters). */
const newOpenId = () => `o${randomBytes(20).toString('base64url')}`;

interface WechatMessage {
  openId: string;
  templateId: string;
  url: string | null;
  data: Record<string, { value: string }>;
}

const wechatOutbox = async (openId: string): Promise<WechatMessage[]> =>
  (await api(`/dev/wechat/outbox?openId=${encodeURIComponent(openId)}`)).body.messages;
const waitForNotice = (openId: string) =>
  waitFor(async () => (await wechatOutbox(openId))[0], `a WeChat message to ${openId}`, 30_000);
const config = JSON.parse(readFileSync(stack.configPath, 'utf8'));

describe('reaching a customer by WeChat (sh-minhang reaches by wechat, then sms)', () => {
  it('sends the single-use web survey link as a template message, on one access token for several sends, and scores the answer', async () => {
    const tokensBefore = (await api('/dev/wechat/tokens')).body.issued;
    const openIds = [newOpenId(), newOpenId(), newOpenId()];
    const visits = openIds.map((wechatOpenId) => visit({ storeId: 'sh-minhang' }, { wechatOpenId }));
    const surveyIds: string[] = [];
    for (const body of visits) {
      const posted = await postVisit(body);
      expect(posted.status).toBe(202);
      surveyIds.push(posted.body.survey.id);
    }

    const notices = await Promise.all(openIds.map(waitForNotice));

    for (const notice of notices) {
      expect(notice.templateId).toBe(config.wechat.templateId);
      expect(notice.url).toMatch(/\/s\/[A-Za-z0-9_-]{22}$/);
      expect(notice.data.thing1?.value).toBe('闵行服务中心');
      expect(notice.data.thing3?.value).toBe('点击详情,为本次服务评分');
    }
    // WeChat, not SMS: no text to their phones.
    for (const v of visits)
      expect((await api(`/dev/sms/outbox?to=${encodeURIComponent(v.customer.phone)}`)).body.messages).toEqual([]);
    // At most one token for the account however many sends (none when an earlier test fetched it).
    expect((await api('/dev/wechat/tokens')).body.issued - tokensBefore).toBeLessThanOrEqual(1);
    expect((await api('/dev/wechat/tokens')).body.issued).toBe(1);

    const path = new URL(notices[0]?.url ?? '').pathname;
    const page = await api(path);
    expect(page.status).toBe(200);
    const answered = await api(path, {
      method: 'POST',
      body: new URLSearchParams({ score: '9', reason: '微信上评价很方便' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answered.status).toBe(200);
    expect(
      (await api(path, { method: 'POST', body: 'score=3', headers: { 'content-type': 'application/x-www-form-urlencoded' } }))
        .status,
    ).toBe(409);

    const scored = await waitFor(async () => {
      const items = await scanTable('closedloop-scores');
      return items.find((i) => i.type === 'response' && i.surveyId === surveyIds[0]);
    }, 'the answer among the scored responses');
    expect(scored).toMatchObject({ score: 9, channel: 'web', storeId: 'sh-minhang' });
    expect(await surveyItem(surveyIds[0] ?? '')).toMatchObject({ reach: 'wechat', score: 9 });
  });

  it('moves a customer who does not follow the account (43004) to SMS', async () => {
    const openId = newOpenId();
    await api('/dev/wechat/followers', { json: { openId, following: false } });
    const body = visit({ storeId: 'sh-minhang' }, { wechatOpenId: openId });

    const posted = await postVisit(body);
    expect(posted.status).toBe(202);

    const [text] = await waitForTexts(e164(body.customer.phone), 1, 30_000);
    expect(text?.body).toContain('闵行服务中心');
    expect(await wechatOutbox(openId)).toEqual([]);
    expect(await surveyItem(posted.body.survey.id)).toMatchObject({ reach: 'sms', movedFrom: 'wechat' });
  });

  it('sends a visit without an openid at that store by SMS, its first usable channel', async () => {
    const body = visit({ storeId: 'sh-minhang' });

    await postVisit(body);

    expect(await waitForTexts(e164(body.customer.phone), 1, 30_000)).toHaveLength(1);
  });

  it('refuses an openid of the wrong shape with a 400 naming the field, and logs no openid', async () => {
    const bad = await postVisit(visit({ storeId: 'sh-minhang' }, { wechatOpenId: 'not an openid' }));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('customer.wechatOpenId');

    const openId = newOpenId();
    await postVisit(visit({ storeId: 'sh-minhang' }, { wechatOpenId: openId }));
    await waitForNotice(openId);
    expect(readFileSync(join(stack.dataDir, 'stack.log'), 'utf8')).not.toContain(openId);
  });
});
