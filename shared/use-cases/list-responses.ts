import { z } from 'zod';
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
    storeId: idParam.optional(),
    departmentId: idParam.optional(),
    advisorId: idParam.optional(),
    serviceType: idParam.optional(),
    sentiment: z.enum(['promoter', 'passive', 'detractor']).optional(),
    withComment: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    /** true: only answers with integrity flags. */
    flagged: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).max(2048).optional(),
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
