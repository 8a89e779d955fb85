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
