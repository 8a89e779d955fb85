import { ValidationError } from '#shared/errors.ts';
import { handleInboundSms } from '#shared/use-cases/handle-inbound-sms.ts';
import { clock, config, phoneVault, runtime, surveyStore, workQueues } from '../lib/compose.ts';
import { httpHandler } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';
import { twiml, verifiedTwilioForm } from '../lib/twilio-webhook.ts';

const logger = createLogger();

const deps = { config, clock, surveys: surveyStore(), queues: workQueues(), vault: phoneVault() };
const twilioForm = verifiedTwilioForm(runtime);

export const handler = httpHandler(logger, async (event) => {
  const form = twilioForm(event);
  if (!form.MessageSid || !form.From || form.Body === undefined) {
    throw new ValidationError('MessageSid, From and Body are required', {
      MessageSid: 'required',
      From: 'required',
      Body: 'required',
    });
  }
  const { reply } = await handleInboundSms(deps, {
    provider: 'twilio',
    messageId: form.MessageSid,
    from: form.From,
    body: form.Body,
  });
  logger.info('inbound sms handled', { messageSid: form.MessageSid, replied: reply !== undefined });
  return twiml(reply);
});
