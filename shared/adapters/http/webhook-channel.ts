import { Webhook } from 'standardwebhooks';
import type { Channel } from '#shared/config/schema.ts';
import type { AlertChannelSender, AlertPayload } from '#shared/ports.ts';

export class ChannelDeliveryError extends Error {
  override name = 'ChannelDeliveryError';
}

/** `env:NAME` in the config means: the secret is in that environment variable. */
export const resolveSecret = (value: string, env: NodeJS.ProcessEnv) => {
  if (!value.startsWith('env:')) return value;
  const secret = env[value.slice(4)];
  if (!secret) throw new Error(`environment variable ${value.slice(4)} (a channel secret) is not set`);
  return secret;
};

/** Delivers alerts to department channels; webhooks are signed per the Standard Webhooks spec. */
export class HttpAlertChannels implements AlertChannelSender {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async deliver(channel: Channel, payload: AlertPayload, idempotencyKey: string): Promise<void> {
    const body = JSON.stringify({ type: payload.type, timestamp: new Date().toISOString(), data: payload });
    const id = `msg_${Buffer.from(idempotencyKey).toString('base64url')}`;
    const timestamp = new Date();
    const signature = new Webhook(resolveSecret(channel.secret, this.env)).sign(id, timestamp, body);
    const response = await fetch(channel.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new ChannelDeliveryError(`webhook answered ${response.status}`);
  }
}
