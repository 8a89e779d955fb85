import { createHmac } from 'node:crypto';
import * as z from '#shared/zod.ts';
import type { AlertPayload } from '#shared/ports.ts';
import { type AlertText, inertMarkdown } from './alert-text.ts';
import { type ChannelOf, type ChannelSender, type HttpChannelOptions, textOf } from './channel.ts';
import { postWithRetry, requireZeroCode, resolveSecret } from './http-delivery.ts';

/**
 * 飞书 签名校验: `timestamp + "\n" + secret` (timestamp in seconds) is the HMAC-SHA256 *key*, the
 * message is empty, the digest is base64. Unlike DingTalk, both go in the JSON body.
 */
export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** A message card (`msg_type: interactive`): coloured header, short fields, the words, a button. */
export function feishuMessage(text: AlertText) {
  const md = (content: string) => ({ tag: 'lark_md', content });
  return {
    msg_type: 'interactive',
    card: {
      config: { wide_screen_mode: true },
      header: { title: { tag: 'plain_text', content: text.title }, template: text.urgent ? 'red' : 'orange' },
      elements: [
        {
          tag: 'div',
          fields: text.fields.map((f) => ({ is_short: true, text: md(`**${f.label}**\n${inertMarkdown(f.value)}`) })),
        },
        { tag: 'div', text: md(`**${text.comment.label}**\n${inertMarkdown(text.comment.value)}`) },
        {
          tag: 'action',
          actions: [
            { tag: 'button', text: { tag: 'plain_text', content: text.link.label }, type: 'primary', url: text.link.url },
          ],
        },
        { tag: 'note', elements: [{ tag: 'plain_text', content: text.footer }] },
      ],
    },
  };
}

/** Current answers carry `code`; older ones only `StatusCode`. */
const result = z.pipe(
  z.object({ code: z.optional(z.number()), StatusCode: z.optional(z.number()), msg: z.optional(z.string()) }),
  z.transform((r) => ({ code: r.code ?? r.StatusCode, message: r.msg })),
);

/** A 飞书 custom bot; it answers 200 with `code` (0 is success, e.g. 19021 a bad signature). */
export class FeishuChannel implements ChannelSender<'feishu'> {
  constructor(private readonly options: HttpChannelOptions) {}

  async deliver(channel: ChannelOf<'feishu'>, payload: AlertPayload): Promise<void> {
    const secret = channel.secret === undefined ? undefined : resolveSecret(channel.secret, this.options.env);
    const message = feishuMessage(textOf(payload, this.options));
    const signedBody = () => {
      if (!secret) return JSON.stringify(message);
      const timestamp = Math.floor(this.options.now().getTime() / 1000);
      return JSON.stringify({ timestamp: String(timestamp), sign: feishuSign(timestamp, secret), ...message });
    };
    await postWithRetry(
      'feishu',
      () => ({ url: channel.url, body: signedBody() }),
      this.options.retry,
      requireZeroCode('feishu', result),
    );
  }
}
