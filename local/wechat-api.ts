/**
 * A stand-in for WeChat's service-account API on this machine, speaking its documented protocol:
 * `GET /cgi-bin/token` (client_credential; a new token replaces the previous one, which stays
 * valid for five minutes as WeChat's does) and `POST /cgi-bin/message/template/send` (errcodes
 * 41001, 40001, 42001, 40003, 40037, 47003, 43004 as WeChat answers them). What it sent is kept in
 * a JSON-lines outbox that the WeChat simulator page and `/dev/wechat/outbox` read; who does not
 * follow the account is set with `setFollowing` (the page's switch, `POST /dev/wechat/followers`).
 */
import { randomBytes } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './api-gateway.ts';

export interface WechatOutboxMessage {
  msgId: number;
  openId: string;
  templateId: string;
  url: string | null;
  data: Record<string, { value: string }>;
  sentAt: string;
}

/** WeChat openids of a service account: 28 characters of letters, digits, `-` and `_`. */
const OPENID = /^[A-Za-z0-9_-]{28}$/;
/** How long a replaced token keeps working (WeChat: "新老 access_token 在 5 分钟内都可用"). */
const OVERLAP_MS = 5 * 60_000;

export interface WechatApiFake {
  /** Answers a request under `prefix` (`/dev/wechat-api/cgi-bin/…`); false when it is not one. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  messages(openId?: string): Promise<WechatOutboxMessage[]>;
  setFollowing(openId: string, following: boolean): void;
  following(openId: string): boolean;
  /** How many tokens `/cgi-bin/token` has handed out since start. */
  tokensIssued(): number;
  /** Every token issued so far stops working (as after a refresh elsewhere, past the overlap). */
  invalidateTokens(): void;
  /** The `expires_in` of the next tokens (seconds; WeChat's is 7200). */
  setTokenLifetime(seconds: number): void;
}

export function createWechatApiFake(options: {
  appId: string;
  appSecret: string;
  templateId: string;
  outboxFile: string;
  prefix?: string;
  now?: () => number;
}): WechatApiFake {
  const prefix = options.prefix ?? '';
  const now = options.now ?? Date.now;
  /** Token → the instant it stops working. */
  const tokens = new Map<string, number>();
  const notFollowing = new Set<string>();
  let latest: string | undefined;
  let issued = 0;
  let lifetimeSeconds = 7200;
  let msgId = Math.floor(now() / 1000) * 1000;

  const reply = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, errcode: number, errmsg: string) =>
    reply(res, { errcode, errmsg: `${errmsg} rid: ${randomBytes(4).toString('hex')}` });

  async function messages(openId?: string): Promise<WechatOutboxMessage[]> {
    const text = await readFile(options.outboxFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw e;
    });
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as WechatOutboxMessage)
      .filter((m) => openId === undefined || m.openId === openId);
  }

  function issueToken(res: ServerResponse, query: URLSearchParams) {
    if (query.get('grant_type') !== 'client_credential') return error(res, 40002, 'invalid grant_type');
    if (query.get('appid') !== options.appId) return error(res, 40013, 'invalid appid');
    if (query.get('secret') !== options.appSecret)
      return error(res, 40001, 'invalid credential, access_token is invalid or not latest');
    const token = randomBytes(48).toString('base64url');
    const at = now();
    // The previous token keeps working for the overlap; every older one is gone already.
    if (latest) tokens.set(latest, Math.min(tokens.get(latest) ?? 0, at + OVERLAP_MS));
    tokens.set(token, at + lifetimeSeconds * 1000);
    latest = token;
    issued++;
    reply(res, { access_token: token, expires_in: lifetimeSeconds });
  }

  async function sendTemplate(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    const token = query.get('access_token');
    if (!token) return error(res, 41001, 'access_token missing');
    const until = tokens.get(token);
    if (until === undefined) return error(res, 40001, 'invalid credential, access_token is invalid or not latest');
    if (until <= now())
      return error(
        res,
        token === latest ? 42001 : 40001,
        token === latest ? 'access_token expired' : 'invalid credential, access_token is invalid or not latest',
      );
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req))?.toString('utf8') ?? '');
    } catch {
      return error(res, 47001, 'data format error');
    }
    const { touser, template_id: templateId, url, data } = body;
    if (typeof touser !== 'string' || !OPENID.test(touser)) return error(res, 40003, 'invalid openid');
    if (templateId !== options.templateId) return error(res, 40037, 'invalid template_id');
    if (url !== undefined && typeof url !== 'string') return error(res, 47003, 'argument invalid! data.url invalid');
    const fields = data && typeof data === 'object' ? Object.entries(data) : undefined;
    if (!fields?.every(([, v]) => v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string')) {
      return error(res, 47003, 'argument invalid! data.value invalid');
    }
    if (notFollowing.has(touser)) return error(res, 43004, 'require subscribe');
    const message: WechatOutboxMessage = {
      msgId: ++msgId,
      openId: touser,
      templateId,
      url: typeof url === 'string' && url ? url : null,
      data: Object.fromEntries(fields.map(([k, v]) => [k, { value: (v as { value: string }).value }])),
      sentAt: new Date(now()).toISOString(),
    };
    await appendFile(options.outboxFile, `${JSON.stringify(message)}\n`, 'utf8');
    reply(res, { errcode: 0, errmsg: 'ok', msgid: message.msgId });
  }

  return {
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://local');
      if (!url.pathname.startsWith(`${prefix}/cgi-bin/`)) return false;
      const route = `${req.method} ${url.pathname.slice(prefix.length)}`;
      if (route === 'GET /cgi-bin/token') issueToken(res, url.searchParams);
      else if (route === 'POST /cgi-bin/message/template/send') await sendTemplate(req, res, url.searchParams);
      else error(res, 40066, 'invalid url');
      return true;
    },
    messages,
    setFollowing(openId, following) {
      if (following) notFollowing.delete(openId);
      else notFollowing.add(openId);
    },
    following: (openId) => !notFollowing.has(openId),
    tokensIssued: () => issued,
    invalidateTokens() {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    setTokenLifetime(seconds) {
      lifetimeSeconds = seconds;
    },
  };
}
