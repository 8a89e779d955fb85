import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WechatAccessTokens } from '#shared/adapters/wechat/access-tokens.ts';
import { WechatApiError } from '#shared/adapters/wechat/errors.ts';
import { WechatTemplateMessages } from '#shared/adapters/wechat/template-messages.ts';
import type { AccessTokenStore, SharedAccessToken } from '#shared/ports.ts';
import { createWechatApiFake, type WechatApiFake } from '#local/wechat-api.ts';

const appId = 'wx0123456789abcdef';
const appSecret = 'test-wechat-app-secret';
const templateId = 'TPL_survey_invite_0001';
const fields = { store: 'thing1', visitDate: 'time2', prompt: 'thing3' };
const openId = 'oAbCdEfGhIjKlMnOpQrStUvWxY01';

/** The shared token item as the DynamoDB adapter keeps it: conditional lease and store. */
class MemoryAccessTokenStore implements AccessTokenStore {
  current: SharedAccessToken | undefined;
  leaseOwner: string | undefined;
  leasedUntil: string | undefined;
  async read() {
    return { current: this.current, leasedUntil: this.leasedUntil };
  }
  async lease(owner: string, version: number | undefined, now: string, until: string) {
    if (this.leasedUntil !== undefined && this.leasedUntil >= now) return false;
    if (this.current?.version !== version) return false;
    this.leaseOwner = owner;
    this.leasedUntil = until;
    return true;
  }
  async store(owner: string, token: SharedAccessToken) {
    if (this.leaseOwner !== owner) return false;
    this.current = token;
    this.leaseOwner = undefined;
    this.leasedUntil = undefined;
    return true;
  }
}

let server: Server;
let baseUrl: string;
let wechat: WechatApiFake;
let dir: string;
/** What the fake answers instead of WeChat's own answer, for the next requests (status or body). */
let overrides: ({ status: number } | { body: unknown })[] = [];
let now = Date.parse('2026-11-20T02:00:00Z');
const clock = { now: () => new Date(now) };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wechat-'));
  now = Date.parse('2026-11-20T02:00:00Z');
  overrides = [];
  wechat = createWechatApiFake({ appId, appSecret, templateId, outboxFile: join(dir, 'outbox.jsonl'), now: () => now });
  server = createServer(async (req, res) => {
    const override = req.url?.includes('/message/') ? overrides.shift() : undefined;
    if (override && 'status' in override) {
      res.writeHead(override.status);
      res.end();
      return;
    }
    if (override) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(override.body));
      return;
    }
    if (!(await wechat.handle(req, res))) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function sender(store: AccessTokenStore, secret = appSecret) {
  const tokens = new WechatAccessTokens({ appId, appSecret: secret, apiBaseUrl: baseUrl, store, clock, waitMs: 5 });
  return new WechatTemplateMessages({ apiBaseUrl: baseUrl, templateId, fields, tokens });
}

/** A token from the fake's endpoint, as another function would have fetched it. */
async function freshToken(): Promise<string> {
  const query = new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret: appSecret });
  const body = (await (await fetch(`${baseUrl}/cgi-bin/token?${query}`)).json()) as { access_token: string };
  return body.access_token;
}

const notice = (to = openId) => ({
  openId: to,
  url: 'https://closedloop.example.com/s/tok123',
  store: '浦东服务中心',
  visitDate: '2026-11-20',
  prompt: '请为本次服务评分',
});

