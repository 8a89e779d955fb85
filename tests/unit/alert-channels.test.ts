import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlertChannels } from '#shared/adapters/alert-channels/alert-channels.ts';
import { dingtalkSign } from '#shared/adapters/alert-channels/dingtalk.ts';
import type { EmailMessage, EmailTransport } from '#shared/adapters/alert-channels/email.ts';
import { feishuSign } from '#shared/adapters/alert-channels/feishu.ts';
import { ChannelDeliveryError, type RetryPolicy } from '#shared/adapters/alert-channels/http-delivery.ts';
import { OutboxEmailTransport } from '#shared/adapters/alert-channels/outbox-email.ts';
import { SesEmail } from '#shared/adapters/alert-channels/ses-email.ts';
import type { Channel, Config } from '#shared/config/schema.ts';
import type { AlertPayload } from '#shared/ports.ts';
import { configWith, localConfig } from './fakes.ts';

// A local receiver that answers each request with the next scripted response (then 200 `ok`).
interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let server: Server;
let base: string;
const received: Received[] = [];
let script: { status: number; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      received.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        rawQuery: url.search.slice(1),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const next = script.shift() ?? { status: 200, body: 'ok' };
      res.writeHead(next.status, { 'content-type': 'application/json' });
      res.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  received.length = 0;
  script = [];
});

const respond = (...responses: { status: number; body?: unknown }[]) => {
  script = responses.map((r) => ({ status: r.status, body: typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? {}) }));
};
const only = () => {
  expect(received).toHaveLength(1);
  return received[0] as Received;
};
const jsonOf = (r: Received) => JSON.parse(r.body);

const FULL_PHONE = /\+?(86)?\s?13800138000/;
const payload = (overrides: Partial<AlertPayload['alert']> = {}, type: AlertPayload['type'] = 'alert.raised'): AlertPayload => ({
  type,
  alert: {
    id: 'al_test0000000000000001',
    departmentId: 'customer-care',
    departmentName: '客户关怀',
    priority: 'normal',
    kind: 'detractor',
    segment: null,
    retention: null,
    surveyType: 'nps',
    score: 3,
    comment: '等了三个小时，车还没修好',
    categories: ['wait_time', 'repair_quality'],
    storeId: 'sh-pudong',
    storeName: '浦东服务中心',
    advisorId: 'A-17',
    serviceType: 'first_service',
    customerName: '王先生',
    phone: '+86 138****8000',
    dueAt: '2026-11-20T09:30:00.000Z',
    escalated: type === 'alert.escalated',
    createdAt: '2026-11-20T05:30:00.000Z',
    reopened: null,
    ...overrides,
  },
  links: {
    view: 'https://closedloop.example.com/inbox/alerts/al_test0000000000000001',
    api: 'https://closedloop.example.com/v1/alerts/al_test0000000000000001',
    act: 'https://closedloop.example.com/v1/alerts/al_test0000000000000001/actions',
  },
});

let delays: number[] = [];
const retry: RetryPolicy = {
  attempts: 3,
  firstDelayMs: 100,
  timeoutMs: 2_000,
  sleep: async (ms) => {
    delays.push(ms);
  },
};
afterEach(() => {
  delays = [];
});

const sentEmails: EmailMessage[] = [];
const recordingEmail: EmailTransport = { send: async (m) => void sentEmails.push(m) };
const channelsFor = (config: Readonly<Config> = localConfig(), env: NodeJS.ProcessEnv = {}) =>
  createAlertChannels({ config, env, email: recordingEmail, retry });
const deliver = (channel: Channel, p: AlertPayload = payload(), config?: Readonly<Config>, env?: NodeJS.ProcessEnv) =>
  channelsFor(config, env).deliver(channel, p, 'al_test0000000000000001:new:customer-care:0');

const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const DINGTALK_SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const FEISHU_SECRET = 'qT6vN2kX8mLw3RzY5bHc7d';

