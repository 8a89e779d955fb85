import type { AuthToken } from '#shared/config/schema.ts';
import { ForbiddenError, UnauthorizedError } from '#shared/errors.ts';

export type Role = AuthToken['role'];
export type Identity = { role: 'cx' } | { role: 'ingest' } | { role: 'department'; departmentId: string };

/** Who is calling, from a bearer token. Never echoes the token. */
export function identify(tokens: readonly AuthToken[], authorization: string | undefined): Identity {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new UnauthorizedError('a bearer token is required');
  const found = tokens.find((t) => t.token === match[1]);
  if (!found) throw new UnauthorizedError('unknown token');
  return found.role === 'department' ? { role: 'department', departmentId: found.departmentId } : { role: found.role };
}

export function requireRole(identity: Identity, ...roles: Role[]): void {
  if (!roles.includes(identity.role)) throw new ForbiddenError(`this needs the ${roles.join(' or ')} role`);
}

export const actorOf = (identity: Identity) =>
  identity.role === 'department' ? `department:${identity.departmentId}` : identity.role;

/** A department token reads its own department only; the ingest role reads nothing (`what`: what it asked for). */
export function scopeToIdentity<Q extends { departmentId?: string | undefined }>(identity: Identity, query: Q, what: string): Q {
  if (identity.role === 'ingest') throw new ForbiddenError(`the ingest role cannot read ${what}`);
  if (identity.role !== 'department') return query;
  if (query.departmentId && query.departmentId !== identity.departmentId) {
    throw new ForbiddenError('a department token sees its own department only');
  }
  return { ...query, departmentId: identity.departmentId };
}
