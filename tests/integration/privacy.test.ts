/**
 * Phone numbers never leave the SMS path in the clear: not in logs, API answers, alert
 * deliveries, or stored items (only an HMAC and a ciphertext are kept). Runs on the shared
 * stack, whose output global-setup keeps in `<dataDir>/stack.log` at LOG_LEVEL=INFO.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  dynamo,
  e164,
  postVisit,
  reply,
  scores,
  stack,
  stackClient,
  tokens,
  twilioRequest,
  visit,
  visitDay,
  waitFor,
  waitForTexts,
} from './helpers.ts';
import { stackLogPath } from '#local/stack-process.ts';

const { scanTable } = stackClient(stack);

/** Any Chinese mobile (national or +86) or UK mobile (07… or +447…) standing on its own. */
const ANY_MOBILE = /(?<![0-9A-Za-z_])(?:(?:\+?86)?1[3-9]\d{9}|(?:\+?44|0)7\d{9})(?![0-9A-Za-z_])/;

interface Customer {
  label: string;
  /** The national significant number: inside every way of writing the number (E.164, national, +86…). */
  digits: string;
  surveyId: string;
}
const customers: Customer[] = [];
const words: string[] = [];

function leaksIn(text: string) {
  return {
    phones: customers.filter((c) => text.includes(c.digits)).map((c) => c.label),
    anyMobile: ANY_MOBILE.exec(text)?.[0],
  };
}
const clean = { phones: [], anyMobile: undefined };

async function alertsOf(surveyId: string): Promise<{ id: string; departmentId: string }[]> {
  const { body } = await api('/v1/alerts?limit=200', { token: tokens.cx });
  return body.alerts.filter((a: { surveyId: string }) => a.surveyId === surveyId);
}
async function deliveredAlertIds(): Promise<Set<string>> {
  const { body } = await api('/dev/webhooks');
  return new Set(body.deliveries.map((d: { payload: { data: { alert: { id: string } } } }) => d.payload?.data?.alert?.id));
}

beforeAll(async () => {
  const advisorId = 'A-privacy';

  // A Chinese detractor, by the simulator: alerts to the departments the comment names.
  const zh = visit({ advisorId, storeId: 'sh-pudong' });
  const zhSurvey = (await postVisit(zh)).body.survey.id;
  customers.push({ label: 'zh detractor', digits: zh.customer.phone, surveyId: zhSurvey });
  await waitForTexts(zh.customer.phone, 1);
  await reply(zh.customer.phone, '2分');
  words.push('等了整整三个小时，价格也太贵');
  await reply(zh.customer.phone, words[0] ?? '');

  // An English customer in the UK, CSAT.
  const ukDigits = `79111${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
  const en = visit(
    { advisorId, storeId: 'uk-reading', serviceType: 'repair' },
    { phone: `0${ukDigits.slice(0, 4)} ${ukDigits.slice(4)}`, locale: 'en', name: 'Sam' },
  );
  const enSurvey = (await postVisit(en)).body.survey.id;
  customers.push({ label: 'en customer', digits: ukDigits, surveyId: enSurvey });
  await waitForTexts(en.customer.phone, 1);
  await reply(`+44${ukDigits}`, '5');
  words.push('Quick and friendly, thank you Sam');
  await reply(`+44${ukDigits}`, words[1] ?? '');

  // An opt-out.
  const out = visit({ advisorId, storeId: 'bj-chaoyang' });
  const outSurvey = (await postVisit(out)).body.survey.id;
  customers.push({ label: 'opt-out', digits: out.customer.phone, surveyId: outSurvey });
  await waitForTexts(out.customer.phone, 1);
  await reply(out.customer.phone, '退订');

  // A detractor answering through the Twilio webhook, signed.
  const tw = visit({ advisorId, storeId: 'sh-minhang' });
  const twSurvey = (await postVisit(tw)).body.survey.id;
  customers.push({ label: 'Twilio detractor', digits: tw.customer.phone, surveyId: twSurvey });
  await waitForTexts(tw.customer.phone, 1);
  const twilio = (sid: string, body: string) =>
    twilioRequest({
      MessageSid: sid,
      AccountSid: `AC${'0'.repeat(32)}`,
      From: e164(tw.customer.phone),
      To: '+8610690000',
      Body: body,
    });
  expect((await twilio(`SM${randomUUID().replaceAll('-', '')}`, '1')).status).toBe(200);
  words.push('the waiting room was dirty and nobody called me back');
  expect((await twilio(`SM${randomUUID().replaceAll('-', '')}`, words[2] ?? '')).status).toBe(200);

  // Everything has happened once every detractor's alerts are delivered and every score is in.
  for (const surveyId of [zhSurvey, twSurvey]) {
    const alerts = await waitFor(async () => {
      const found = await alertsOf(surveyId);
      return found.length > 0 ? found : undefined;
    }, `the alerts of ${surveyId}`);
    const deliverable = alerts.filter((a) => a.departmentId !== 'parts'); // parts' receiver refuses everything
    await waitFor(async () => {
      const delivered = await deliveredAlertIds();
      return deliverable.every((a) => delivered.has(a.id));
    }, `the deliveries of ${surveyId}'s alerts`);
  }

  // A head calls the Chinese detractor: the full number is in that answer only, so every scan below
  // (logs, alert lists, the alert itself, stored items, deliveries) also covers the reveal.
  const [zhAlert] = await alertsOf(zhSurvey);
  if (!zhAlert) throw new Error('the zh detractor raised no alert');
  const revealed = await api(`/v1/alerts/${zhAlert.id}/contact`, { token: tokens.cx, method: 'POST' });
  expect(revealed.body).toEqual({ phone: e164(zh.customer.phone) });
  const audited = await api(`/v1/alerts/${zhAlert.id}`, { token: tokens.cx });
  expect(audited.body.actions.map((a: { action: string }) => a.action)).toContain('phone_revealed');
  const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
  const range = `from=${day(-2)}&to=${day(2)}&granularity=month&groupBy=advisor&advisorId=${advisorId}`;
  await waitFor(async () => (await scores(`metric=nps&${range}`)).body.buckets[0]?.responses === 2, 'two NPS answers');
  await waitFor(async () => (await scores(`metric=csat&${range}`)).body.buckets[0]?.responses === 1, 'one CSAT answer');
}, 90_000);

