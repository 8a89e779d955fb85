import * as z from '#shared/zod.ts';
import { surveyType } from '#shared/config/schema.ts';
import { flaggedCounter, type RollupCounters } from '#shared/domain/rollups.ts';
import { type Counters, scoreBucket } from '#shared/domain/scoring.ts';
import type { Deps } from './deps.ts';
import type { Identity } from './identity.ts';
import { readBuckets, refineRange, rollupQueryFields } from './rollup-query.ts';
import { scopeToIdentity } from './identity.ts';

export const scoresQuerySchema = refineRange(
  z.object({
    metric: surveyType,
    ...rollupQueryFields,
    /** true: each bucket's figures leave flagged answers out, and `includingFlagged` carries the full ones. */
    excludeFlagged: z.optional(
      z.pipe(
        z.enum(['true', 'false']),
        z.transform((v) => v === 'true'),
      ),
    ),
  }),
);
export type ScoresQuery = z.infer<typeof scoresQuerySchema>;

const counterNames = ['responses', 'promoters', 'passives', 'detractors', 'scoreSum'] as const;
const countersOf = (counters: RollupCounters, without: 'flagged' | 'none'): Counters => {
  const c = {} as Counters;
  for (const name of counterNames) {
    c[name] = (counters[name] ?? 0) - (without === 'flagged' ? (counters[flaggedCounter(name)] ?? 0) : 0);
  }
  return c;
};

/**
 * Scores per period and group, read from pre-aggregated rollups only (cost independent of
 * answers). Flagged answers always count; their own counters in the same buckets give the
 * score without them exactly, with no further read.
 */
export async function queryScores(deps: Pick<Deps, 'rollups' | 'config'>, identity: Identity, query: ScoresQuery) {
  const scoped = scopeToIdentity(identity, query, 'scores');
  const buckets = await readBuckets(deps, scoped.metric, scoped);
  return {
    metric: scoped.metric,
    from: scoped.from,
    to: scoped.to,
    granularity: scoped.granularity,
    groupBy: scoped.groupBy,
    minResponses: deps.config.minResponses,
    ...(scoped.excludeFlagged ? { excludeFlagged: true } : {}),
    buckets: buckets.map(({ period, group, counters }) => {
      const all = countersOf(counters, 'none');
      const c = scoped.excludeFlagged ? countersOf(counters, 'flagged') : all;
      return {
        period,
        group,
        responses: c.responses,
        ...scoreBucket(scoped.metric, c),
        // Too few answers to publish as a number: a handful of texts should not move a store's rating.
        enoughData: c.responses >= deps.config.minResponses,
        ...(scoped.excludeFlagged
          ? {
              flagged: all.responses - c.responses,
              includingFlagged: {
                responses: all.responses,
                ...scoreBucket(scoped.metric, all),
                enoughData: all.responses >= deps.config.minResponses,
              },
            }
          : {}),
      };
    }),
  };
}
