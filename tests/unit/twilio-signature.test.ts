import { describe, expect, it } from 'vitest';
import { isValidTwilioSignature, twilioSignature } from '#shared/adapters/sms/twilio-signature.ts';

// Twilio's published example (https://www.twilio.com/docs/usage/security#validating-requests).
const token = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params: [string, string][] = [
  ['CallSid', 'CA1234567890ABCDE'],
  ['Caller', '+14158675309'],
  ['Digits', '1234'],
  ['From', '+14158675309'],
  ['To', '+18005551212'],
];
const expected = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('twilioSignature', () => {
  it('reproduces Twilio’s published test vector', () => {
    expect(twilioSignature(token, url, params)).toBe(expected);
  });

  it('does not depend on the order of the parameters', () => {
    expect(twilioSignature(token, url, [...params].reverse())).toBe(expected);
  });

  it('changes when any value changes', () => {
    const tampered = params.map(([k, v]): [string, string] => [k, k === 'Digits' ? '1235' : v]);

    expect(twilioSignature(token, url, tampered)).not.toBe(expected);
  });
});

describe('isValidTwilioSignature', () => {
  it('accepts Twilio’s published example', () => {
    expect(isValidTwilioSignature(token, url, params, expected)).toBe(true);
  });

  it('accepts the parameters in any order', () => {
    const shuffled = [params[3], params[0], params[4], params[2], params[1]].filter((p): p is [string, string] => !!p);

    expect(isValidTwilioSignature(token, url, shuffled, expected)).toBe(true);
  });

  it('accepts the URL with the default :443 port spelled out', () => {
    expect(isValidTwilioSignature(token, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params, expected)).toBe(true);
  });

  it('accepts a signature Twilio made over the URL with :443 when the configured URL has no port', () => {
    const signedWithPort = twilioSignature(token, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params);

    expect(isValidTwilioSignature(token, url, params, signedWithPort)).toBe(true);
  });

  it('rejects a tampered parameter value', () => {
    const tampered = params.map(([k, v]): [string, string] => [k, k === 'To' ? '+18005551213' : v]);

    expect(isValidTwilioSignature(token, url, tampered, expected)).toBe(false);
  });

  it('rejects an added parameter', () => {
    expect(isValidTwilioSignature(token, url, [...params, ['Body', 'STOP']], expected)).toBe(false);
  });

  it('rejects a different URL', () => {
    expect(isValidTwilioSignature(token, 'https://mycompany.com/myapp.php?foo=1&bar=3', params, expected)).toBe(false);
    expect(isValidTwilioSignature(token, 'http://mycompany.com/myapp.php?foo=1&bar=2', params, expected)).toBe(false);
  });

  it('rejects another auth token', () => {
    expect(isValidTwilioSignature('54321', url, params, expected)).toBe(false);
  });

  it('rejects a missing or empty signature', () => {
    expect(isValidTwilioSignature(token, url, params, undefined)).toBe(false);
    expect(isValidTwilioSignature(token, url, params, '')).toBe(false);
  });

  it('rejects a signature of the wrong length without throwing', () => {
    expect(isValidTwilioSignature(token, url, params, 'short')).toBe(false);
    expect(isValidTwilioSignature(token, url, params, `${expected}AAAA`)).toBe(false);
  });
});
