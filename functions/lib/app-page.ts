/** What the signed-in pages (dashboard, inbox, sign-in callback) share: the sign-in client they name, and their headers. */
import { SIGN_IN_ENV, type SignInClient, signInClientSchema } from '#shared/config/sign-in.ts';
import type { HttpResult } from './http.ts';

/** The OpenID Connect client the pages sign in with, from the function's environment; fails the cold start without it. */
export function signInClient(env: NodeJS.ProcessEnv): SignInClient {
  const raw = env[SIGN_IN_ENV];
  if (!raw) throw new Error(`${SIGN_IN_ENV} is not set: the page cannot sign anyone in`);
  return signInClientSchema.parse(JSON.parse(raw));
}

/** JSON for a `<script type="application/json">`: data, never markup. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * A page whose scripts come from /assets only (no inline script, so no 'unsafe-inline' for
 * scripts) and which may talk to this API and to the sign-in issuer.
 */
export function appPage(body: string, signIn: SignInClient): HttpResult {
  const issuer = new URL(signIn.issuer).origin;
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // The page names the current script, so it must never be cached stale; the script itself can be.
      'cache-control': 'no-cache',
      'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ${issuer}; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body,
  };
}
