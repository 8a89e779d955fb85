/**
 * Signing people in from the browser: OpenID Connect authorization code + PKCE against the
 * issuer the page names (the local provider, Cognito or the company's IdP), with oauth4webapi.
 *
 * Where things are kept, and why: the access token in memory only (a script injected later
 * cannot find it in storage); the refresh token, the ID token (the logout hint) and the
 * person's name in sessionStorage, which is this tab's alone and gone when it closes — never
 * localStorage. A page load trades the refresh token for a new access token (the provider
 * rotates it); before the access token expires, and once on a 401, it does so again.
 */
import * as oauth from 'oauth4webapi';
import * as z from 'zod/mini';

import type { SignInClient } from '#shared/config/sign-in.ts';
import { authorizeUrl } from './authorize-url.ts';
import { SIGN_IN_FILE } from '../site.ts';

export const CALLBACK_PATH = '/auth/callback';

const signInSchema = z.object({
  issuer: z.string(),
  clientId: z.string(),
  scope: z.string(),
}) satisfies z.ZodMiniType<SignInClient>;
export type { SignInClient };

/**
 * The sign-in client of this installation, from /sign-in.json beside the pages: the pages are
 * static files, and the client (the stack's Cognito app client, or the local provider's) is
 * only known once the stack is deployed or started.
 */
export async function loadSignInClient(): Promise<SignInClient> {
  const response = await fetch(`/${SIGN_IN_FILE}`, { cache: 'no-cache', headers: { accept: 'application/json' } });
  const parsed = response.ok ? signInSchema.safeParse(await response.json()) : undefined;
  if (!parsed?.success) throw new Error(`/${SIGN_IN_FILE} names no sign-in client (${response.status})`);
  return parsed.data;
}

const KEY = {
  pending: 'closedloop-sign-in-pending',
  refresh: 'closedloop-refresh-token',
  idToken: 'closedloop-id-token',
  name: 'closedloop-person',
};

/** Only a path on this site: `/inbox/alerts/x?y#z`, never `//elsewhere`, `https://…` or `/\elsewhere`. */
export function safeReturnPath(path: unknown, origin: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.includes('\\')) return '/';
  try {
    const url = new URL(path, origin);
    return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

/** Plain http only for a provider on this machine's loopback (the local stack). */
const options = (issuer: URL) => ({
  [oauth.allowInsecureRequests]: issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname),
});

const redirectUri = () => `${location.origin}${CALLBACK_PATH}`;

async function discover(client: SignInClient) {
  const issuer = new URL(client.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options(issuer), algorithm: 'oidc' }));
}

/** Sends the browser to the provider's sign-in, remembering where to come back to. */
export async function beginSignIn(client: SignInClient, returnTo: string): Promise<never> {
  const as = await discover(client);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(KEY.pending, JSON.stringify({ state, verifier, returnTo: safeReturnPath(returnTo, location.origin) }));
  const url = authorizeUrl(as.authorization_endpoint ?? client.issuer, {
    clientId: client.clientId,
    redirectUri: redirectUri(),
    scope: client.scope,
    state,
    codeChallenge: await oauth.calculatePKCECodeChallenge(verifier),
  });
  location.assign(url.href);
  return new Promise<never>(() => {});
}

const pendingSchema = z.object({ state: z.string(), verifier: z.string(), returnTo: z.string() });

function keep(result: oauth.TokenEndpointResponse) {
  if (result.refresh_token) sessionStorage.setItem(KEY.refresh, result.refresh_token);
  if (result.id_token) sessionStorage.setItem(KEY.idToken, result.id_token);
  const claims = oauth.getValidatedIdTokenClaims(result);
  const name =
    claims &&
    (typeof claims.name === 'string'
      ? claims.name
      : typeof claims.preferred_username === 'string'
        ? claims.preferred_username
        : claims.sub);
  if (name) sessionStorage.setItem(KEY.name, name);
}