describe('the logs', () => {
  const log = () => readFileSync(stackLogPath(stack.dataDir), 'utf8');

  it('are the INFO logs of these very conversations (so the scans below can fail)', () => {
    for (const { surveyId } of customers) expect(log()).toContain(surveyId);
  });

  it('contain no phone number', () => {
    expect(leaksIn(log())).toEqual(clean);
  });

  it("contain none of the customers' words", () => {
    expect(words.filter((w) => log().includes(w))).toEqual([]);
  });
});

describe('the API', () => {
  it('shows no phone number in any alert, listed or read one by one, only a masked one', async () => {
    const { body } = await api('/v1/alerts?limit=200', { token: tokens.cx });
    expect(body.alerts.length).toBeGreaterThan(0);
    expect(leaksIn(JSON.stringify(body))).toEqual(clean);
    for (const { id } of body.alerts) {
      const one = await api(`/v1/alerts/${id}`, { token: tokens.cx });
      expect(one.status).toBe(200);
      expect(leaksIn(one.text)).toEqual(clean);
    }
    const mine = await alertsOf(customers[0]?.surveyId ?? '');
    expect(JSON.stringify(mine)).toMatch(/\+86 139\*{4}\d{4}/);
  });

  it('shows no phone number in the scores', async () => {
    const today = visitDay();
    for (const metric of ['nps', 'csat', 'ces']) {
      for (const groupBy of ['none', 'store', 'department', 'advisor', 'serviceType']) {
        const answer = await scores(`metric=${metric}&from=${today.slice(0, 8)}01&to=${today}&groupBy=${groupBy}`);
        expect(answer.status).toBe(200);
        expect(leaksIn(answer.text)).toEqual(clean);
      }
    }
  });

  it('delivers alerts to departments with no phone number in them', async () => {
    const { body, text } = await api('/dev/webhooks');
    expect(body.deliveries.length).toBeGreaterThan(0);
    expect(leaksIn(text)).toEqual(clean);
    // Alert emails, where a department has an email channel, stay in a local outbox.
    const emails = join(stack.dataDir, 'email-outbox.jsonl');
    if (existsSync(emails)) expect(leaksIn(readFileSync(emails, 'utf8'))).toEqual(clean);
  });
});

describe('the stored items', () => {
  it('hold no phone number in any attribute of any table', async () => {
    for (const table of ['closedloop-main', 'closedloop-scores']) {
      const items = await scanTable(table);
      expect(items.length).toBeGreaterThan(0);
      const leaking = items.filter((item) => {
        const leak = leaksIn(JSON.stringify(item));
        return leak.phones.length > 0 || leak.anyMobile !== undefined;
      });
      expect(leaking.map((item) => `${String(item.pk)} ${JSON.stringify(leaksIn(JSON.stringify(item)))}`)).toEqual([]);
    }
  });

  it('keep a survey phone as an HMAC and a ciphertext, with a masked form for people', async () => {
    const { surveyItem } = stackClient(stack);
    const item = await surveyItem(customers[0]?.surveyId ?? '');
    expect(item).toMatchObject({
      phoneHash: expect.any(String),
      phoneCipher: expect.any(String),
      phoneMasked: expect.stringMatching(/^\+86 139\*{4}\d{4}$/),
    });
  });

  it("give a survey a TTL (expiresAt) privacy.retentionDays ahead, on the table's TTL attribute", async () => {
    const config = JSON.parse(readFileSync(stack.configPath, 'utf8'));
    const retentionDays: number = config.privacy?.retentionDays ?? 730;
    const { surveyItem } = stackClient(stack);
    const item = await surveyItem(customers[0]?.surveyId ?? '');
    const expected = Date.parse(String(item?.createdAt)) / 1000 + retentionDays * 86_400;
    expect(item?.expiresAt).toEqual(expect.any(Number));
    expect(Math.abs(Number(item?.expiresAt) - expected)).toBeLessThan(5);
    expect(Math.abs(Number(item?.expiresAt) - (Date.now() / 1000 + retentionDays * 86_400))).toBeLessThan(600);

    const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: 'closedloop-main' }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });
});
