import * as z from '#shared/zod.ts';
import type { WechatNotice, WechatNotifier, WechatUnreachable } from '#shared/ports.ts';
import type { WechatAccessTokens } from './access-tokens.ts';
import { WechatApiError } from './errors.ts';

const answer = z.object({
  errcode: z._default(z.number(), 0),
  errmsg: z.optional(z.string()),
  msgid: z.optional(z.union([z.number(), z.string()])),
});

/** The errcodes that say this customer cannot be reached by the account: the survey moves on. */
const unreachable: Record<number, WechatUnreachable> = { 43004: 'not_following', 40003: 'invalid_openid', 43101: 'refused' };
/** The access token was refused: invalid or not the latest (40001, 40014) or expired (42001). */
const tokenRefused = new Set([40001, 40014, 42001]);
/** WeChat is busy (-1) or the account's rate limit is reached (45009): the queue tries again later. */
const tryLater = new Set([-1, 45009]);

/** A template message field's value: WeChat cuts `thing` values at 20 characters, so we do, by code point. */
const fieldValue = (text: string, max = 20) => {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
};

/**
 * Template messages (`POST /cgi-bin/message/template/send`) of a verified service account: the
 * customer's openid, the approved template, the page it opens and the template's fields.
 */
export class WechatTemplateMessages implements WechatNotifier {
  constructor(
    private readonly options: {
      apiBaseUrl: string;
      templateId: string;
      fields: { store: string; visitDate: string; prompt: string };
      tokens: WechatAccessTokens;
    },
  ) {}

  /**
   * A refusal no retry mends answers `rejected`, so the survey moves to its next channel (DESIGN §8:
   * a channel that fails) instead of going back to the queue until it dead-letters.
   */
  async send(notice: WechatNotice) {
    try {
      return await this.sendOnce(notice);
    } catch (error) {
      if (error instanceof WechatApiError && !error.retriable)
        return { kind: 'unreachable' as const, reason: 'rejected' as const };
      throw error;
    }
  }

  private async sendOnce(notice: WechatNotice) {
    const { fields, templateId } = this.options;
    const body = JSON.stringify({
      touser: notice.openId,
      template_id: templateId,
      url: notice.url,
      data: {
        [fields.store]: { value: fieldValue(notice.store) },
        [fields.visitDate]: { value: notice.visitDate },
        [fields.prompt]: { value: fieldValue(notice.prompt) },
      },
    });
    let token = await this.options.tokens.get();
    for (let attempt = 0; ; attempt++) {
      const { errcode, errmsg, msgid } = await this.post(token, body);
      if (errcode === 0) return { kind: 'sent' as const, messageId: String(msgid ?? '') };
      const reason = unreachable[errcode];
      if (reason) return { kind: 'unreachable' as const, reason };
      if (tokenRefused.has(errcode) && attempt === 0) {
        token = await this.options.tokens.refresh(token);
        continue;
      }
      throw new WechatApiError(`WeChat template/send answered errcode ${errcode} (${errmsg ?? 'no message'})`, {
        retriable: tryLater.has(errcode) || tokenRefused.has(errcode),
        errcode,
      });
    }
  }

  private async post(token: string, body: string) {
    const url = `${this.options.apiBaseUrl.replace(/\/$/, '')}/cgi-bin/message/template/send?access_token=${encodeURIComponent(token)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw new WechatApiError('WeChat template/send did not answer', { retriable: true, cause });
    }
    if (!response.ok) throw new WechatApiError(`WeChat template/send answered HTTP ${response.status}`, { retriable: true });
    const parsed = answer.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new WechatApiError('WeChat template/send answered something unreadable', { retriable: true });
    return parsed.data;
  }
}
