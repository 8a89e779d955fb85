import type { SmsSender } from '#shared/ports.ts';
import type { QuotaDeps } from './allow-text.ts';
import type { Deps } from './deps.ts';

import { handleInboundSms, type InboundSms } from './handle-inbound-sms.ts';

/**
 * One conversation step for a provider whose replies are sent separately (AWS End User Messaging,
 * unlike Twilio's TwiML answer): the reply goes back to the sender through the SMS sender. A
 * repeated message id is a redelivery: its step already ran and its reply is not sent again.
 */
export async function answerInboundSms(
  deps: Pick<Deps, 'config' | 'clock' | 'surveys' | 'queues' | 'vault'> & Pick<QuotaDeps, 'quota'> & { sms: SmsSender },
  sms: InboundSms,
): Promise<{ replied: boolean; duplicate: boolean }> {
  const { reply, duplicate = false } = await handleInboundSms(deps, sms);
  if (!reply || duplicate) return { replied: false, duplicate };
  await deps.sms.send({ to: sms.from, body: reply });
  return { replied: true, duplicate };
}
