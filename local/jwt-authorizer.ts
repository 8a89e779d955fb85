/**
 * API Gateway's JWT authorizer, locally: the same checks an HTTP API makes before a people's
 * route runs, and the claims where it puts them (`requestContext.authorizer.jwt.claims`).
 * - the token from `Authorization` (with or without `Bearer `);
 * - its signature by `kid` from the issuer's JWKS (found through its discovery document), RS256 only;
 * - `iss` is the issuer; `aud` (or, when the token has none, `client_id`) is one of the audience;
 * - `exp`, `nbf` and `iat` hold (no clock tolerance beyond API Gateway's).
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import * as z from '#shared/zod.ts';

export interface JwtAuthorizerOptions {
  issuer: string;
  audience: readonly string[];
}

export type VerifiedClaims = Record<string, string>;

export class Unauthorized extends Error {}

const discovery = z.object({ issuer: z.string(), jwks_uri: z.url() });

/**
 * API Gateway hands claims to a handler as strings; a list becomes `[a b]`. So does this
 * emulator, so a handler reads the same shapes in both places.
 */
function flatten(payload: JWTPayload): VerifiedClaims {
  return Object.fromEntries(
    Object.entries(payload).map(([key, value]) => [
      key,
      Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]),
  );
}

export function jwtAuthorizer(options: JwtAuthorizerOptions) {
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  const jwks = async () => {
    if (keys) return keys;
    const response = await fetch(new URL(`${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`));
    const document = discovery.parse(await response.json());
    keys = createRemoteJWKSet(new URL(document.jwks_uri));
    return keys;
  };

  return async function verify(authorization: string | undefined): Promise<VerifiedClaims> {
    const token = (authorization ?? '').replace(/^Bearer\s+/i, '').trim();
    if (!token) throw new Unauthorized('a bearer token is required');
    try {
      const { payload } = await jwtVerify(token, await jwks(), { issuer: options.issuer, algorithms: ['RS256'] });
      const audiences = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      const intended = audiences.length ? audiences : typeof payload.client_id === 'string' ? [payload.client_id] : [];
      if (!intended.some((a) => options.audience.includes(a))) throw new Unauthorized('the token is for another audience');
      if (typeof payload.exp !== 'number') throw new Unauthorized('the token has no expiry');
      return flatten(payload);
    } catch (error) {
      if (error instanceof Unauthorized) throw error;
      if (error instanceof errors.JOSEError) throw new Unauthorized('the token is not valid here');
      throw error;
    }
  };
}
