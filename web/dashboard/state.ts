/** The view state in the address (after #), so a reload or a shared link shows the same view. */
import { granularities } from '#shared/domain/periods.ts';
import { metrics } from './api.ts';
import type { ViewState } from './context.ts';
import { answerableFilters, allowedBreakdown, type Dimension, dimensions, type Filters } from './filters.ts';
import { type Preset, presetRange, presets, rangeProblem } from './ranges.ts';

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined => values.find((v) => v === value);

export function defaultState(today: string): ViewState {
  return {
    metric: 'nps',
    preset: '30d',
    ...presetRange('30d', today),
    granularity: 'week',
    filters: {},
    breakdown: 'store',
    drill: undefined,
    sentiment: 'all',
    withComment: true,
  };
}

export function stateToHash(s: ViewState): string {
  const params = new URLSearchParams({ metric: s.metric, granularity: s.granularity, by: s.breakdown });
  if (s.preset === 'custom') {
    params.set('from', s.from);
    params.set('to', s.to);
  } else params.set('range', s.preset);
  for (const d of dimensions) {
    const value = s.filters[d];
    if (value) params.set(d, value);
  }
  if (s.drill) params.set('drill', `${s.drill.dimension}:${s.drill.value}`);
  if (s.sentiment !== 'all') params.set('sentiment', s.sentiment);
  if (!s.withComment) params.set('comments', 'any');
  return params.toString();
}

/** The state a hash describes; anything missing or invalid keeps its default. */
export function stateFromHash(hash: string, today: string): ViewState {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const s = defaultState(today);
  s.metric = oneOf(metrics, p.get('metric')) ?? s.metric;
  s.granularity = oneOf(granularities, p.get('granularity')) ?? s.granularity;
  const preset = oneOf<Preset>(presets, p.get('range'));
  const from = p.get('from') ?? '';
  const to = p.get('to') ?? '';
  if (preset) Object.assign(s, { preset }, presetRange(preset, today));
  else if (!rangeProblem(from, to)) Object.assign(s, { preset: 'custom', from, to });
  const filters: Filters = {};
  for (const d of dimensions) {
    const value = p.get(d);
    if (value) filters[d] = value;
  }
  s.filters = answerableFilters(filters);
  s.breakdown = allowedBreakdown(oneOf<Dimension>(dimensions, p.get('by')) ?? s.breakdown, s.filters);
  const [dimension, ...rest] = (p.get('drill') ?? '').split(':');
  const drillOn = oneOf<Dimension>(dimensions, dimension ?? null);
  if (drillOn && rest.length) s.drill = { dimension: drillOn, value: rest.join(':') };
  s.sentiment = oneOf(['detractor', 'passive', 'promoter'] as const, p.get('sentiment')) ?? 'all';
  s.withComment = p.get('comments') !== 'any';
  return s;
}