/** The callback page's work: checks the state, trades the code (with the PKCE verifier), answers where to go back. */
export async function completeSignIn(client: SignInClient, callbackUrl: URL): Promise<string> {
  const pending = pendingSchema.safeParse(JSON.parse(sessionStorage.getItem(KEY.pending) || 'null'));
  sessionStorage.removeItem(KEY.pending);
  if (!pending.success) throw new Error('this sign-in was not started in this tab: open the link again');
  const as = await discover(client);
  const web: oauth.Client = { client_id: client.clientId };
  const params = oauth.validateAuthResponse(as, web, callbackUrl, pending.data.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    web,
    oauth.None(),
    params,
    redirectUri(),
    pending.data.verifier,
    options(new URL(client.issuer)),
  );
  keep(await oauth.processAuthorizationCodeResponse(as, web, response));
  return safeReturnPath(pending.data.returnTo, location.origin);
}

/** A signed-in person's session in this tab: their name, and fetch with their access token. */
export class Session {
  private accessToken = '';
  private refreshing: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly client: SignInClient,
    private readonly as: oauth.AuthorizationServer,
  ) {}

  get name(): string {
    return sessionStorage.getItem(KEY.name) ?? '';
  }

  /**
   * The session, after trading the kept refresh token for an access token; with none (or a
   * refused one), the browser goes to sign in and comes back to this page.
   */
  static async start(client: SignInClient): Promise<Session> {
    const session = new Session(client, await discover(client));
    if (sessionStorage.getItem(KEY.refresh)) {
      try {
        await session.refresh();
        return session;
      } catch {
        forget();
      }
    }
    return beginSignIn(client, `${location.pathname}${location.search}${location.hash}`);
  }

  /** One refresh at a time; every caller waits for the same one. */
  refresh(): Promise<void> {
    this.refreshing ??= this.exchange().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async exchange() {
    const token = sessionStorage.getItem(KEY.refresh);
    if (!token) throw new Error('signed out');
    const web: oauth.Client = { client_id: this.client.clientId };
    const response = await oauth.refreshTokenGrantRequest(
      this.as,
      web,
      oauth.None(),
      token,
      options(new URL(this.client.issuer)),
    );
    const result = await oauth.processRefreshTokenResponse(this.as, web, response);
    keep(result);
    this.accessToken = result.access_token;
    clearTimeout(this.timer);
    // A minute before it runs out (never sooner than in 10 s), a fresh one.
    const seconds = Math.max((result.expires_in ?? 300) - 60, 10);
    this.timer = setTimeout(() => void this.refresh().catch(() => this.expired()), seconds * 1000);
  }

  private expired() {
    forget();
    void beginSignIn(this.client, `${location.pathname}${location.search}${location.hash}`);
  }

  /** fetch with the access token; a 401 refreshes once and tries again, then sends the person to sign in. */
  async fetch(input: string, init: RequestInit = {}): Promise<Response> {
    const call = () =>
      fetch(input, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${this.accessToken}`, accept: 'application/json' },
      });
    let response = await call();
    if (response.status !== 401) return response;
    try {
      await this.refresh();
    } catch {
      this.expired();
      return response;
    }
    response = await call();
    if (response.status === 401) this.expired();
    return response;
  }

  /** RP-initiated logout: the refresh token revoked, this tab's storage cleared, the provider's session ended. */
  async signOut(postLogoutPath: '/' | '/inbox'): Promise<never> {
    clearTimeout(this.timer);
    const refresh = sessionStorage.getItem(KEY.refresh);
    const idToken = sessionStorage.getItem(KEY.idToken);
    forget();
    this.accessToken = '';
    const web: oauth.Client = { client_id: this.client.clientId };
    if (refresh && this.as.revocation_endpoint) {
      await oauth
        .revocationRequest(this.as, web, oauth.None(), refresh, options(new URL(this.client.issuer)))
        .catch(() => undefined);
    }
    const end = this.as.end_session_endpoint;
    if (!end) {
      location.assign(postLogoutPath);
      return new Promise<never>(() => {});
    }
    const url = new URL(end);
    url.search = new URLSearchParams({
      client_id: this.client.clientId,
      post_logout_redirect_uri: `${location.origin}${postLogoutPath}`,
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).toString();
    location.assign(url.href);
    return new Promise<never>(() => {});
  }
}

function forget() {
  for (const key of [KEY.refresh, KEY.idToken, KEY.name, KEY.pending]) sessionStorage.removeItem(key);
}
