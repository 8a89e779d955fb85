import * as z from '#shared/zod.ts';
import type { SmsSender } from '#shared/ports.ts';

export class SmsProviderError extends Error {
  override name = 'SmsProviderError';
}

/** The part of Twilio's created Message resource we keep. */
const createdMessage = z.object({ sid: z.string().check(z.regex(/^(SM|MM)[0-9a-fA-F]{32}$/)) });

/** Twilio's Messages REST API; 429 and 5xx are retried with backoff, then surface to the queue. */
export class TwilioSms implements SmsSender {
  constructor(
    private readonly options: {
      accountSid: string;
      authToken: string;
      from?: string | undefined;
      messagingServiceSid?: string | undefined;
      apiBaseUrl: string;
      /** Where Twilio posts the message's delivery status (`StatusCallback`); none when unset. */
      statusCallback?: string | undefined;
      retries?: number;
      backoffMs?: number;
    },
  ) {}

  async send(message: { to: string; body: string }): Promise<{ providerMessageId?: string }> {
    const { accountSid, authToken, apiBaseUrl } = this.options;
    const form = new URLSearchParams({ To: message.to, Body: message.body });
    if (this.options.messagingServiceSid) form.set('MessagingServiceSid', this.options.messagingServiceSid);
    else if (this.options.from) form.set('From', this.options.from);
    if (this.options.statusCallback) form.set('StatusCallback', this.options.statusCallback);
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
      // The text is accepted: an unreadable answer must not fail the send (a retry would text twice).
      if (response.ok) return { providerMessageId: createdMessage.safeParse(await response.json().catch(() => null)).data?.sid };
      const retriable = response.status === 429 || response.status >= 500;
      if (!retriable || attempt >= retries) {
        throw new SmsProviderError(`Twilio answered ${response.status} after ${attempt + 1} attempt(s)`);
      }
      await new Promise((r) => setTimeout(r, (this.options.backoffMs ?? 250) * 2 ** attempt));
    }
  }
}
