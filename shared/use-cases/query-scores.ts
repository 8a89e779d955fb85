import { z } from 'zod';
import { surveyType } from '#shared/config/schema.ts';
import { ForbiddenError, ValidationError } from '#shared/errors.ts';
import { granularities, partitionsBetween, periodOf } from '#shared/domain/periods.ts';
import { dimensions, type Filters, planView } from '#shared/domain/rollups.ts';
import { addCounters, type Counters, emptyCounters, scoreBucket } from '#shared/domain/scoring.ts';
import type { Deps } from './deps.ts';
import type { Identity } from './identity.ts';

const isoDate = z.iso.date();
const idParam = z.string().min(1).max(64);

export const scoresQuerySchema = z
  .object({
    metric: surveyType,
    from: isoDate,
    to: isoDate,
    granularity: z.enum(granularities).default('month'),
    groupBy: z.enum(['none', ...dimensions]).default('none'),
    storeId: idParam.optional(),
    departmentId: idParam.optional(),
    advisorId: idParam.optional(),
    serviceType: idParam.optional(),
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 3 * 366 * 86_400_000, {
    path: ['to'],
    message: 'a range of at most three years',
  });
export type ScoresQuery = z.infer<typeof scoresQuerySchema>;

/** Scores per period and group, read from pre-aggregated rollups only (cost independent of answers). */
export async function queryScores(deps: Pick<Deps, 'scores'>, identity: Identity, query: ScoresQuery) {
  if (identity.role === 'ingest') throw new ForbiddenError('the ingest role cannot read scores');
  if (identity.role === 'department') {
    if (query.departmentId && query.departmentId !== identity.departmentId) {
      throw new ForbiddenError('a department token sees its own department only');
    }
    query = { ...query, departmentId: identity.departmentId };
  }
  const filters: Filters = {
    store: query.storeId,
    department: query.departmentId,
    advisor: query.advisorId,
    serviceType: query.serviceType,
  };
  const plan = planView(query.groupBy, filters);
  if (!plan) {
    throw new ValidationError('this combination of groupBy and filters is not available', {
      groupBy: 'combine at most a store filter with one other dimension',
    });
  }
  const rows = await deps.scores.readRollups({
    survey: query.metric,
    granularity: query.granularity,
    view: plan.view,
    partitions: partitionsBetween(query.from, query.to, query.granularity),
    fromPeriod: periodOf(query.from, query.granularity),
    toPeriod: periodOf(query.to, query.granularity),
  });

  const buckets = new Map<string, { period: string; group: string; counters: Counters }>();
  for (const row of rows) {
    const values = row.group.split('|');
    const partOf = (d: (typeof dimensions)[number]) => values[plan.parts.indexOf(d)];
    if (plan.parts.some((d) => filters[d] !== undefined && partOf(d) !== filters[d])) continue;
    const group = query.groupBy === 'none' ? 'all' : (partOf(query.groupBy) ?? 'all');
    const key = `${row.period}\u0000${group}`;
    const bucket = buckets.get(key) ?? { period: row.period, group, counters: emptyCounters() };
    bucket.counters = addCounters(bucket.counters, row.counters);
    buckets.set(key, bucket);
  }
  return {
    metric: query.metric,
    from: query.from,
    to: query.to,
    granularity: query.granularity,
    groupBy: query.groupBy,
    buckets: [...buckets.values()]
      .sort((a, b) => a.period.localeCompare(b.period) || a.group.localeCompare(b.group))
      .map((b) => ({
        period: b.period,
        group: b.group,
        responses: b.counters.responses,
        ...scoreBucket(query.metric, b.counters),
      })),
  };
}
