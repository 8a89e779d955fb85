/**
 * The local sign-in: panva's `oidc-provider` (OpenID Certified; the 8.x line, the last that runs
 * on Node 20) serving the config's `auth.people` with authorization code + PKCE for the web
 * pages, and client credentials for `auth.clients`. It stands where Cognito (or the company's
 * IdP) stands in AWS: the pages and the API emulator only ever see its discovery document,
 * its JWKS and the RS256 JWT access tokens it signs.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Adapter, type AdapterPayload, type Configuration, errors } from 'oidc-provider';
import type { Config, LocalPerson, OAuthClient } from '#shared/config/schema.ts';
import { groupOf } from '#shared/use-cases/identity.ts';
import { readBody } from './api-gateway.ts';
import { renderSignInPage } from './sign-in-page.ts';

/** The public client the web pages sign in with: no secret, code + PKCE only. */
export const WEB_CLIENT_ID = 'closedloop-web';
/** The API as a resource server: what every access token is for (its `aud`). */
export const API_AUDIENCE = 'closedloop-api';
const API_RESOURCE = 'urn:closedloop:api';
/** The scopes the pages ask for (as with Cognito): the access token is for the API all the same. */
export const WEB_SCOPES = 'openid profile';
/** Where the provider's endpoints live, beside the API on the same origin. */
export const OIDC_PREFIX = '/oidc';

const TOKEN_SECONDS = 15 * 60;
const SESSION_SECONDS = 8 * 3600;

export interface LocalOidc {
  issuer: string;
  /** Handles the request if it is the provider's (discovery, endpoints, the sign-in form). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

interface Stored {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * The provider's sessions, grants, codes and refresh tokens, kept in one file in DATA_DIR, so a
 * restart of `npm start` keeps people signed in. (Access tokens are JWTs and are not stored.)
 */
class FileStore {
  private readonly items: Record<string, Stored>;
  constructor(private readonly file: string) {
    this.items = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Stored>) : {};
  }
  private save() {
    const now = Date.now();
    for (const [key, item] of Object.entries(this.items)) if (item.expiresAt < now) delete this.items[key];
    writeFileSync(this.file, JSON.stringify(this.items), { mode: 0o600 });
  }
  adapter(model: string): Adapter {
    const key = (id: string) => `${model}:${id}`;
    const live = (item: Stored | undefined) => (item && item.expiresAt > Date.now() ? item.payload : undefined);
    const entries = () => Object.entries(this.items).filter(([k]) => k.startsWith(`${model}:`));
    return {
      upsert: async (id, payload, expiresIn) => {
        this.items[key(id)] = { payload, expiresAt: Date.now() + expiresIn * 1000 };
        this.save();
      },
      find: async (id) => live(this.items[key(id)]),
      findByUserCode: async (userCode) => live(entries().find(([, v]) => v.payload.userCode === userCode)?.[1]),
      findByUid: async (uid) => live(entries().find(([, v]) => v.payload.uid === uid)?.[1]),
      consume: async (id) => {
        const item = this.items[key(id)];
        if (item) item.payload.consumed = Math.floor(Date.now() / 1000);
        this.save();
      },
      destroy: async (id) => {
        delete this.items[key(id)];
        this.save();
      },
      revokeByGrantId: async (grantId) => {
        for (const [k, v] of entries()) if (v.payload.grantId === grantId) delete this.items[k];
        this.save();
      },
    };
  }
}

