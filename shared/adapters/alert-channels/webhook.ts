import { Webhook } from 'standardwebhooks';
import type { AlertPayload } from '#shared/ports.ts';
import type { ChannelOf, ChannelSender } from './channel.ts';
import { postWithRetry, type RetryPolicy, resolveSecret } from './http-delivery.ts';

/**
 * A JSON POST signed per the Standard Webhooks spec (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`). The id is the same on every retry, so the receiver can drop repeats;
 * the timestamp and signature are fresh on each attempt, so a late retry is not refused as stale.
 */
export class WebhookChannel implements ChannelSender<'webhook'> {
  constructor(private readonly options: { env: NodeJS.ProcessEnv; retry: RetryPolicy; now(): Date }) {}

  async deliver(channel: ChannelOf<'webhook'>, payload: AlertPayload, idempotencyKey: string): Promise<void> {
    const signer = new Webhook(resolveSecret(channel.secret, this.options.env));
    const id = `msg_${Buffer.from(idempotencyKey).toString('base64url')}`;
    const body = JSON.stringify({ type: payload.type, timestamp: this.options.now().toISOString(), data: payload });
    await postWithRetry(
      'webhook',
      () => {
        const timestamp = this.options.now();
        return {
          url: channel.url,
          headers: {
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            'webhook-signature': signer.sign(id, timestamp, body),
          },
          body,
        };
      },
      this.options.retry,
    );
  }
}