/** Every HTTP channel type, pointing at the receiver (known only once it listens), with its platform's success answer. */
const httpChannels = [
  {
    type: 'webhook',
    channel: (): Channel => ({ type: 'webhook', url: `${base}/hooks/care`, secret: WEBHOOK_SECRET }),
    success: 'ok',
  },
  { type: 'slack', channel: (): Channel => ({ type: 'slack', url: `${base}/services/T000/B000/XXXX` }), success: 'ok' },
  {
    type: 'wecom',
    channel: (): Channel => ({ type: 'wecom', url: `${base}/cgi-bin/webhook/send?key=k-123` }),
    success: { errcode: 0, errmsg: 'ok' },
  },
  {
    type: 'dingtalk',
    channel: (): Channel => ({ type: 'dingtalk', url: `${base}/robot/send?access_token=t-123`, secret: DINGTALK_SECRET }),
    success: { errcode: 0, errmsg: 'ok' },
  },
  {
    type: 'feishu',
    channel: (): Channel => ({ type: 'feishu', url: `${base}/open-apis/bot/v2/hook/h-123`, secret: FEISHU_SECRET }),
    success: { code: 0, msg: 'success', data: {} },
  },
];

describe('webhook channel', () => {
  it('POSTs the payload as JSON signed per Standard Webhooks, verified by the library', async () => {
    await deliver({ type: 'webhook', url: `${base}/hooks/care`, secret: WEBHOOK_SECRET });

    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hooks/care');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    const verified = new Webhook(WEBHOOK_SECRET).verify(request.body, headers);
    expect(verified).toMatchObject({ type: 'alert.raised', data: payload() });
    expect(request.headers['webhook-id']).toMatch(/^msg_/);
  });

  it('keeps the webhook-id across retries and signs each attempt afresh', async () => {
    respond({ status: 503 });

    await deliver({ type: 'webhook', url: `${base}/hooks/care`, secret: WEBHOOK_SECRET });

    expect(received).toHaveLength(2);
    expect(received[0]?.headers['webhook-id']).toBe(received[1]?.headers['webhook-id']);
    for (const r of received) {
      const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));
      expect(() => new Webhook(WEBHOOK_SECRET).verify(r.body, headers)).not.toThrow();
    }
  });

  it('reads an `env:NAME` secret from the environment', async () => {
    await deliver({ type: 'webhook', url: `${base}/hooks/care`, secret: 'env:CARE_HOOK_SECRET' }, payload(), undefined, {
      CARE_HOOK_SECRET: WEBHOOK_SECRET,
    });

    const headers = Object.fromEntries(Object.entries(only().headers).map(([k, v]) => [k, String(v)]));
    expect(() => new Webhook(WEBHOOK_SECRET).verify(only().body, headers)).not.toThrow();
  });
});

describe('slack channel', () => {
  it('POSTs a Block Kit message: header, the facts as fields, the words, a button to the alert', async () => {
    await deliver({ type: 'slack', url: `${base}/services/T000/B000/XXXX` });

    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/services/T000/B000/XXXX');
    const body = jsonOf(request);
    expect(body.text).toBe('新的差评预警 · 浦东服务中心');
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'section', 'actions', 'context']);
    expect(body.blocks[0].text).toEqual({ type: 'plain_text', text: '新的差评预警 · 浦东服务中心', emoji: false });
    const fields = body.blocks[1].fields.map((f: { type: string; text: string }) => f.text);
    expect(fields).toEqual([
      '*评分*\nNPS 3/10',
      '*优先级*\n普通',
      '*部门*\n客户关怀',
      '*门店*\n浦东服务中心',
      '*服务顾问*\nA-17',
      '*服务类型*\n首保',
      '*客户电话*\n+86 138****8000',
      '*问题分类*\n等待时间、维修质量',
      '*处理时限*\n2026-11-20 17:30 GMT+8',
    ]);
    expect(body.blocks[2].text.text).toBe('*客户原话*\n>等了三个小时，车还没修好');
    expect(body.blocks[3].elements[0]).toMatchObject({
      type: 'button',
      url: 'https://closedloop.example.com/inbox/alerts/al_test0000000000000001',
      text: { type: 'plain_text', text: '查看并处理' },
    });
  });

  it("escapes the customer's words, so they cannot mention @channel or make links", async () => {
    await deliver(
      { type: 'slack', url: `${base}/services/T000/B000/XXXX` },
      payload({ comment: '<!channel> see <http://evil.example|here> & more' }),
    );

    const comment = jsonOf(only()).blocks[2].text.text;
    expect(comment).toContain('&lt;!channel&gt; see &lt;http://evil.example|here&gt; &amp; more');
    expect(comment).not.toContain('<');
  });

  it('writes English when the config says defaultLocale en, and marks an escalation', async () => {
    await deliver(
      { type: 'slack', url: `${base}/services/T000/B000/XXXX` },
      payload({ priority: 'high', comment: null }, 'alert.escalated'),
      configWith({ defaultLocale: 'en' }),
    );

    const body = jsonOf(only());
    expect(body.text).toBe('[High priority] Alert escalated: not acknowledged in time · 浦东服务中心');
    expect(body.blocks[1].fields[0].text).toBe('*Score*\nNPS 3/10');
    expect(body.blocks[2].text.text).toBe('*Customer said*\n>(no comment)');
    expect(body.blocks[3].elements[0]).toMatchObject({ style: 'danger', text: { text: 'Open the alert' } });
  });
});

