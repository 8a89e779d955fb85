/**
 * Tokens for command-line tools and tests, from the stack's OpenID Connect provider, the way
 * a browser or a BI tool gets them: a person signs in (authorization code + PKCE, through the
 * provider's own sign-in form), a client uses its client credentials. oauth4webapi does the
 * protocol; this file only plays the browser's part (following redirects, keeping cookies).
 */
import * as oauth from 'oauth4webapi';
import { authorizeUrl } from '#web/auth/authorize-url.ts';

/** Plain http is fine on this machine's loopback; nowhere else. */
const local = (url: URL) => ({ [oauth.allowInsecureRequests]: url.protocol === 'http:' });

export interface Tokens {
  accessToken: string;
  refreshToken?: string | undefined;
  idToken?: string | undefined;
  expiresIn?: number | undefined;
}

async function authorizationServer(issuer: string) {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { ...local(url), algorithm: 'oidc' }));
}

/** A person's tokens, signing in with their username and password on the provider's form. */
export async function signIn(
  issuer: string,
  username: string,
  password: string,
  client = { clientId: 'closedloop-web', scope: 'openid profile', redirectUri: `${issuer.replace(/\/$/, '')}/auth/callback` },
): Promise<Tokens> {
  const as = await authorizationServer(issuer);
  const web: oauth.Client = { client_id: client.clientId };
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const authorize = authorizeUrl(as.authorization_endpoint ?? '', {
    clientId: client.clientId,
    redirectUri: client.redirectUri,
    scope: client.scope,
    state,
    codeChallenge: await oauth.calculatePKCECodeChallenge(verifier),
  });

  const cookies = new Map<string, string>();
  const go = async (url: URL, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const next = (response: Response, from: URL) => {
    const location = response.headers.get('location');
    if (!location) throw new Error(`sign-in stopped at ${from.pathname} with ${response.status}`);
    return new URL(location, from);
  };

  let url = authorize;
  let response = await go(url);
  // The provider sends the browser to its sign-in form; the form posts the credentials.
  url = next(response, url);
  const form = await go(url);
  const action = /<form method="post" action="([^"]+)"/.exec(await form.text())?.[1];
  if (!action) throw new Error('the provider showed no sign-in form');
  const login = new URL(action.replace(/&amp;/g, '&'), url);
  response = await go(login, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
  });
  if (response.status === 401) throw new Error(`the provider refused ${username}'s password`);
  url = next(response, login);
  // Back to the authorization endpoint, which now answers with the code at the redirect URI.
  while (!url.href.startsWith(client.redirectUri)) {
    response = await go(url);
    url = next(response, url);
  }
  const params = oauth.validateAuthResponse(as, web, url, state);
  const exchanged = await oauth.authorizationCodeGrantRequest(
    as,
    web,
    oauth.None(),
    params,
    client.redirectUri,
    verifier,
    local(url),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, web, exchanged);
  return {
    accessToken: result.access_token,
    refreshToken: result.refresh_token,
    idToken: result.id_token,
    expiresIn: result.expires_in,
  };
}

/** A machine client's access token by the client-credentials grant (HTTP Basic, as Cognito takes it). */
export async function clientToken(issuer: string, clientId: string, secret: string): Promise<Tokens> {
  const as = await authorizationServer(issuer);
  const client: oauth.Client = { client_id: clientId };
  const response = await oauth.clientCredentialsGrantRequest(
    as,
    client,
    oauth.ClientSecretBasic(secret),
    new URLSearchParams({ scope: 'api' }),
    local(new URL(issuer)),
  );
  const result = await oauth.processClientCredentialsResponse(as, client, response);
  return { accessToken: result.access_token, expiresIn: result.expires_in };
}