describe('WechatTemplateMessages', () => {
  it('sends the template with the link and the fields, on a token from /cgi-bin/token', async () => {
    const result = await sender(new MemoryAccessTokenStore()).send(notice());

    expect(result.kind).toBe('sent');
    const [message] = await wechat.messages(openId);
    expect(message).toMatchObject({
      templateId,
      url: 'https://closedloop.example.com/s/tok123',
      data: { thing1: { value: '浦东服务中心' }, time2: { value: '2026-11-20' }, thing3: { value: '请为本次服务评分' } },
    });
    expect(result).toEqual({ kind: 'sent', messageId: String(message?.msgId) });
  });

  it('fetches one token for many sends, and shares it with another function through the store', async () => {
    const store = new MemoryAccessTokenStore();
    const first = sender(store);
    const second = sender(store);

    await Promise.all([first.send(notice()), second.send(notice()), first.send(notice()), second.send(notice())]);

    expect(wechat.tokensIssued()).toBe(1);
    expect(await wechat.messages(openId)).toHaveLength(4);
  });

  it('fetches a new token once the shared one is near its expiry', async () => {
    const store = new MemoryAccessTokenStore();
    const send = sender(store);
    await send.send(notice());

    now += 7200_000 - 4 * 60_000; // within the five minutes before expiry
    await send.send(notice());

    expect(wechat.tokensIssued()).toBe(2);
    expect(store.current?.version).toBe(2);
  });

  it('refreshes a token WeChat refused (42001) once and sends again', async () => {
    const store = new MemoryAccessTokenStore();
    const send = sender(store);
    await send.send(notice());
    wechat.invalidateTokens();

    expect((await send.send(notice())).kind).toBe('sent');
    expect(wechat.tokensIssued()).toBe(2);
    expect(await wechat.messages(openId)).toHaveLength(2);
  });

  it("takes another function's newer token instead of fetching one when its own is refused", async () => {
    const store = new MemoryAccessTokenStore();
    const stale = sender(store);
    await stale.send(notice());
    wechat.invalidateTokens();
    // Another function is refused the same token and refreshes it for everyone.
    await sender(store).send(notice());
    expect(wechat.tokensIssued()).toBe(2);

    expect((await stale.send(notice())).kind).toBe('sent');
    expect(wechat.tokensIssued()).toBe(2);
    expect(await wechat.messages(openId)).toHaveLength(3);
  });

  it('waits for the function holding the refresh lease instead of fetching a second token', async () => {
    const store = new MemoryAccessTokenStore();
    store.leaseOwner = 'another function';
    store.leasedUntil = new Date(now + 10_000).toISOString();
    const waiting = sender(store).send(notice());
    await new Promise((resolve) => setTimeout(resolve, 30));
    store.current = { token: await freshToken(), expiresAt: new Date(now + 7200_000).toISOString(), version: 1 };
    store.leaseOwner = undefined;
    store.leasedUntil = undefined;

    expect((await waiting).kind).toBe('sent');
    expect(wechat.tokensIssued()).toBe(1);
  });

  it.each([
    [43004, 'not_following'],
    [40003, 'invalid_openid'],
    [43101, 'refused'],
  ] as const)('answers errcode %i as unreachable (%s): the survey moves on', async (errcode, reason) => {
    const send = sender(new MemoryAccessTokenStore());
    overrides = [{ body: { errcode, errmsg: 'as WeChat says' } }];

    expect(await send.send(notice())).toEqual({ kind: 'unreachable', reason });
  });

  it('answers a follower who left with 43004 from the fake itself', async () => {
    wechat.setFollowing(openId, false);

    expect(await sender(new MemoryAccessTokenStore()).send(notice())).toEqual({ kind: 'unreachable', reason: 'not_following' });
    expect(await wechat.messages(openId)).toHaveLength(0);
  });

  it('answers an openid of the wrong shape with 40003 from the fake itself', async () => {
    expect(await sender(new MemoryAccessTokenStore()).send(notice('not-an-openid'))).toEqual({
      kind: 'unreachable',
      reason: 'invalid_openid',
    });
  });

  it.each([
    ['the rate limit (45009)', { body: { errcode: 45009, errmsg: 'reach max api daily quota limit' } }],
    ['WeChat busy (-1)', { body: { errcode: -1, errmsg: 'system error' } }],
    ['a 502', { status: 502 }],
  ])('throws a retriable error on %s, so the queue tries again', async (_, override) => {
    const send = sender(new MemoryAccessTokenStore());
    overrides = [override];

    const error = await send.send(notice()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    expect((error as WechatApiError).retriable).toBe(true);
  });

  it('fetches no token with a wrong AppSecret: a set-up error naming no secret, which no retry mends', async () => {
    const tokens = new WechatAccessTokens({
      appId,
      appSecret: 'a-wrong-secret',
      apiBaseUrl: baseUrl,
      store: new MemoryAccessTokenStore(),
      clock,
      waitMs: 5,
    });
    const error = await tokens.get().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WechatApiError);
    expect((error as WechatApiError).retriable).toBe(false);
    expect((error as WechatApiError).errcode).toBe(40001);
    expect(String((error as Error).message)).not.toContain('a-wrong-secret');
  });

  it('answers rejected when the account is set up wrong, so the survey moves to its next channel instead of retrying forever', async () => {
    expect(await sender(new MemoryAccessTokenStore(), 'a-wrong-secret').send(notice())).toEqual({
      kind: 'unreachable',
      reason: 'rejected',
    });
  });

  it('cuts a long store name to the 20 characters of a thing field', async () => {
    await sender(new MemoryAccessTokenStore()).send({ ...notice(), store: '星途汽车服务上海浦东新区张江高科技园区旗舰服务中心' });

    const [message] = await wechat.messages(openId);
    expect([...(message?.data.thing1?.value ?? '')]).toHaveLength(20);
  });
});
