import { createHmac } from 'node:crypto';
import * as z from '#shared/zod.ts';
import type { AlertPayload } from '#shared/ports.ts';
import { type AlertText, inertMarkdown } from './alert-text.ts';
import { type ChannelOf, type ChannelSender, type HttpChannelOptions, textOf } from './channel.ts';
import { postWithRetry, requireZeroCode, resolveSecret } from './http-delivery.ts';

/**
 * 钉钉 加签: HMAC-SHA256 keyed with the secret over `timestamp + "\n" + secret` (timestamp in
 * milliseconds), base64. It travels URL-encoded as the `sign` query parameter next to `timestamp`.
 */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** DingTalk markdown: `title` is what the conversation list and notifications show. */
export function dingtalkMessage(text: AlertText) {
  const lines = [
    `#### ${text.title}`,
    text.fields.map((f) => `- **${f.label}**：${inertMarkdown(f.value)}`).join('\n'),
    `**${text.comment.label}**`,
    `> ${inertMarkdown(text.comment.value)}`,
    `[${text.link.label}](${text.link.url})`,
    inertMarkdown(text.footer),
  ];
  return { msgtype: 'markdown', markdown: { title: text.title, text: lines.join('\n\n') } };
}

const result = z.pipe(
  z.object({ errcode: z.number(), errmsg: z.optional(z.string()) }),
  z.transform((r) => ({ code: r.errcode, message: r.errmsg })),
);

/** A 钉钉 custom robot; it answers 200 with `errcode` (0 is success, e.g. 310000 a bad signature). */
export class DingtalkChannel implements ChannelSender<'dingtalk'> {
  constructor(private readonly options: HttpChannelOptions) {}

  async deliver(channel: ChannelOf<'dingtalk'>, payload: AlertPayload): Promise<void> {
    const secret = channel.secret === undefined ? undefined : resolveSecret(channel.secret, this.options.env);
    const body = JSON.stringify(dingtalkMessage(textOf(payload, this.options)));
    const signedUrl = () => {
      if (!secret) return channel.url;
      const url = new URL(channel.url);
      const timestamp = this.options.now().getTime();
      url.searchParams.set('timestamp', String(timestamp));
      url.searchParams.set('sign', dingtalkSign(timestamp, secret));
      return url.toString();
    };
    await postWithRetry('dingtalk', () => ({ url: signedUrl(), body }), this.options.retry, requireZeroCode('dingtalk', result));
  }
}
