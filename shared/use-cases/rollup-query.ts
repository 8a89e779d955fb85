import * as z from '#shared/zod.ts';
import { reachChannels } from '#shared/config/schema.ts';
import type { ReachChannel } from '#shared/domain/reach.ts';
import { ValidationError } from '#shared/errors.ts';
import { type Granularity, granularities, partitionsBetween, periodOf } from '#shared/domain/periods.ts';
import {
  dimensions,
  type Filters,
  type GroupDimension,
  planView,
  type RollupCounters,
  type RollupFamily,
} from '#shared/domain/rollups.ts';
import type { Deps } from './deps.ts';

export const isoDate = z.iso.date();
export const idParam = z.string().check(z.minLength(1), z.maxLength(64));

/** The range, granularity, groupBy and filters every rollup query takes. */
export const rollupQueryFields = {
  from: isoDate,
  to: isoDate,
  granularity: z._default(z.enum(granularities), 'month'),
  groupBy: z._default(z.enum(['none', ...dimensions, 'channel']), 'none').check(
    z.meta({
      description:
        'Each bucket\'s group: "all" (none), a store, department, advisor or service type, or channel: the channel the survey went out by (sms, link, wechat, call). Combines with at most a store filter. In the funnel a channel counts its sends and answers only: a visit and its suppression come before any channel',
    }),
  ),
  storeId: z.optional(idParam),
  departmentId: z.optional(idParam),
  advisorId: z.optional(idParam),
  serviceType: z.optional(idParam),
  channel: z.optional(z.enum(reachChannels)).check(
    z.meta({
      description:
        "Only what went out by this channel. An answer counts under its survey's channel (a WeChat notice answered on the web form: wechat); imported history, which records none, under the channel its answer came by (a text reply: sms; a web answer: link) in the scores, and in no channel of the funnel",
    }),
  ),
};

const THREE_YEARS_MS = 3 * 366 * 86_400_000;

export function refineRange<T extends z.ZodMiniType<{ from: string; to: string }>>(schema: T) {
  return schema.check(
    z.refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' }),
    z.refine((q) => Date.parse(q.to) - Date.parse(q.from) <= THREE_YEARS_MS, {
      path: ['to'],
      message: 'a range of at most three years',
    }),
  );
}

export interface RollupQueryParams {
  from: string;
  to: string;
  granularity: Granularity;
  groupBy: GroupDimension | 'none';
  storeId?: string | undefined;
  departmentId?: string | undefined;
  advisorId?: string | undefined;
  serviceType?: string | undefined;
  channel?: ReachChannel | undefined;
}

/**
 * Buckets of one rollup family per period and group, summed from pre-aggregated items only:
 * what a query reads grows with the periods and groups asked for, never with the answers.
 */
export async function readBuckets(deps: Pick<Deps, 'rollups'>, family: RollupFamily, query: RollupQueryParams) {
  const filters: Filters = {
    store: query.storeId,
    department: query.departmentId,
    advisor: query.advisorId,
    serviceType: query.serviceType,
    channel: query.channel,
  };
  const plan = planView(query.groupBy, filters);
  if (!plan) {
    throw new ValidationError('this combination of groupBy and filters is not available', {
      groupBy: 'combine at most a store filter with one other dimension',
    });
  }
  const rows = await deps.rollups.read({
    family,
    granularity: query.granularity,
    view: plan.view,
    partitions: partitionsBetween(query.from, query.to, query.granularity),
    fromPeriod: periodOf(query.from, query.granularity),
    toPeriod: periodOf(query.to, query.granularity),
  });

  const buckets = new Map<string, { period: string; group: string; counters: RollupCounters }>();
  for (const row of rows) {
    const values = row.group.split('|');
    const partOf = (d: GroupDimension) => values[plan.parts.indexOf(d)];
    if (plan.parts.some((d) => filters[d] !== undefined && partOf(d) !== filters[d])) continue;
    const group = query.groupBy === 'none' ? 'all' : (partOf(query.groupBy) ?? 'all');
    const key = `${row.period}\u0000${group}`;
    const bucket = buckets.get(key) ?? { period: row.period, group, counters: {} };
    for (const [name, n] of Object.entries(row.counters)) bucket.counters[name] = (bucket.counters[name] ?? 0) + n;
    buckets.set(key, bucket);
  }
  return [...buckets.values()].sort((a, b) => a.period.localeCompare(b.period) || a.group.localeCompare(b.group));
}
