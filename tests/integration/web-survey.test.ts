import { describe, expect, it } from 'vitest';
import { api, countItems, postVisit, scores, tokens, visit, visitDay, waitFor, waitForTexts } from './helpers.ts';

/** A visit at the link-mode store: its text carries the web survey link instead of asking for a reply. */
async function linkSurvey(customer: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) {
  const body = visit({ storeId: 'sz-futian', ...overrides }, customer);
  await postVisit(body);
  const [text] = await waitForTexts(body.customer.phone, 1);
  const link = /https:\/\/closedloop\.example\.com(\/s\/[A-Za-z0-9_-]{22})\b/.exec(text?.body ?? '');
  if (!link?.[1]) throw new Error(`no survey link in: ${text?.body}`);
  return { path: link[1], text: text?.body ?? '', phone: body.customer.phone };
}

const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

describe('the web survey', () => {
  it('is linked from the text of a store whose sender cannot take replies', async () => {
    const { text } = await linkSurvey();
    expect(text).toMatch(/^【星途服务】.*https:\/\/closedloop\.example\.com\/s\/[\w-]{22} 回T退订$/);
    expect(text).not.toMatch(/回复\d/);
  });

  it("shows the survey's form in the customer's language", async () => {
    const { path } = await linkSurvey({ name: '李女士' });
    const page = await api(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('lang="zh-CN"');
    expect(page.text).toContain('您有多大可能向亲友推荐我们');
    expect(page.text).toContain('李女士');
    expect(page.text.match(/type="radio" name="score"/g)).toHaveLength(11);
  });

  it('takes one answer, scores it like an SMS answer and routes a detractor', async () => {
    const { path } = await linkSurvey({}, { advisorId: 'A-web-1' });
    const answered = await api(path, { method: 'POST', ...form({ score: '2', reason: '等了两个小时才有人接待' }) });
    expect(answered.status).toBe(200);
    expect(answered.text).toContain('很抱歉');

    const again = await api(path, { method: 'POST', ...form({ score: '10' }) });
    expect(again.status).toBe(409);
    expect(again.text).toContain('已经提交过了');
    expect((await api(path)).status).toBe(409);

    const bucket = await waitFor(async () => {
      const { body } = await scores(
        `metric=nps&groupBy=advisor&advisorId=A-web-1&from=${visitDay()}&to=${visitDay()}&granularity=day`,
      );
      return body.buckets[0]?.responses === 1 ? body.buckets[0] : undefined;
    }, 'the web answer in the rollup');
    expect(bucket).toMatchObject({ detractors: 1, score: -100 });

    const alert = await waitFor(async () => {
      const { body } = await api('/v1/alerts?departmentId=service-advisors', { token: tokens.cx });
      return body.alerts.find((a: { advisorId: string }) => a.advisorId === 'A-web-1');
    }, 'the routed alert');
    expect(alert).toMatchObject({ score: 2, comment: '等了两个小时才有人接待', storeId: 'sz-futian' });
  });

  it('speaks English to an English customer', async () => {
    const { path } = await linkSurvey({ locale: 'en', name: 'Sam' }, { serviceType: 'repair' });
    const page = await api(path);
    expect(page.text).toContain('lang="en"');
    expect(page.text).toContain('How satisfied were you');
    expect(page.text.match(/type="radio" name="score"/g)).toHaveLength(5);
    const answered = await api(path, { method: 'POST', ...form({ score: '5' }) });
    expect(answered.text).toContain('Thank you for your feedback');
  });

  it('refuses a missing or out-of-range score with 400 and writes nothing', async () => {
    const { path } = await linkSurvey();
    const before = await countItems();
    const missing = await api(path, { method: 'POST', ...form({ reason: 'no score' }) });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('请先选择一个分数');
    const outOfRange = await api(path, { method: 'POST', json: { score: 11 } });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.error.fields).toHaveProperty('score');
    expect(await countItems()).toBe(before);
    expect((await api(path)).status).toBe(200);
  });

  it('answers an unknown or malformed link with a friendly 404', async () => {
    const unknown = await api('/s/AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('链接无效');
    expect((await api('/s/short')).status).toBe(404);
    const english = await api('/s/AAAAAAAAAAAAAAAAAAAAAA', { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(english.text).toContain('This link is not valid');
  });
});
