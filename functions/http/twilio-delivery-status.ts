import { ValidationError } from '#shared/errors.ts';
import { recordDeliveryStatus, twilioStatusCallbackSchema } from '#shared/use-cases/record-delivery-status.ts';
import { clock, deliveryStatusStore, runtime } from '../lib/compose.ts';
import { fieldErrors, httpHandler } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';
import { verifiedTwilioForm } from '../lib/twilio-webhook.ts';

const logger = createLogger();

const deps = { clock, deliveries: deliveryStatusStore() };
const twilioForm = verifiedTwilioForm(runtime);

/** Twilio's status callback for the texts we send (StatusCallback): signed like the inbound webhook. */
export const handler = httpHandler(logger, async (event) => {
  const parsed = twilioStatusCallbackSchema.safeParse(twilioForm(event));
  if (!parsed.success) throw new ValidationError('the status callback has invalid fields', fieldErrors(parsed.error));
  const outcome = await recordDeliveryStatus(deps, parsed.data);
  logger.info('delivery status', {
    messageSid: parsed.data.MessageSid,
    status: parsed.data.MessageStatus,
    errorCode: parsed.data.ErrorCode,
    outcome,
  });
  return { statusCode: 204 };
});
