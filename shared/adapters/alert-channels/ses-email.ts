import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailMessage, EmailTransport } from './email.ts';
import { ChannelDeliveryError } from './http-delivery.ts';

/**
 * Amazon SES (API v2). The SDK client already retries throttling, 5xx and network errors with
 * backoff (its `maxAttempts`); what still fails throws, for the queue to retry.
 */
export class SesEmail implements EmailTransport {
  /** An `SESv2Client`, or in tests anything that takes the command. */
  constructor(private readonly client: { send(command: SendEmailCommand): Promise<unknown> }) {}

  async send(message: EmailMessage): Promise<void> {
    // SES sends only from a verified identity, so there is no sensible default sender.
    if (!message.from) throw new ChannelDeliveryError('an email channel needs `from` (an SES-verified address) to send in AWS');
    const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: message.from,
        Destination: { ToAddresses: message.to },
        Content: {
          Simple: {
            Subject: utf8(message.subject),
            Body: { Text: utf8(message.text), Html: utf8(message.html) },
          },
        },
      }),
    );
  }
}
