import { ForbiddenError, ValidationError } from '#shared/errors.ts';
import { isValidTwilioSignature } from '#shared/adapters/sms/twilio-signature.ts';
import { handleInboundSms } from '#shared/use-cases/handle-inbound-sms.ts';
import { clock, config, phoneVault, runtime, surveyStore, workQueues } from '../lib/compose.ts';
import { type HttpEvent, httpHandler, rawBody } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();

const deps = { config, clock, surveys: surveyStore(), queues: workQueues(), vault: phoneVault() };
const authToken = runtime.secret('TWILIO_AUTH_TOKEN');
const escapeXml = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/** The URL Twilio signed: the public base URL plus the path and query it called. */
const signedUrl = (event: HttpEvent) =>
  `${(runtime.publicBaseUrl ?? `https://${event.requestContext.domainName}`).replace(/\/$/, '')}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;

export const handler = httpHandler(logger, async (event) => {
  if (!authToken) throw new ForbiddenError('the Twilio webhook is not configured (TWILIO_AUTH_TOKEN)');
  const params = [...new URLSearchParams(rawBody(event))];
  if (!isValidTwilioSignature(authToken, signedUrl(event), params, event.headers['x-twilio-signature'])) {
    throw new ForbiddenError('the Twilio signature does not match');
  }
  const form = Object.fromEntries(params);
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
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Response>${reply ? `<Message>${escapeXml(reply)}</Message>` : ''}</Response>`,
  };
});