describe('wecom channel', () => {
  it('POSTs msgtype markdown to the robot URL, key kept, with the facts, the words and the link', async () => {
    respond({ status: 200, body: { errcode: 0, errmsg: 'ok' } });

    await deliver({ type: 'wecom', url: `${base}/cgi-bin/webhook/send?key=k-123` });

    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/cgi-bin/webhook/send');
    expect(request.query.get('key')).toBe('k-123');
    const body = jsonOf(request);
    expect(Object.keys(body).sort()).toEqual(['markdown', 'msgtype']);
    expect(body.msgtype).toBe('markdown');
    const content: string = body.markdown.content;
    expect(content.split('\n')[0]).toBe('### <font color="info">新的差评预警 · 浦东服务中心</font>');
    expect(content).toContain('> 评分：NPS 3/10');
    expect(content).toContain('> 处理时限：2026-11-20 17:30 GMT+8');
    expect(content).toContain('**客户原话**：等了三个小时，车还没修好');
    expect(content).toContain('[查看并处理](https://closedloop.example.com/inbox/alerts/al_test0000000000000001)');
  });

  it('stays within the 4096-byte markdown limit and keeps markup out of a long, hostile comment', async () => {
    respond({ status: 200, body: { errcode: 0, errmsg: 'ok' } });

    await deliver(
      { type: 'wecom', url: `${base}/cgi-bin/webhook/send?key=k-123` },
      payload({ comment: `[点这里](http://evil.example) <@all> ${'太慢了'.repeat(1000)}` }),
    );

    const content: string = jsonOf(only()).markdown.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(4096);
    expect(content).not.toContain('](http://evil.example)');
    expect(content).not.toContain('<@all>');
  });

  it('fails when the robot answers HTTP 200 with a non-zero errcode, without retrying', async () => {
    respond({ status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } });

    await expect(deliver({ type: 'wecom', url: `${base}/cgi-bin/webhook/send?key=k-123` })).rejects.toThrow(
      /wecom refused the message: 93000/,
    );
    expect(received).toHaveLength(1);
  });
});

