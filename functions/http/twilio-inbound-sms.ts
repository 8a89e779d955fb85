import { handleInboundSms, twilioInboundSchema } from '#shared/use-cases/handle-inbound-sms.ts';
import { clock, config, phoneVault, runtime, surveyStore, textQuota, workQueues } from '../lib/compose.ts';
import { httpHandler, parseFields } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';
import { twiml, verifiedTwilioForm } from '../lib/twilio-webhook.ts';

const logger = createLogger();

const deps = { config, clock, surveys: surveyStore(), queues: workQueues(), vault: phoneVault(), quota: textQuota() };
const twilioForm = verifiedTwilioForm(runtime);

export const handler = httpHandler(logger, async (event) => {
  const form = parseFields(twilioForm(event), twilioInboundSchema);
  const { reply } = await handleInboundSms(deps, {
    provider: 'twilio',
    messageId: form.MessageSid,
    from: form.From,
    body: form.Body,
  });
  logger.info('inbound sms handled', { messageSid: form.MessageSid, replied: reply !== undefined });
  return twiml(reply);
});
