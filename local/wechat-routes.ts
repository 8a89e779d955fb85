/**
 * Local-only WeChat routes: the fake of WeChat's API (`/dev/wechat-api/cgi-bin/…`, where the
 * shipped config's `wechat.apiBaseUrl` points), the simulator page (`GET /dev/wechat`), what each
 * openid received (`GET /dev/wechat/outbox?openId=`, oldest first), who follows the account
 * (`GET|POST /dev/wechat/followers`) and how many tokens were handed out (`GET /dev/wechat/tokens`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from '#shared/zod.ts';
import type { Config } from '#shared/config/schema.ts';
import { readBody } from './api-gateway.ts';
import { createWechatApiFake } from './wechat-api.ts';
import { wechatPage } from './wechat-page.ts';

export const WECHAT_API_PREFIX = '/dev/wechat-api';

const followerSchema = z.object({ openId: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)), following: z.boolean() });

export function createWechatRoutes(options: { config: Readonly<Config>; appSecret: string | undefined; outboxFile: string }) {
  const { config } = options;
  const wechat = config.wechat;
  const fake =
    wechat && options.appSecret
      ? createWechatApiFake({
          appId: wechat.appId,
          appSecret: options.appSecret,
          templateId: wechat.templateId,
          outboxFile: options.outboxFile,
          prefix: WECHAT_API_PREFIX,
        })
      : undefined;

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://local');
    if (!url.pathname.startsWith('/dev/wechat')) return false;
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (!fake) {
      reply(404, {
        error: { code: 'not_found', message: 'the config has no wechat block (or no AppSecret): no WeChat simulator' },
      });
      return true;
    }
    if (await fake.handle(req, res)) return true;
    const route = `${req.method} ${url.pathname}`;
    const openId = url.searchParams.get('openId')?.trim() || undefined;
    if (route === 'GET /dev/wechat') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(wechatPage(config));
    } else if (route === 'GET /dev/wechat/outbox') {
      reply(200, { messages: await fake.messages(openId) });
    } else if (route === 'GET /dev/wechat/openids') {
      reply(200, { openIds: [...new Set((await fake.messages()).map((m) => m.openId))] });
    } else if (route === 'GET /dev/wechat/followers') {
      if (!openId) reply(400, { error: { code: 'invalid_request', message: 'openId is required' } });
      else reply(200, { openId, following: fake.following(openId) });
    } else if (route === 'POST /dev/wechat/followers') {
      let parsed: ReturnType<typeof followerSchema.safeParse> | undefined;
      try {
        parsed = followerSchema.safeParse(JSON.parse((await readBody(req))?.toString('utf8') ?? ''));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        reply(400, { error: { code: 'invalid_request', message: 'the body is {"openId": "...", "following": true|false}' } });
      } else {
        fake.setFollowing(parsed.data.openId, parsed.data.following);
        reply(200, parsed.data);
      }
    } else if (route === 'GET /dev/wechat/tokens') {
      reply(200, { issued: fake.tokensIssued() });
    } else {
      reply(404, { error: { code: 'not_found', message: `no route for ${route}` } });
    }
    return true;
  };
}