describe('dingtalk channel', () => {
  it('signs with 加签: timestamp and sign query parameters that recompute, access_token kept', async () => {
    respond({ status: 200, body: { errcode: 0, errmsg: 'ok' } });
    const before = Date.now();

    await deliver({ type: 'dingtalk', url: `${base}/robot/send?access_token=t-123`, secret: DINGTALK_SECRET });

    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/robot/send');
    expect(request.query.get('access_token')).toBe('t-123');
    const timestamp = Number(request.query.get('timestamp'));
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Date.now());
    const expected = createHmac('sha256', DINGTALK_SECRET).update(`${timestamp}\n${DINGTALK_SECRET}`).digest('base64');
    expect(request.query.get('sign')).toBe(expected);
    // On the wire the base64 is URL-encoded (+, / and = escaped).
    expect(request.rawQuery).toContain(`sign=${encodeURIComponent(expected)}`);
  });

  it('computes the documented reference signature (Python sample of the 加签 docs)', () => {
    expect(dingtalkSign(1700000000000, DINGTALK_SECRET)).toBe('bTgY2yDbep+wesS7jKiNj+srsHoADES4+C4f8LCHFtU=');
  });

  it('POSTs msgtype markdown with a title for the conversation list and the facts in the text', async () => {
    respond({ status: 200, body: { errcode: 0, errmsg: 'ok' } });

    await deliver({ type: 'dingtalk', url: `${base}/robot/send?access_token=t-123`, secret: DINGTALK_SECRET });

    const body = jsonOf(only());
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('新的差评预警 · 浦东服务中心');
    expect(body.markdown.text).toContain('- **评分**：NPS 3/10');
    expect(body.markdown.text).toContain('> 等了三个小时，车还没修好');
    expect(body.markdown.text).toContain('[查看并处理](https://closedloop.example.com/inbox/alerts/al_test0000000000000001)');
  });

  it('sends no signature when the robot has no secret', async () => {
    respond({ status: 200, body: { errcode: 0, errmsg: 'ok' } });

    await deliver({ type: 'dingtalk', url: `${base}/robot/send?access_token=t-123` });

    expect([...only().query.keys()]).toEqual(['access_token']);
  });

  it('fails when DingTalk answers HTTP 200 with errcode 310000 (signature or keyword refused)', async () => {
    respond({ status: 200, body: { errcode: 310000, errmsg: 'sign not match' } });

    await expect(
      deliver({ type: 'dingtalk', url: `${base}/robot/send?access_token=t-123`, secret: DINGTALK_SECRET }),
    ).rejects.toBeInstanceOf(ChannelDeliveryError);
  });
});

