/** Which rollup buckets an answer adds to, and which view answers a scores query. */
import type { RollupView } from '#shared/ports.ts';
import type { ScoredResponse } from './records.ts';

export const dimensions = ['store', 'department', 'advisor', 'serviceType'] as const;
export type Dimension = (typeof dimensions)[number];

const dimensionValue = (r: ScoredResponse, d: Dimension) =>
  d === 'store' ? r.storeId : d === 'department' ? r.departmentId : d === 'advisor' ? r.advisorId : r.serviceType;

/** Single dimensions, plus each dimension within a store (what a store manager filters by). */
const compoundViews = ['department', 'advisor', 'serviceType'] as const;
export const viewNames = ['all', ...dimensions, ...compoundViews.map((d) => `store+${d}`)] as const;

export function rollupViewsOf(r: ScoredResponse): RollupView[] {
  const views: RollupView[] = [{ view: 'all', group: 'all' }];
  for (const d of dimensions) {
    const value = dimensionValue(r, d);
    if (value) views.push({ view: d, group: value });
  }
  for (const d of compoundViews) {
    const value = dimensionValue(r, d);
    if (value) views.push({ view: `store+${d}`, group: `${r.storeId}|${value}` });
  }
  return views;
}

export type Filters = Partial<Record<Dimension, string>>;

export interface ViewPlan {
  view: string;
  /** Which part of a row's group is each dimension's value. */
  parts: Dimension[];
}

/** The one view that can answer a groupBy with these filters, or undefined if none can. */
export function planView(groupBy: Dimension | 'none', filters: Filters): ViewPlan | undefined {
  const needed = new Set<Dimension>(dimensions.filter((d) => filters[d] !== undefined));
  if (groupBy !== 'none') needed.add(groupBy);
  if (needed.size === 0) return { view: 'all', parts: [] };
  if (needed.size === 1) {
    const [only] = [...needed] as [Dimension];
    return { view: only, parts: [only] };
  }
  if (needed.size === 2 && needed.has('store')) {
    const [other] = [...needed].filter((d) => d !== 'store') as [Dimension];
    return { view: `store+${other}`, parts: ['store', other] };
  }
  return undefined;
}
