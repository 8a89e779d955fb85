/** Reads that cover the chosen range exactly (see `exactSegments`), with the chosen filters. */
import type { SurveyType } from '#shared/config/schema.ts';
import { type FunnelBucket, funnelSchema, type ScoreBucket, scoresSchema } from './api.ts';
import { type Context, filterQuery } from './context.ts';
import type { Dimension } from './filters.ts';
import { exactSegments } from './ranges.ts';

export async function scoresOverRange(
  ctx: Context,
  metric: SurveyType,
  groupBy: Dimension | 'none',
  signal: AbortSignal,
  range: { from: string; to: string } = ctx.state,
  /** `{ excludeFlagged: 'true' }`: the buckets' counts without flagged answers. */
  options: Record<string, string> = {},
): Promise<ScoreBucket[]> {
  const { from, to } = range;
  const { filters } = ctx.state;
  const answers = await Promise.all(
    exactSegments(from, to).map((s) =>
      ctx.get('v1/scores', { metric, groupBy, ...s, ...filterQuery(filters), ...options }, scoresSchema, signal),
    ),
  );
  return answers.flatMap((a) => a.buckets);
}

export async function funnelOverRange(
  ctx: Context,
  groupBy: Dimension | 'channel' | 'none',
  signal: AbortSignal,
): Promise<FunnelBucket[]> {
  const { from, to, filters } = ctx.state;
  const answers = await Promise.all(
    exactSegments(from, to).map((s) => ctx.get('v1/funnel', { groupBy, ...s, ...filterQuery(filters) }, funnelSchema, signal)),
  );
  return answers.flatMap((a) => a.buckets);
}
