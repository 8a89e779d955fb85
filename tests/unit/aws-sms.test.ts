import { SendTextMessageCommand, type SendTextMessageCommandOutput } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { describe, expect, it } from 'vitest';
import {
  AwsEndUserMessagingSms,
  awsInboundSmsSchema,
  type TextMessageClient,
  toInboundSms,
} from '#shared/adapters/sms/aws-end-user-messaging.ts';
import { renderMessage } from '#shared/domain/messages.ts';
import { answerInboundSms } from '#shared/use-cases/answer-inbound-sms.ts';
import { aSurvey, createFakes } from './fakes.ts';

/** Stands in for PinpointSMSVoiceV2Client: records each command and answers like the API. */
class RecordingClient implements TextMessageClient {
  readonly commands: SendTextMessageCommand[] = [];
  constructor(private readonly answer: () => Promise<SendTextMessageCommandOutput>) {}
  send(command: SendTextMessageCommand) {
    this.commands.push(command);
    return this.answer();
  }
}
const accepted = (MessageId: string) => async (): Promise<SendTextMessageCommandOutput> => ({ MessageId, $metadata: {} });

/** An inbound text as End User Messaging publishes it to the SNS topic (the raw-delivered SQS body). */
const inboundPayload = (overrides: Record<string, unknown> = {}) => ({
  originationNumber: '+8613800138000',
  destinationNumber: '+8610690000123',
  messageKeyword: 'KEYWORD_123456789012',
  messageBody: '9分',
  inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
  previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  ...overrides,
});

describe('AwsEndUserMessagingSms', () => {
  it('sends a transactional SendTextMessage from the configured origination identity and returns its MessageId', async () => {
    const client = new RecordingClient(accepted('0a1b2c3d-message-id'));
    const sms = new AwsEndUserMessagingSms(client, { originationIdentity: 'pool-0123456789abcdef' });

    const result = await sms.send({ to: '+8613800138000', body: '【星途服务】您好' });

    expect(result).toEqual({ providerMessageId: '0a1b2c3d-message-id' });
    expect(client.commands).toHaveLength(1);
    expect(client.commands[0]).toBeInstanceOf(SendTextMessageCommand);
    expect(client.commands[0]?.input).toEqual({
      DestinationPhoneNumber: '+8613800138000',
      OriginationIdentity: 'pool-0123456789abcdef',
      MessageBody: '【星途服务】您好',
      MessageType: 'TRANSACTIONAL',
    });
  });

  it('names the configuration set when one is configured', async () => {
    const client = new RecordingClient(accepted('id'));
    const sms = new AwsEndUserMessagingSms(client, { originationIdentity: '+12065550100', configurationSetName: 'closedloop' });

    await sms.send({ to: '+447911123456', body: 'hi' });

    expect(client.commands[0]?.input.ConfigurationSetName).toBe('closedloop');
  });

  it("lets the SDK's error through, so the queue retries the message and finally dead-letters it", async () => {
    const refused = Object.assign(new Error('Destination phone number opted out'), { name: 'ConflictException' });
    const client = new RecordingClient(() => Promise.reject(refused));
    const sms = new AwsEndUserMessagingSms(client, { originationIdentity: 'pool-0123456789abcdef' });

    await expect(sms.send({ to: '+8613800138000', body: 'x' })).rejects.toBe(refused);
  });
});

describe('awsInboundSmsSchema', () => {
  it('reads the message End User Messaging publishes and maps it to a conversation step', () => {
    const parsed = awsInboundSmsSchema.parse(JSON.parse(JSON.stringify(inboundPayload({ somethingNew: true }))));

    expect(toInboundSms(parsed)).toEqual({
      provider: 'aws',
      messageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
      from: '+8613800138000',
      body: '9分',
    });
  });

  it('takes a message without a keyword or previous message id', () => {
    const { messageKeyword: _, previousPublishedMessageId: __, ...bare } = inboundPayload();

    expect(awsInboundSmsSchema.safeParse(bare).success).toBe(true);
  });

  it.each([
    ['no inboundMessageId', { inboundMessageId: undefined }],
    ['an empty inboundMessageId', { inboundMessageId: '' }],
    ['a sender that is not an E.164 number', { originationNumber: '13800138000' }],
    ['no body', { messageBody: undefined }],
  ])('refuses a message with %s (it is a poison message)', (_, overrides) => {
    expect(awsInboundSmsSchema.safeParse(inboundPayload(overrides)).success).toBe(false);
  });
});

describe('answerInboundSms with an End User Messaging message', () => {
  const arrange = () => {
    const fakes = createFakes({ now: '2026-11-20T02:00:00.000Z' });
    const survey = fakes.surveys.seed(aSurvey({ phone: '+8613800138000' }));
    return { fakes, survey };
  };

  it('runs the step and texts the reply back to the sender', async () => {
    const { fakes, survey } = arrange();

    const outcome = await answerInboundSms(fakes, toInboundSms(awsInboundSmsSchema.parse(inboundPayload())));

    expect(outcome).toEqual({ replied: true, duplicate: false });
    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'awaiting_reason', score: 9 });
    expect(fakes.sms.sent).toEqual([
      {
        to: '+8613800138000',
        body: renderMessage(fakes.config.brand, survey.locale, 'why', {
          survey: survey.surveyType,
          storeName: fakes.config.stores.find((s) => s.id === survey.storeId)?.name ?? '',
          customerName: survey.customerName,
        }),
      },
    ]);
  });

  it('handles a redelivered inboundMessageId once: no second step, no second reply', async () => {
    const { fakes, survey } = arrange();
    const message = toInboundSms(awsInboundSmsSchema.parse(inboundPayload()));
    await answerInboundSms(fakes, message);

    const again = await answerInboundSms(fakes, message);

    expect(again).toEqual({ replied: false, duplicate: true });
    expect(fakes.sms.sent).toHaveLength(1);
    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'awaiting_reason', score: 9 });
    expect([...fakes.surveys.inbounds.keys()]).toEqual(['aws#cae173d2-66b9-564c-8309-21f858e9fb84']);
  });

  it('takes the same text with another inboundMessageId as a new message (the reason)', async () => {
    const { fakes, survey } = arrange();
    await answerInboundSms(fakes, toInboundSms(awsInboundSmsSchema.parse(inboundPayload())));

    await answerInboundSms(fakes, toInboundSms(awsInboundSmsSchema.parse(inboundPayload({ inboundMessageId: 'another-id' }))));

    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'completed', score: 9, reason: '9分' });
    expect(fakes.sms.sent).toHaveLength(2);
  });
});
