/**
 * People sign in as themselves on the local OpenID Connect provider, and the API emulator's JWT
 * authorizer refuses every token API Gateway's would: no signature, another issuer's key, the
 * wrong audience or issuer, expired or not yet valid. A refused token changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientToken, signIn } from '../../scripts/lib/sign-in.ts';
import { alertOfSurvey, alertState, answeredSurvey, api, countItems, heads, stack, tokens } from './helpers.ts';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
const config = JSON.parse(readFileSync(stack.configPath, 'utf8'));

let alertId = '';
beforeAll(async () => {
  const { surveyId } = await answeredSurvey('3', '车修完还是有异响，返工也没修好');
  alertId = (await alertOfSurvey(surveyId, 'workshop')).id;
});

describe('signing in on the local provider', () => {
  it('gives a head of department an RS256 access token for the API, with their name and group', async () => {
    const token = await signIn(stack.url, heads.workshop.username, heads.workshop.password);

    expect(token.refreshToken).toBeTruthy();
    const header = JSON.parse(Buffer.from(token.accessToken.split('.')[0] ?? '', 'base64url').toString());
    expect(header.alg).toBe('RS256');
    expect(claimsOf(token.accessToken)).toMatchObject({
      iss: stack.url,
      sub: heads.workshop.username,
      name: '李明',
      'cognito:groups': ['department-workshop'],
    });
    expect((await api('/v1/alerts', { token: token.accessToken })).status).toBe(200);
  });

  it('refuses a wrong password on its form', async () => {
    await expect(signIn(stack.url, heads.workshop.username, 'not-the-password')).rejects.toThrow(/refused/);
  });

  it('gives a BI client a token of its role by client credentials, scoped like a person of that role', async () => {
    const bi = config.auth.clients.find((c: { role: string }) => c.role === 'cx');
    const crm = config.auth.clients.find((c: { departmentId?: string }) => c.departmentId === 'workshop');
    const reader = await clientToken(stack.url, bi.clientId, bi.secret);
    const workshop = await clientToken(stack.url, crm.clientId, crm.secret);

    expect((await api('/v1/scores?metric=nps&from=2026-11-01&to=2026-11-30', { token: reader.accessToken })).status).toBe(200);
    expect((await api('/v1/alerts?departmentId=workshop', { token: workshop.accessToken })).status).toBe(200);
    expect((await api('/v1/alerts?departmentId=parts', { token: workshop.accessToken })).status).toBe(403);
    await expect(clientToken(stack.url, bi.clientId, 'not-the-secret-at-all')).rejects.toThrow();
  });

  it('records the person who acted, by sub and name, in the alert’s actions', async () => {
    const { status, body } = await api(`/v1/alerts/${alertId}/actions`, {
      token: tokens.workshop,
      json: { action: 'acknowledge', note: '已收到，马上联系' },
    });

    expect(status).toBe(200);
    expect(body.actions.at(-1)).toMatchObject({ action: 'acknowledge', by: { sub: heads.workshop.username, name: '李明' } });
  });
});

describe("the JWT authorizer on people's routes", () => {
  const provider = (): JWK => JSON.parse(readFileSync(join(stack.dataDir, 'oidc-keys.json'), 'utf8')).jwks[0];
  const now = () => Math.floor(Date.now() / 1000);
  const claims = () => ({
    sub: heads.cx.username,
    name: 'someone',
    'cognito:groups': ['cx'],
    client_id: 'closedloop-web',
    aud: 'closedloop-api',
  });
  const signed = async (
    body: Record<string, unknown>,
    options: { key?: CryptoKey | Uint8Array; kid?: string; alg?: string; iss?: string; exp?: number; nbf?: number } = {},
  ) => {
    const jwk = provider();
    const key = options.key ?? (await importJWK(jwk, 'RS256'));
    return new SignJWT(body)
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? jwk.kid ?? '', typ: 'at+jwt' })
      .setIssuer(options.iss ?? stack.url)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? now() + 600)
      .setNotBefore(options.nbf ?? now() - 5)
      .sign(key);
  };
  const unsigned = () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims(), iss: stack.url, exp: now() + 600 })}.`;
  };

  it('lets in a token signed by the provider’s own key (the forgeries below differ in one thing each)', async () => {
    expect((await api('/v1/alerts', { token: await signed(claims()) })).status).toBe(200);
  });

  it.each([
    ['alg none', async () => unsigned()],
    ['another key under the provider’s kid', async () => signed(claims(), { key: (await generateKeyPair('RS256')).privateKey })],
    ['an HMAC signature (HS256)', async () => signed(claims(), { alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)) })],
    ['another issuer', async () => signed(claims(), { iss: 'https://login.example.com' })],
    ['another audience', async () => signed({ ...claims(), aud: 'someone-else' })],
    ['expired', async () => signed(claims(), { exp: now() - 60 })],
    ['not valid yet', async () => signed(claims(), { nbf: now() + 600 })],
    ['garbage', async () => 'not.a.token'],
  ])('refuses a token with %s: 401 in the error shape, nothing changed', async (_, token) => {
    const bearer = await token();
    const before = await countItems();
    const alertBefore = await alertState(alertId);

    const read = await api('/v1/alerts', { token: bearer });
    const act = await api(`/v1/alerts/${alertId}/actions`, { token: bearer, json: { action: 'resolved' } });

    for (const response of [read, act]) {
      expect(response.status).toBe(401);
      expect(response.body.error).toMatchObject({ code: 'unauthorized', message: expect.any(String) });
    }
    expect(await countItems()).toBe(before);
    expect(await alertState(alertId)).toEqual(alertBefore);
  });

  it('refuses a valid token whose groups give no role with 403, before reading the request', async () => {
    const token = await signed({ ...claims(), 'cognito:groups': ['visitors'] });

    const response = await api('/v1/scores?metric=not-a-metric', { token });

    expect(response.status).toBe(403);
    expect(JSON.stringify(response.body)).not.toContain('metric');
  });

  it('authorizes before it parses: a known caller outside its role gets 403, never a 400 about the fields', async () => {
    const cases = [
      api('/v1/scores?metric=nps', { token: tokens.ingest }),
      api('/v1/alerts?status=nonsense', { token: tokens.ingest }),
      api('/v1/service-events', { token: tokens.cx, json: { nonsense: true } }),
    ];
    const [scores, alerts, visit] = await Promise.all(cases);

    for (const response of [scores, alerts, visit]) {
      expect(response?.status).toBe(403);
      expect(response?.body.error.fields).toBeUndefined();
    }
  });
});