/** Signing keys and cookie keys, made once and kept in DATA_DIR: tokens and sessions outlive a restart. */
async function localKeys(dataDir: string): Promise<{ jwks: JWK[]; cookies: string[] }> {
  const file = join(dataDir, 'oidc-keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  const keys = { jwks: [jwk], cookies: [randomBytes(32).toString('base64url')] };
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The person whose username and password these are; a wrong password and an unknown name look alike. */
export function checkPassword(people: readonly LocalPerson[], username: string, password: string): LocalPerson | undefined {
  const person = people.find((p) => p.username === username.trim().toLowerCase());
  const ok = sameSecret(person?.password ?? randomUUID(), password);
  return ok ? person : undefined;
}

export async function startLocalOidc(options: {
  /** The stack's own URL: the issuer, and where the pages are. */
  issuer: string;
  config: Pick<Config, 'auth' | 'defaultLocale'>;
  dataDir: string;
}): Promise<LocalOidc> {
  const { issuer, config } = options;
  const rolesClaim = config.auth.oidc?.rolesClaim ?? 'cognito:groups';
  const keys = await localKeys(options.dataDir);
  const store = new FileStore(join(options.dataDir, 'oidc-store.json'));
  const people = new Map(config.auth.people.map((p) => [p.username, p]));
  const machines = new Map(config.auth.clients.map((c) => [c.clientId, c]));
  const claimsOf = (who: LocalPerson | OAuthClient) => ({ [rolesClaim]: [groupOf(who)] });

  const configuration: Configuration = {
    adapter: (model: string) => store.adapter(model),
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`${issuer}/auth/callback`],
        post_logout_redirect_uris: [`${issuer}/`, `${issuer}/inbox`],
        scope: WEB_SCOPES,
      },
      ...config.auth.clients.map((c, i) => {
        if (!c.secret) throw new Error(`auth.clients[${i}].secret: the local provider needs a secret for ${c.clientId}`);
        return {
          client_id: c.clientId,
          client_secret: c.secret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: 'api',
        };
      }),
    ],
    findAccount: async (_ctx, sub) => {
      const person = people.get(sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, name: person.name, preferred_username: person.username }),
      };
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    scopes: ['openid', 'profile', 'api'],
    jwks: { keys: keys.jwks },
    cookies: { keys: keys.cookies },
    pkce: { required: () => true },
    // The pages trade codes and refresh tokens from the browser: a client's own redirect origins may call the token endpoint.
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: 'api',
            audience: API_AUDIENCE,
            accessTokenTTL: TOKEN_SECONDS,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // What API Gateway's JWT authorizer hands a handler: the person's name and groups in the access token.
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind === 'ClientCredentials') {
        const client = machines.get(token.clientId ?? '');
        return client ? { name: client.clientId, ...claimsOf(client) } : undefined;
      }
      const person = 'accountId' in token ? people.get(String(token.accountId)) : undefined;
      return person ? { name: person.name, username: person.username, ...claimsOf(person) } : undefined;
    },
    // The pages are this provider's own first-party client: signing in is consent enough.
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile');
      grant.addResourceScope(API_RESOURCE, 'api');
      await grant.save();
      return grant;
    },
    // A public client keeps its session alive with rotating refresh tokens (no offline_access dance).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: TOKEN_SECONDS,
      ClientCredentials: TOKEN_SECONDS,
      IdToken: TOKEN_SECONDS,
      AuthorizationCode: 60,
      Interaction: 3600,
      Grant: SESSION_SECONDS,
      Session: SESSION_SECONDS,
      RefreshToken: SESSION_SECONDS,
    },
    routes: {
      authorization: `${OIDC_PREFIX}/auth`,
      token: `${OIDC_PREFIX}/token`,
      jwks: `${OIDC_PREFIX}/jwks`,
      userinfo: `${OIDC_PREFIX}/me`,
      end_session: `${OIDC_PREFIX}/session/end`,
      revocation: `${OIDC_PREFIX}/token/revocation`,
      introspection: `${OIDC_PREFIX}/token/introspection`,
      pushed_authorization_request: `${OIDC_PREFIX}/request`,
      registration: `${OIDC_PREFIX}/reg`,
      code_verification: `${OIDC_PREFIX}/device`,
      device_authorization: `${OIDC_PREFIX}/device/auth`,
      backchannel_authentication: `${OIDC_PREFIX}/backchannel`,
    },
    interactions: { url: (_ctx, interaction) => `${OIDC_PREFIX}/interaction/${interaction.uid}` },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  const interaction = /^\/oidc\/interaction\/([\w-]+)(\/login)?$/;
  async function signIn(req: IncomingMessage, res: ServerResponse, uid: string, submitted: boolean) {
    const details = await provider.interactionDetails(req, res);
    const locale = /^zh/i.test(req.headers['accept-language'] ?? config.defaultLocale) ? 'zh-CN' : 'en';
    const page = (status: number, error?: 'wrong' | 'missing', username = '') => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(renderSignInPage({ action: `${OIDC_PREFIX}/interaction/${uid}/login`, locale, error, username }));
    };
    if (details.uid !== uid) return page(400, 'missing');
    if (!submitted) return page(200);
    const form = new URLSearchParams((await readBody(req))?.toString('utf8') ?? '');
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    if (!username || !password) return page(400, 'missing', username);
    const person = checkPassword(config.auth.people, username, password);
    if (!person) return page(401, 'wrong', username);
    await provider.interactionFinished(req, res, { login: { accountId: person.username } }, { mergeWithLastSubmission: false });
  }

  return {
    issuer,
    async handle(req, res) {
      const path = new URL(req.url ?? '/', issuer).pathname;
      const match = interaction.exec(path);
      if (match?.[1]) {
        const submitted = match[2] !== undefined;
        if (req.method !== (submitted ? 'POST' : 'GET')) return false;
        try {
          await signIn(req, res, match[1], submitted);
        } catch (error) {
          // An expired or replayed sign-in: start again from the page that asked.
          if (!(error instanceof errors.SessionNotFound)) throw error;
          res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
          res.end(renderSignInPage({ action: '', locale: config.defaultLocale, error: 'expired', username: '' }));
        }
        return true;
      }
      if (!path.startsWith(`${OIDC_PREFIX}/`) && path !== '/.well-known/openid-configuration') return false;
      callback(req, res);
      await new Promise((done) => res.once('close', done));
      return true;
    },
  };
}
