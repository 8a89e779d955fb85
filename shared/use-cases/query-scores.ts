import * as z from 'zod';
import { surveyType } from '#shared/config/schema.ts';
import { type Counters, scoreBucket } from '#shared/domain/scoring.ts';
import type { Deps } from './deps.ts';
import type { Identity } from './identity.ts';
import { readBuckets, refineRange, rollupQueryFields } from './rollup-query.ts';
import { scopeToIdentity } from './identity.ts';

export const scoresQuerySchema = refineRange(z.object({ metric: surveyType, ...rollupQueryFields }));
export type ScoresQuery = z.infer<typeof scoresQuerySchema>;

/** Scores per period and group, read from pre-aggregated rollups only (cost independent of answers). */
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
    buckets: buckets.map(({ period, group, counters }) => {
      const c: Counters = {
        responses: counters.responses ?? 0,
        promoters: counters.promoters ?? 0,
        passives: counters.passives ?? 0,
        detractors: counters.detractors ?? 0,
        scoreSum: counters.scoreSum ?? 0,
      };
      return {
        period,
        group,
        responses: c.responses,
        ...scoreBucket(scoped.metric, c),
        // Too few answers to publish as a number: a handful of texts should not move a store's rating.
        enoughData: c.responses >= deps.config.minResponses,
      };
    }),
  };
}
