/** AWS End User Messaging SMS as the SMS sender; compose.ts imports this module on the first text, not at cold start. */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { AwsEndUserMessagingSms } from '#shared/adapters/sms/aws-end-user-messaging.ts';

export const createEndUserMessagingSms = (options: ConstructorParameters<typeof AwsEndUserMessagingSms>[1]) =>
  new AwsEndUserMessagingSms(new PinpointSMSVoiceV2Client({}), options);
