import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { secretSource } from '#functions/lib/secret-source.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:closedloop-AbCdEf';

/** Answers GetSecretValue the way Secrets Manager does (awsJson1_1), and remembers what it was asked. */
let secretString = '';
const requests: { target: string | undefined; body: { SecretId?: string } }[] = [];
let server: Server;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ target: req.headers['x-amz-target']?.toString(), body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: SECRET_ARN, Name: 'closedloop', VersionId: 'v1', SecretString: secretString }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => vi.unstubAllEnvs();
});

describe('secretSource', () => {
  it('reads secret:NAME references from the environment when CLOSEDLOOP_SECRETS is env, or unset', async () => {
    const named = await secretSource({ CLOSEDLOOP_SECRETS: 'env', PHONE_KEY: 'from-the-environment' });
    const unset = await secretSource({ PHONE_KEY: 'from-the-environment' });

    expect(named.get('PHONE_KEY')).toBe('from-the-environment');
    expect(unset.get('PHONE_KEY')).toBe('from-the-environment');
    expect(named.get('TWILIO_AUTH_TOKEN')).toBeUndefined();
    expect(requests).toEqual([]);
  });

  it('reads them from the named Secrets Manager secret, one GetSecretValue per cold start', async () => {
    secretString = JSON.stringify({ PHONE_KEY: 'from-secrets-manager', API_TOKEN_CX: 'cx-token-value' });

    const source = await secretSource({ CLOSEDLOOP_SECRETS: `secretsmanager:${SECRET_ARN}`, PHONE_KEY: 'not-this-one' });

    expect(source.get('PHONE_KEY')).toBe('from-secrets-manager');
    expect(source.get('API_TOKEN_CX')).toBe('cx-token-value');
    expect(source.get('WORKSHOP_WEBHOOK_SECRET')).toBeUndefined();
    expect(source.description).toBe(`Secrets Manager secret ${SECRET_ARN}`);
    expect(requests).toEqual([{ target: 'secretsmanager.GetSecretValue', body: { SecretId: SECRET_ARN } }]);
  });

  it('refuses a secret that is not a JSON object of names to strings', async () => {
    secretString = JSON.stringify({ PHONE_KEY: 42 });

    await expect(secretSource({ CLOSEDLOOP_SECRETS: `secretsmanager:${SECRET_ARN}` })).rejects.toThrow(/expected string/);
  });

  it('refuses a setting it does not know', async () => {
    await expect(secretSource({ CLOSEDLOOP_SECRETS: 'ssm:/closedloop' })).rejects.toThrow(
      'CLOSEDLOOP_SECRETS must be "env" or "secretsmanager:<secret>", got "ssm:/closedloop"',
    );
  });
});
