/**
 * How texts go out, for the functions that send them (run-survey-timer, aws-inbound-sms), so that
 * the End User Messaging client is in their bundles only. It is imported and built like any other
 * client: an import() of it on the first text deferred little in a one-file bundle, and made esbuild
 * wrap every module it reaches in a lazy initialiser it cannot tree-shake (run-survey-timer 542 ->
 * 457 KB and a cold load 6 to 10 ms shorter without it; building the client takes about 1.5 ms).
 */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { AwsEndUserMessagingSms } from '#shared/adapters/sms/aws-end-user-messaging.ts';
import { SimulatorSms } from '#shared/adapters/sms/simulator.ts';
import { TwilioSms } from '#shared/adapters/sms/twilio.ts';
import { twilioStatusCallbackPath } from '#shared/config/resource-names.ts';
import type { SmsSender } from '#shared/ports.ts';
import { config, runtime } from './compose.ts';

export function smsSender(): SmsSender {
  const sms = config.sms;
  if (sms.provider === 'aws') {
    return new AwsEndUserMessagingSms(new PinpointSMSVoiceV2Client({}), sms);
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
