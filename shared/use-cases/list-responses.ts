import * as z from '#shared/zod.ts';
import { surveyType } from '#shared/config/schema.ts';
import { sentimentOf } from '#shared/domain/scoring.ts';
import type { Deps } from './deps.ts';
import type { Identity } from './identity.ts';
import { idParam, isoDate, refineRange } from './rollup-query.ts';
import { scopeToIdentity } from './identity.ts';

export const responsesQuerySchema = refineRange(
  z.object({
    metric: surveyType,
    from: isoDate,
    to: isoDate,
    storeId: z.optional(idParam),
    departmentId: z.optional(idParam),
    advisorId: z.optional(idParam),
    serviceType: z.optional(idParam),
    sentiment: z.optional(z.enum(['promoter', 'passive', 'detractor'])),
    withComment: z.optional(
      z.pipe(
        z.enum(['true', 'false']),
        z.transform((v) => v === 'true'),
      ),
    ),
    /** true: only answers with integrity flags. */
    flagged: z.optional(
      z.pipe(
        z.enum(['true', 'false']),
        z.transform((v) => v === 'true'),
      ),
    ),
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  }),
);
export type ResponsesQuery = z.infer<typeof responsesQuerySchema>;

/** The answers behind a bucket, with the customers' words, newest visit first, a page at a time. */
export async function listResponses(deps: Pick<Deps, 'responses'>, identity: Identity, query: ResponsesQuery) {
  const scoped = scopeToIdentity(identity, query, 'responses');
  const page = await deps.responses.list({
    surveyType: scoped.metric,
    from: scoped.from,
    to: scoped.to,
    filters: {
      storeId: scoped.storeId,
      departmentId: scoped.departmentId,
      advisorId: scoped.advisorId,
      serviceType: scoped.serviceType,
    },
    sentiment: scoped.sentiment,
    withComment: scoped.withComment,
    flagged: scoped.flagged,
    limit: scoped.limit,
    cursor: scoped.cursor,
  });
  return {
    metric: scoped.metric,
    responses: page.responses.map(({ recoveryOf, flags, ...r }) => ({
      ...r,
      sentiment: sentimentOf(r.surveyType, r.score),
      // Every answer says its flags, none included: the CX team sees what was flagged and why.
      flags: flags ?? [],
    })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}
