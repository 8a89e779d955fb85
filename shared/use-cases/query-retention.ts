import * as z from '#shared/zod.ts';
import { surveyType } from '#shared/config/schema.ts';
import { partitionsBetween } from '#shared/domain/periods.ts';
import { horizonView, retentionClasses, wilsonInterval } from '#shared/domain/retention.ts';
import { SEGMENT_SHARDS, type Segment, segmentMovesView, segments, segmentView } from '#shared/domain/rfm.ts';
import type { RollupCounters } from '#shared/domain/rollups.ts';
import { ValidationError } from '#shared/errors.ts';
import type { Deps } from './deps.ts';
import { idParam, isoDate, refineRange } from './rollup-query.ts';

export const retentionQuerySchema = refineRange(
  z.object({
    from: isoDate,
    to: isoDate,
    metric: z._default(surveyType, 'nps'),
    /** One of `retention.horizonDays`; the first of them when absent. */
    horizonDays: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(730))),
    groupBy: z._default(z.enum(['none', 'store']), 'none'),
    granularity: z._default(z.enum(['none', 'month']), 'none'),
    storeId: z.optional(idParam),
  }),
);
export type RetentionQuery = z.infer<typeof retentionQuerySchema>;

const DAY_MS = 86_400_000;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** A share with its n and 95% Wilson interval; below `minResponses` it is marked as not enough data. */
function share(returned: number, surveyed: number, minResponses: number) {
  const { low, high } = wilsonInterval(returned, surveyed);
  return {
    surveyed,
    returned,
    rate: surveyed ? round4(returned / surveyed) : null,
    low: round4(low),
    high: round4(high),
    enoughData: surveyed >= minResponses,
  };
}
type Share = ReturnType<typeof share>;

/**
 * Top class against bottom class (promoters against detractors): `more` or `less` only when their
 * intervals do not overlap, `unclear` when they do, `not_enough_data` when either is too small.
 */
function verdictOf(top: Share, bottom: Share) {
  if (!top.enoughData || !bottom.enoughData || top.rate === null || bottom.rate === null) {
    return { difference: null, verdict: 'not_enough_data' as const };
  }
  const difference = round4(top.rate - bottom.rate);
  const verdict = top.low > bottom.high ? 'more' : top.high < bottom.low ? 'less' : 'unclear';
  return { difference, verdict };
}

const lastDayOfMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/**
 * Of the customers surveyed in the range (by the month of their visit, whole months as in
 * GET /v1/scores), how many came back within the horizon, per class of their answer, with 95%
 * Wilson intervals. Reads the cohort buckets only: at most stores × months × classes items.
 */
export async function queryRetention(deps: Pick<Deps, 'config' | 'clock' | 'rollups'>, query: RetentionQuery) {
  const { config } = deps;
  const horizons = config.retention.horizonDays;
  const horizonDays = query.horizonDays ?? horizons[0] ?? 180;
  if (!horizons.includes(horizonDays)) {
    throw new ValidationError('this horizon is not kept', { horizonDays: `one of ${horizons.join(', ')}` });
  }
  const fromMonth = query.from.slice(0, 7);
  const toMonth = query.to.slice(0, 7);
  const rows = await deps.rollups.read({
    family: 'retention',
    granularity: 'month',
    view: horizonView(horizonDays),
    partitions: partitionsBetween(query.from, query.to, 'month'),
    fromPeriod: fromMonth,
    toPeriod: toMonth,
  });

  const buckets = new Map<string, { period: string; group: string; byClass: Map<string, RollupCounters> }>();
  for (const row of rows) {
    const [storeId, metric, cls] = row.group.split('|');
    if (metric !== query.metric || !storeId || !cls) continue;
    if (query.storeId && storeId !== query.storeId) continue;
    const period = query.granularity === 'month' ? row.period : 'all';
    const group = query.groupBy === 'store' ? storeId : 'all';
    const key = `${period}\u0000${group}`;
    const bucket = buckets.get(key) ?? { period, group, byClass: new Map() };
    const sum = bucket.byClass.get(cls) ?? {};
    for (const [name, n] of Object.entries(row.counters)) sum[name] = (sum[name] ?? 0) + n;
    bucket.byClass.set(cls, sum);
    buckets.set(key, bucket);
  }

  // Segment counters are spread over shards: one item (or one month's item) per shard, read together.
  const shardCounters = async (view: (shard: number) => string, period: string) =>
    (
      await Promise.all(
        Array.from({ length: SEGMENT_SHARDS }, (_, shard) =>
          deps.rollups.read({
            family: 'retention',
            granularity: 'month',
            view: view(shard),
            partitions: [period === 'all' ? 'all' : period.slice(0, 4)],
            fromPeriod: period,
            toPeriod: period,
          }),
        ),
      )
    ).flat();
  const customersBySegment = Object.fromEntries(segments.map((s) => [s, 0])) as Record<Segment, number>;
  for (const row of await shardCounters(segmentView, 'all')) {
    for (const s of segments) customersBySegment[s] += row.counters[s] ?? 0;
  }
  // This month's moves between segments (visits, and silences passing a cut point): the counts
  // at the start of the month are today's less the ins plus the outs.
  const month = deps.clock.now().toISOString().slice(0, 7);
  const moveRows = await shardCounters(segmentMovesView, month);
  const moves = Object.fromEntries(segments.map((s) => [s, { in: 0, out: 0 }])) as Record<Segment, { in: number; out: number }>;
  for (const row of moveRows) {
    for (const s of segments) {
      moves[s].in += row.counters[`in_${s}`] ?? 0;
      moves[s].out += row.counters[`out_${s}`] ?? 0;
    }
  }

  const today = deps.clock.now().toISOString().slice(0, 10);
  const { minResponses } = config;
  const classes = retentionClasses[query.metric];
  return {
    metric: query.metric,
    horizonDays,
    horizons,
    from: query.from,
    to: query.to,
    groupBy: query.groupBy,
    granularity: query.granularity,
    minResponses,
    /** Every customer with a visit on record, by the segment of their last visit (brand-wide, across stores). */
    segments: customersBySegment,
    /** Since the first of this month (UTC): how many customers came into each segment and left it. */
    segmentMoves: { since: `${month}-01`, moves },
    buckets: [...buckets.values()]
      .sort((a, b) => a.period.localeCompare(b.period) || a.group.localeCompare(b.group))
      .map(({ period, group, byClass }) => {
        const counters = (cls: string) => byClass.get(cls) ?? {};
        const shareOf = (cls: string) => ({
          class: cls,
          ...share(counters(cls).returned ?? 0, counters(cls).surveyed ?? 0, minResponses),
        });
        const [top, middle, low] = [shareOf(classes[0]), shareOf(classes[1]), shareOf(classes[2])];
        const bottom = counters(classes[2]);
        const recovered = bottom.recovered ?? 0;
        const returnedRecovered = bottom.returnedRecovered ?? 0;
        const lastMonth = period === 'all' ? toMonth : period;
        const matureOn = new Date(Date.parse(lastDayOfMonth(lastMonth)) + horizonDays * DAY_MS).toISOString().slice(0, 10);
        return {
          period,
          group,
          /** Every cohort in the bucket has had its whole horizon: before that the shares can only grow. */
          complete: matureOn <= today,
          matureOn,
          classes: [top, middle, low],
          detractors: {
            recovered: share(returnedRecovered, recovered, minResponses),
            notRecovered: share((bottom.returned ?? 0) - returnedRecovered, (bottom.surveyed ?? 0) - recovered, minResponses),
          },
          ...verdictOf(top, low),
        };
      }),
  };
}
