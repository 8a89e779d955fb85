/**
 * How texts go out, for the functions that send them (run-survey-timer, aws-inbound-sms). The End
 * User Messaging client is built on the first text, not at cold start. It is imported like any
 * other module: an import() of it in a one-file bundle defers little, and makes esbuild wrap every
 * module it reaches in a lazy initialiser that keeps esbuild from tree-shaking them (73 KB more in
 * run-survey-timer, and a cold load 10 ms longer, measured by `npm run bench`).
 */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { AwsEndUserMessagingSms } from '#shared/adapters/sms/aws-end-user-messaging.ts';
import { SimulatorSms } from '#shared/adapters/sms/simulator.ts';
import { TwilioSms } from '#shared/adapters/sms/twilio.ts';
import { twilioStatusCallbackPath } from '#shared/config/resource-names.ts';
import type { SmsSender } from '#shared/ports.ts';
import { config, runtime } from './compose.ts';
import { onFirstUse } from './on-first-use.ts';

export function smsSender(): SmsSender {
  const sms = config.sms;
  if (sms.provider === 'aws') {
    const endUserMessaging = onFirstUse(() => new AwsEndUserMessagingSms(new PinpointSMSVoiceV2Client({}), sms));
    return { send: (message) => endUserMessaging().send(message) };
  }
  if (sms.provider === 'twilio') {
    const authToken = runtime.secret('TWILIO_AUTH_TOKEN');
    if (!authToken) throw new Error('the twilio provider needs TWILIO_AUTH_TOKEN');
    const base = runtime.publicBaseUrl?.replace(/\/$/, '');
    return new TwilioSms({ ...sms, authToken, statusCallback: base ? `${base}${twilioStatusCallbackPath}` : undefined });
  }
  const outbox = runtime.env.SMS_SIMULATOR_OUTBOX;
  if (!outbox) throw new Error('the simulator provider runs locally only (SMS_SIMULATOR_OUTBOX is not set)');
  return new SimulatorSms(outbox);
}
