import type { SmsSender } from '#shared/ports.ts';

export class SmsProviderError extends Error {
  override name = 'SmsProviderError';
}

/** Twilio's Messages REST API; 429 and 5xx are retried with backoff, then surface to the queue. */
export class TwilioSms implements SmsSender {
  constructor(
    private readonly options: {
      accountSid: string;
      authToken: string;
      from?: string | undefined;
      messagingServiceSid?: string | undefined;
      apiBaseUrl: string;
      retries?: number;
      backoffMs?: number;
    },
  ) {}

  async send(message: { to: string; body: string }): Promise<void> {
    const { accountSid, authToken, apiBaseUrl } = this.options;
    const form = new URLSearchParams({ To: message.to, Body: message.body });
    if (this.options.messagingServiceSid) form.set('MessagingServiceSid', this.options.messagingServiceSid);
    else if (this.options.from) form.set('From', this.options.from);
    const url = `${apiBaseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${accountSid}/Messages.json`;
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) return;
      const retriable = response.status === 429 || response.status >= 500;
      if (!retriable || attempt >= retries) {
        throw new SmsProviderError(`Twilio answered ${response.status} after ${attempt + 1} attempt(s)`);
      }
      await new Promise((r) => setTimeout(r, (this.options.backoffMs ?? 250) * 2 ** attempt));
    }
  }
}