describe('feishu channel', () => {
  it('puts timestamp and sign in the body: HMAC-SHA256 keyed by timestamp + "\\n" + secret over nothing', async () => {
    respond({ status: 200, body: { code: 0, msg: 'success', data: {} } });
    const before = Math.floor(Date.now() / 1000);

    await deliver(
      { type: 'feishu', url: `${base}/open-apis/bot/v2/hook/h-123`, secret: 'env:FEISHU_SECRET' },
      payload(),
      undefined,
      {
        FEISHU_SECRET,
      },
    );

    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/open-apis/bot/v2/hook/h-123');
    expect(request.rawQuery).toBe('');
    const body = jsonOf(request);
    expect(body.timestamp).toMatch(/^\d+$/);
    const timestamp = Number(body.timestamp);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    const expected = createHmac('sha256', `${timestamp}\n${FEISHU_SECRET}`).update(Buffer.alloc(0)).digest('base64');
    expect(body.sign).toBe(expected);
  });

  it('computes the documented reference signature (Python sample of the 签名校验 docs)', () => {
    expect(feishuSign(1700000000, FEISHU_SECRET)).toBe('TrFdn0oqa0NbKdvbnKLeSUQk95dkqIufd7jDAF+7hm4=');
  });

  it('sends an interactive card: header, short fields, the words, a button to the alert', async () => {
    respond({ status: 200, body: { code: 0, msg: 'success', data: {} } });

    await deliver({ type: 'feishu', url: `${base}/open-apis/bot/v2/hook/h-123` }, payload({ priority: 'high' }));

    const body = jsonOf(only());
    expect(body.sign).toBeUndefined();
    expect(body.msg_type).toBe('interactive');
    expect(body.card.header).toEqual({
      title: { tag: 'plain_text', content: '【高优先级】新的差评预警 · 浦东服务中心' },
      template: 'red',
    });
    const [fields, comment, action] = body.card.elements;
    expect(fields.fields[0]).toEqual({ is_short: true, text: { tag: 'lark_md', content: '**评分**\nNPS 3/10' } });
    expect(comment.text.content).toBe('**客户原话**\n等了三个小时，车还没修好');
    expect(action.actions[0]).toMatchObject({
      tag: 'button',
      url: 'https://closedloop.example.com/inbox/alerts/al_test0000000000000001',
    });
  });

  it('fails when Feishu answers HTTP 200 with a non-zero code', async () => {
    respond({ status: 200, body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' } });

    await expect(deliver({ type: 'feishu', url: `${base}/open-apis/bot/v2/hook/h-123`, secret: FEISHU_SECRET })).rejects.toThrow(
      /feishu refused the message: 19021/,
    );
    expect(received).toHaveLength(1);
  });
});

describe.each(httpChannels.map((c) => [c.type, c] as const))('%s channel, delivery', (_, { channel, success }) => {
  it("says a case is reopened, with the re-survey's score and words first and the first answer after", async () => {
    respond({ status: 200, body: success });

    await deliver(
      channel(),
      payload({ reopened: { at: '2026-11-23T05:30:00.000Z', score: 5, comment: '换了零件还是响' } }, 'alert.reopened'),
    );

    const body = only().body;
    if (channel().type === 'webhook') {
      expect(JSON.parse(body)).toMatchObject({
        type: 'alert.reopened',
        data: { alert: { score: 3, reopened: { score: 5, comment: '换了零件还是响' } } },
      });
    } else {
      expect(body).toContain('差评工单重新打开：回访客户仍不满意');
      expect(body).toContain('回访评分');
      expect(body.indexOf('换了零件还是响')).toBeGreaterThan(-1);
      expect(body).toMatch(/首次评价.*NPS 3\/10 · 等了三个小时，车还没修好/);
    }
  });

  it('shows the masked phone, never the full number', async () => {
    respond({ status: 200, body: success });

    await deliver(channel());

    const body = only().body;
    expect(body).toMatch(/138(\*|＊){4}8000/);
    expect(body).not.toMatch(FULL_PHONE);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    respond({ status: 500 }, { status: 200, body: success });

    await deliver(channel());

    expect(received).toHaveLength(2);
    expect(delays).toEqual([100]);
  });

  it('retries a 429', async () => {
    respond({ status: 429 }, { status: 200, body: success });

    await deliver(channel());

    expect(received).toHaveLength(2);
  });

  it('gives up after 3 attempts and throws, so the queue retries later', async () => {
    respond({ status: 502 }, { status: 503 }, { status: 500 }, { status: 200, body: success });

    await expect(deliver(channel())).rejects.toThrow(/answered 500 \(attempt 3 of 3\)/);
    expect(received).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
  });

  it('does not retry a 4xx other than 429', async () => {
    respond({ status: 404, body: 'channel_not_found' });

    await expect(deliver(channel())).rejects.toBeInstanceOf(ChannelDeliveryError);
    expect(received).toHaveLength(1);
  });

  it('retries when the endpoint cannot be reached, then throws', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = { ...channel(), url: `http://127.0.0.1:${port}/gone?key=k` } as Channel;

    await expect(deliver(unreachable)).rejects.toThrow(/could not be reached \(attempt 3 of 3\)/);
    expect(delays).toEqual([100, 200]);
  });
});

describe('email channel', () => {
  const emailChannel: Channel = { type: 'email', to: ['kefu@example.com', 'lead@example.com'], from: 'alerts@example.com' };

  afterEach(() => {
    sentEmails.length = 0;
  });

  it('hands the transport a subject, a text and an HTML body with the facts, the words and the link', async () => {
    await deliver(emailChannel, payload({ comment: '<b>太贵</b> & 太慢' }));

    expect(sentEmails).toHaveLength(1);
    const email = sentEmails[0] as EmailMessage;
    expect(email).toMatchObject({
      id: 'al_test0000000000000001:new:customer-care:0',
      to: ['kefu@example.com', 'lead@example.com'],
      from: 'alerts@example.com',
      subject: '新的差评预警 · 浦东服务中心',
    });
    expect(email.text).toContain('评分: NPS 3/10');
    expect(email.text).toContain('客户电话: +86 138****8000');
    expect(email.text).toContain('<b>太贵</b> & 太慢');
    expect(email.text).toContain('https://closedloop.example.com/inbox/alerts/al_test0000000000000001');
    expect(email.html).toContain('&lt;b&gt;太贵&lt;/b&gt; &amp; 太慢');
    expect(email.html).not.toContain('<b>太贵');
    expect(email.html).toContain('<a href="https://closedloop.example.com/inbox/alerts/al_test0000000000000001">');
    expect(`${email.text}${email.html}`).not.toMatch(FULL_PHONE);
  });

  it('puts a reopened case in the subject, with the new score and words in the text', async () => {
    await deliver(
      emailChannel,
      payload({ reopened: { at: '2026-11-23T05:30:00.000Z', score: 5, comment: '换了零件还是响' } }, 'alert.reopened'),
      configWith({ defaultLocale: 'en' }),
    );

    const email = sentEmails[0] as EmailMessage;
    expect(email.subject).toBe('Case reopened: the customer is still unhappy · 浦东服务中心');
    expect(email.text).toContain('Re-survey score: NPS 5/10');
    expect(email.text).toContain('First answer: NPS 3/10 · 等了三个小时，车还没修好');
    expect(email.text).toContain('Customer said:\n换了零件还是响');
    expect(email.html).toContain('color:#c0392b');
  });

  describe('OutboxEmailTransport', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'closedloop-email-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('appends each email to the JSON-lines outbox, oldest first, with a local sender by default', async () => {
      const outbox = new OutboxEmailTransport(join(dir, 'outbox.jsonl'));
      const channels = createAlertChannels({ config: localConfig(), env: {}, email: outbox, retry });

      await channels.deliver({ type: 'email', to: ['kefu@example.com'] }, payload(), 'key-1');
      await channels.deliver({ type: 'email', to: ['kefu@example.com'] }, payload({}, 'alert.escalated'), 'key-2');

      const messages = await outbox.messages();
      expect(messages.map((m) => [m.id, m.from, m.to, m.subject])).toEqual([
        ['key-1', 'closedloop@localhost', ['kefu@example.com'], '新的差评预警 · 浦东服务中心'],
        ['key-2', 'closedloop@localhost', ['kefu@example.com'], '差评预警升级：超时未确认 · 浦东服务中心'],
      ]);
      expect(Date.parse(messages[0]?.sentAt ?? '')).not.toBeNaN();
    });

    it('reads an outbox that does not exist yet as empty', async () => {
      expect(await new OutboxEmailTransport(join(dir, 'none.jsonl')).messages()).toEqual([]);
    });
  });

  describe('SesEmail', () => {
    it('sends one SendEmailCommand from the channel sender to its recipients, UTF-8 text and HTML', async () => {
      const commands: SendEmailCommand[] = [];
      const client = { send: async (command: SendEmailCommand) => void commands.push(command) };
      const channels = createAlertChannels({ config: localConfig(), env: {}, email: new SesEmail(client), retry });

      await channels.deliver(emailChannel, payload(), 'key-1');

      expect(commands).toHaveLength(1);
      expect(commands[0]).toBeInstanceOf(SendEmailCommand);
      const input = commands[0]?.input;
      expect(input?.FromEmailAddress).toBe('alerts@example.com');
      expect(input?.Destination).toEqual({ ToAddresses: ['kefu@example.com', 'lead@example.com'] });
      expect(input?.Content?.Simple?.Subject).toEqual({ Data: '新的差评预警 · 浦东服务中心', Charset: 'UTF-8' });
      expect(input?.Content?.Simple?.Body?.Text?.Charset).toBe('UTF-8');
      expect(input?.Content?.Simple?.Body?.Text?.Data).toContain('等了三个小时，车还没修好');
      expect(input?.Content?.Simple?.Body?.Html?.Data).toContain('<table>');
    });

    it('refuses to send without a from address, since SES sends only from verified identities', async () => {
      const commands: SendEmailCommand[] = [];
      const client = { send: async (command: SendEmailCommand) => void commands.push(command) };
      const channels = createAlertChannels({ config: localConfig(), env: {}, email: new SesEmail(client), retry });

      await expect(channels.deliver({ type: 'email', to: ['kefu@example.com'] }, payload(), 'key-1')).rejects.toThrow(/from/);
      expect(commands).toEqual([]);
    });

    it('lets an SES error surface, for the queue to retry', async () => {
      const client = {
        send: async () => {
          throw new Error('Throttling: Maximum sending rate exceeded');
        },
      };
      const channels = createAlertChannels({ config: localConfig(), env: {}, email: new SesEmail(client), retry });

      await expect(channels.deliver(emailChannel, payload(), 'key-1')).rejects.toThrow(/Throttling/);
    });
  });
});
