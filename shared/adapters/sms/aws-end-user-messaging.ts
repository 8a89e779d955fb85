import { SendTextMessageCommand, type SendTextMessageCommandOutput } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import * as z from '#shared/zod.ts';
import type { SmsSender } from '#shared/ports.ts';
import type { InboundSms } from '#shared/use-cases/handle-inbound-sms.ts';

/** The one call this adapter makes; a `PinpointSMSVoiceV2Client` is one, and a test passes a fake. */
export interface TextMessageClient {
  send(command: SendTextMessageCommand): Promise<SendTextMessageCommandOutput>;
}

/**
 * AWS End User Messaging SMS (the `pinpoint-sms-voice-v2` API). Retries and backoff are the
 * SDK client's; an error propagates, so the queue retries the message and finally dead-letters it.
 */
export class AwsEndUserMessagingSms implements SmsSender {
  constructor(
    private readonly client: TextMessageClient,
    private readonly options: { originationIdentity: string; configurationSetName?: string | undefined },
  ) {}

  async send(message: { to: string; body: string }): Promise<{ providerMessageId?: string | undefined }> {
    const { MessageId } = await this.client.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: message.to,
        OriginationIdentity: this.options.originationIdentity,
        MessageBody: message.body,
        // Survey texts answer a visit the customer made: transactional, not marketing.
        MessageType: 'TRANSACTIONAL',
        ...(this.options.configurationSetName ? { ConfigurationSetName: this.options.configurationSetName } : {}),
      }),
    );
    return { providerMessageId: MessageId };
  }
}

/**
 * An inbound two-way SMS as End User Messaging publishes it to its SNS topic (the message
 * itself: the topic's SQS subscription uses raw message delivery).
 */
export const awsInboundSmsSchema = z.object({
  /** The customer's number. */
  originationNumber: z.string().check(z.regex(/^\+[1-9]\d{1,14}$/, 'an E.164 phone number')),
  /** Our number the customer texted. */
  destinationNumber: z.string().check(z.minLength(1)),
  messageKeyword: z.optional(z.string()),
  messageBody: z.string(),
  inboundMessageId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The id of our message the customer answers, when End User Messaging knows it. */
  previousPublishedMessageId: z.optional(z.string()),
});
export type AwsInboundSms = z.infer<typeof awsInboundSmsSchema>;

/** The conversation step's input; `inboundMessageId` is what a repeat is recognised by. */
export const toInboundSms = (message: AwsInboundSms): InboundSms => ({
  provider: 'aws',
  messageId: message.inboundMessageId,
  from: message.originationNumber,
  body: message.messageBody,
});
