import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from '#shared/zod.ts';
import type { Config, MachineKey } from '#shared/config/schema.ts';
import type { Actor } from '#shared/domain/records.ts';
import { ForbiddenError, UnauthorizedError } from '#shared/errors.ts';

export type Role = 'cx' | 'department' | 'ingest';
export type Identity = Actor & ({ role: 'cx' } | { role: 'ingest' } | { role: 'department'; departmentId: string });

const sha256 = (value: string) => createHash('sha256').update(value).digest();
/** Each configured key's SHA-256, worked out once per key (the config is frozen), not on every request. */
const digests = new WeakMap<MachineKey, Buffer>();
function keyDigest(key: MachineKey): Buffer {
  let digest = digests.get(key);
  if (!digest) {
    digest = key.token.startsWith('sha256:') ? Buffer.from(key.token.slice('sha256:'.length), 'hex') : sha256(key.token);
    digests.set(key, digest);
  }
  return digest;
}

/** The `Authorization: Bearer …` credential, or undefined. */
export function bearerOf(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/** The machine key a bearer credential is, compared by SHA-256 in constant time; undefined for none. */
export function findMachineKey(keys: readonly MachineKey[], credential: string): MachineKey | undefined {
  const presented = sha256(credential);
  return keys.find((key) => {
    const digest = keyDigest(key);
    return digest.length === presented.length && timingSafeEqual(digest, presented);
  });
}

/** A JSON Web Token's shape (three base64url parts), without trusting a byte of it. */
const looksLikeJwt = (credential: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential);

/**
 * Who calls a machine route, from its machine key. A person's or client's token (a JWT) is known
 * here only by its shape: it is refused as outside its role (403), never read.
 */
export function identifyMachine(keys: readonly MachineKey[], authorization: string | undefined): Identity {
  const credential = bearerOf(authorization);
  if (!credential) throw new UnauthorizedError('a bearer token is required');
  const key = findMachineKey(keys, credential);
  if (key) return { role: 'ingest', sub: `key:${key.name ?? key.role}`, name: key.name ?? key.role };
  if (looksLikeJwt(credential))
    throw new ForbiddenError("this route takes a machine key; people's tokens are for people's routes");
  throw new UnauthorizedError('unknown token');
}

/** The claims API Gateway's JWT authorizer passes on: every value a string, number, boolean or list. */
const claimsSchema = z.record(z.string(), z.unknown());

/**
 * A claim holding a list, as it reaches a handler: an array (the local emulator, a Lambda
 * authorizer) or API Gateway's flattening of one (`[cx department-workshop]`), or space-separated.
 */
function listClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** The resource server's scope prefix in Cognito: client-credentials tokens carry `closedloop/<group>`. */
export const SCOPE_PREFIX = 'closedloop/';

/** A role as a group or scope names it: `cx`, `department-<id>`. */
export const groupOf = (role: { role: 'cx' } | { role: 'department'; departmentId: string }) =>
  role.role === 'cx' ? 'cx' : `department-${role.departmentId}`;

/**
 * Who calls a people's route, from the claims the JWT authorizer verified (signature, issuer,
 * audience, expiry): their groups (or, for a client, its scopes) give the role.
 */
export function identifyPerson(config: Pick<Config, 'auth' | 'departments'>, rawClaims: unknown): Identity {
  const parsed = claimsSchema.safeParse(rawClaims);
  if (!parsed.success) throw new UnauthorizedError('a signed-in person or client is required');
  const claims = parsed.data;
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (!sub) throw new UnauthorizedError('the token names no subject');
  const text = (key: string) => (typeof claims[key] === 'string' && claims[key] ? (claims[key] as string) : undefined);
  const name = text('name') ?? text('username') ?? text('cognito:username') ?? text('client_id') ?? sub;
  const groups = [
    ...listClaim(claims[config.auth.oidc?.rolesClaim ?? 'cognito:groups']),
    ...listClaim(claims.scope)
      .filter((s) => s.startsWith(SCOPE_PREFIX))
      .map((s) => s.slice(SCOPE_PREFIX.length)),
  ];
  if (groups.includes('cx')) return { role: 'cx', sub, name };
  const departmentId = config.departments.find((d) => groups.includes(`department-${d.id}`))?.id;
  if (departmentId) return { role: 'department', departmentId, sub, name };
  throw new ForbiddenError('your account has no ClosedLoop role yet: ask the CX team to add you to a group');
}

export function requireRole(identity: Identity, ...roles: Role[]): void {
  if (!roles.includes(identity.role)) throw new ForbiddenError(`this needs the ${roles.join(' or ')} role`);
}

export const actorOf = (identity: Identity): Actor => ({ sub: identity.sub, name: identity.name });

/** A department head reads their own department only; the ingest role reads nothing (`what`: what it asked for). */
export function scopeToIdentity<Q extends { departmentId?: string | undefined }>(identity: Identity, query: Q, what: string): Q {
  if (identity.role === 'ingest') throw new ForbiddenError(`the ingest role cannot read ${what}`);
  if (identity.role !== 'department') return query;
  if (query.departmentId && query.departmentId !== identity.departmentId) {
    throw new ForbiddenError('a department head sees their own department only');
  }
  return { ...query, departmentId: identity.departmentId };
}
