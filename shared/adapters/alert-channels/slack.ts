import type { AlertPayload } from '#shared/ports.ts';
import type { AlertText } from './alert-text.ts';
import { type ChannelOf, type ChannelSender, type HttpChannelOptions, textOf } from './channel.ts';
import { postWithRetry } from './http-delivery.ts';

/** Slack's mrkdwn needs only these three escaped; `<` would otherwise start a link or a mention. */
const mrkdwn = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** A Block Kit message for an incoming webhook; `text` is what notifications show. */
export function slackMessage(text: AlertText) {
  return {
    text: text.title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(text.title, 150), emoji: false } },
      {
        type: 'section',
        fields: text.fields.map((f) => ({ type: 'mrkdwn', text: `*${mrkdwn(f.label)}*\n${mrkdwn(f.value)}` })),
      },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${mrkdwn(text.comment.label)}*\n>${mrkdwn(text.comment.value).replace(/\n/g, '\n>')}` },
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: cut(text.link.label, 75) },
            url: text.link.url,
            style: text.urgent ? 'danger' : 'primary',
          },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(text.footer) }] },
    ],
  };
}

/** Slack incoming webhooks answer 200 `ok`, or a 4xx/5xx with an error string. */
export class SlackChannel implements ChannelSender<'slack'> {
  constructor(private readonly options: HttpChannelOptions) {}

  async deliver(channel: ChannelOf<'slack'>, payload: AlertPayload): Promise<void> {
    const body = JSON.stringify(slackMessage(textOf(payload, this.options)));
    await postWithRetry('slack', () => ({ url: channel.url, body }), this.options.retry);
  }
}
