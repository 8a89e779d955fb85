import * as z from '#shared/zod.ts';
import type { AlertPayload } from '#shared/ports.ts';
import { type AlertText, inertMarkdown } from './alert-text.ts';
import { type ChannelOf, type ChannelSender, type HttpChannelOptions, textOf } from './channel.ts';
import { postWithRetry, requireZeroCode } from './http-delivery.ts';

/** WeCom's markdown subset: headings, bold, quotes, links and three font colours. */
export function wecomMessage(text: AlertText) {
  const colour = text.urgent ? 'warning' : 'info';
  const content = [
    `### <font color="${colour}">${text.title}</font>`,
    ...text.fields.map((f) => `> ${f.label}：${inertMarkdown(f.value)}`),
    `**${text.comment.label}**：${inertMarkdown(text.comment.value)}`,
    `[${text.link.label}](${text.link.url})`,
    `<font color="comment">${inertMarkdown(text.footer)}</font>`,
  ].join('\n');
  return { msgtype: 'markdown', markdown: { content } };
}

const result = z.pipe(
  z.object({ errcode: z.number(), errmsg: z.optional(z.string()) }),
  z.transform((r) => ({ code: r.errcode, message: r.errmsg })),
);

/** A 企业微信 group robot: the URL carries its key; it answers 200 with `errcode` (0 is success). */
export class WecomChannel implements ChannelSender<'wecom'> {
  constructor(private readonly options: HttpChannelOptions) {}

  async deliver(channel: ChannelOf<'wecom'>, payload: AlertPayload): Promise<void> {
    const body = JSON.stringify(wecomMessage(textOf(payload, this.options)));
    await postWithRetry('wecom', () => ({ url: channel.url, body }), this.options.retry, requireZeroCode('wecom', result));
  }
}
