import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's published request-signing scheme: HMAC-SHA1 (auth token) over the full URL
 * followed by every POST parameter sorted by name, name then value, base64. Written here
 * rather than importing the `twilio` SDK, which is megabytes for one HMAC.
 */
export function twilioSignature(authToken: string, url: string, params: [string, string][]): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of params) byName.set(name, [...(byName.get(name) ?? []), value]);
  const data = [...byName.keys()]
    .sort()
    .map((name) =>
      (byName.get(name) ?? [])
        .sort()
        .map((value) => name + value)
        .join(''),
    )
    .join('');
  return createHmac('sha1', authToken)
    .update(Buffer.from(url + data, 'utf8'))
    .digest('base64');
}

/** Twilio may sign the URL with or without the default port; accept either. */
function urlVariants(url: string): string[] {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  const withoutPort = new URL(url);
  withoutPort.port = '';
  const withPort = `${parsed.protocol}//${parsed.username ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : ''}${parsed.hostname}:${parsed.port || defaultPort}${parsed.pathname}${parsed.search}`;
  return [...new Set([url, withoutPort.toString(), withPort])];
}

export function isValidTwilioSignature(
  authToken: string,
  url: string,
  params: [string, string][],
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  return urlVariants(url).some((variant) => {
    const expected = Buffer.from(twilioSignature(authToken, variant, params));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
