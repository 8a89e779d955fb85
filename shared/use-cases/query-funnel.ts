import * as z from '#shared/zod.ts';
import { suppressedCounter } from '#shared/domain/rollups.ts';
import { suppressionReasons } from '#shared/domain/records.ts';
import type { Deps } from './deps.ts';
import type { Identity } from './identity.ts';
import { readBuckets, refineRange, rollupQueryFields } from './rollup-query.ts';
import { scopeToIdentity } from './identity.ts';

export const funnelQuerySchema = refineRange(z.object(rollupQueryFields));
export type FunnelQuery = z.infer<typeof funnelQuerySchema>;

const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10);

/**
 * The survey funnel per period and group: visits, surveys sent, answered, and visits not
 * surveyed by reason. A store or advisor that suppresses many surveys shows here.
 */
export async function queryFunnel(deps: Pick<Deps, 'rollups'>, identity: Identity, query: FunnelQuery) {
  const scoped = scopeToIdentity(identity, query, 'the survey funnel');
  const buckets = await readBuckets(deps, 'funnel', scoped);
  return {
    from: scoped.from,
    to: scoped.to,
    granularity: scoped.granularity,
    groupBy: scoped.groupBy,
    buckets: buckets.map(({ period, group, counters }) => {
      const visits = counters.visits ?? 0;
      const sent = counters.sent ?? 0;
      const answered = counters.answered ?? 0;
      const suppressedTotal = counters.suppressed ?? 0;
      const suppressed = Object.fromEntries(
        suppressionReasons.flatMap((r) => {
          const n = counters[suppressedCounter(r)] ?? 0;
          return n ? [[r, n]] : [];
        }),
      );
      return {
        period,
        group,
        visits,
        sent,
        answered,
        responseRate: percent(answered, sent),
        suppressed,
        suppressedTotal,
        suppressionRate: percent(suppressedTotal, visits),
      };
    }),
  };
}
