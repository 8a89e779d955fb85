/**
 * The AlertChannelSender port: one sender per channel type, picked by `channel.type`. Chat
 * platforms get a short message in the config's `defaultLocale`; webhooks get the JSON payload.
 */
import type { Channel, Config } from '#shared/config/schema.ts';
import type { AlertChannelSender, AlertPayload } from '#shared/ports.ts';
import type { ChannelSender, HttpChannelOptions } from './channel.ts';
import { DingtalkChannel } from './dingtalk.ts';
import { EmailChannel, type EmailTransport } from './email.ts';
import { FeishuChannel } from './feishu.ts';
import { defaultRetryPolicy, type RetryPolicy } from './http-delivery.ts';
import { SlackChannel } from './slack.ts';
import { WebhookChannel } from './webhook.ts';
import { WecomChannel } from './wecom.ts';

export type ChannelSenders = { [T in Channel['type']]: ChannelSender<T> };

export class AlertChannels implements AlertChannelSender {
  constructor(private readonly senders: ChannelSenders) {}

  deliver(channel: Channel, payload: AlertPayload, idempotencyKey: string): Promise<void> {
    switch (channel.type) {
      case 'webhook':
        return this.senders.webhook.deliver(channel, payload, idempotencyKey);
      case 'slack':
        return this.senders.slack.deliver(channel, payload, idempotencyKey);
      case 'wecom':
        return this.senders.wecom.deliver(channel, payload, idempotencyKey);
      case 'dingtalk':
        return this.senders.dingtalk.deliver(channel, payload, idempotencyKey);
      case 'feishu':
        return this.senders.feishu.deliver(channel, payload, idempotencyKey);
      case 'email':
        return this.senders.email.deliver(channel, payload, idempotencyKey);
    }
  }
}

export function createAlertChannels(options: {
  config: Pick<Config, 'defaultLocale' | 'stores'>;
  env: NodeJS.ProcessEnv;
  email: EmailTransport;
  retry?: RetryPolicy;
  now?: () => Date;
}): AlertChannels {
  const timeZones = new Map(options.config.stores.map((s) => [s.id, s.timezone]));
  const http: HttpChannelOptions = {
    locale: options.config.defaultLocale,
    timeZoneOf: (storeId) => timeZones.get(storeId) ?? 'UTC',
    env: options.env,
    retry: options.retry ?? defaultRetryPolicy,
    now: options.now ?? (() => new Date()),
  };
  return new AlertChannels({
    webhook: new WebhookChannel(http),
    slack: new SlackChannel(http),
    wecom: new WecomChannel(http),
    dingtalk: new DingtalkChannel(http),
    feishu: new FeishuChannel(http),
    email: new EmailChannel(options.email, http),
  });
}
