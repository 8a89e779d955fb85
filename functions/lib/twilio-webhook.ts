import { isValidTwilioSignature } from '#shared/adapters/sms/twilio-signature.ts';
import type { Runtime } from '#shared/config/runtime.ts';
import { ForbiddenError } from '#shared/errors.ts';
import { type HttpEvent, type HttpResult, rawBody } from './http.ts';

/**
 * The form of a request Twilio signed, checked against the URL Twilio was given (the public
 * base URL plus the path and query it called) and the auth token. A missing token, signature
 * or a signature that does not match is a ForbiddenError (403), before anything is read or written.
 */
export function verifiedTwilioForm(runtime: Pick<Runtime, 'publicBaseUrl' | 'secret'>) {
  const authToken = runtime.secret('TWILIO_AUTH_TOKEN');
  return (event: HttpEvent): Record<string, string> => {
    if (!authToken) throw new ForbiddenError('the Twilio webhook is not configured (TWILIO_AUTH_TOKEN)');
    const params = [...new URLSearchParams(rawBody(event))];
    const base = (runtime.publicBaseUrl ?? `https://${event.requestContext.domainName}`).replace(/\/$/, '');
    const signedUrl = `${base}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
    if (!isValidTwilioSignature(authToken, signedUrl, params, event.headers['x-twilio-signature'])) {
      throw new ForbiddenError('the Twilio signature does not match');
    }
    return Object.fromEntries(params);
  };
}

const escapeXml = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/** A TwiML answer: the reply in the conversation, or nothing to send. */
export const twiml = (reply?: string): HttpResult => ({
  statusCode: 200,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: `<?xml version="1.0" encoding="UTF-8"?><Response>${reply ? `<Message>${escapeXml(reply)}</Message>` : ''}</Response>`,
});
