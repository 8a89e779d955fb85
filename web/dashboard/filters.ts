/**
 * Which filters and breakdowns the dashboard offers together: the ones a rollup view can answer
 * (shared/domain/rollups.ts `planView`, the rule the scores API applies), so the API never
 * has to refuse a combination the page offered.
 */
import { type Dimension, dimensions, type Filters, planView } from '#shared/domain/rollups.ts';

export { type Dimension, dimensions, type Filters };

/** Whether setting `dimension` (to any value) keeps the totals answerable, given the other filters. */
export const filterAllowed = (dimension: Dimension, filters: Filters): boolean =>
  planView('none', { ...filters, [dimension]: filters[dimension] ?? '?' }) !== undefined;

/** Whether the split by channel can be read with these filters: alone, or within a store. */
export const channelsAllowed = (filters: Filters): boolean => planView('channel', filters) !== undefined;

/** Whether a breakdown by `dimension` can be read with these filters. */
export const breakdownAllowed = (dimension: Dimension, filters: Filters): boolean => planView(dimension, filters) !== undefined;

/** The breakdown to show: the one asked for when allowed, else the first allowed one. */
export function allowedBreakdown(wanted: Dimension, filters: Filters): Dimension {
  if (breakdownAllowed(wanted, filters)) return wanted;
  return dimensions.find((d) => breakdownAllowed(d, filters)) ?? 'store';
}

/** Filters with the ones that cannot go together dropped, keeping the store and the earliest other one. */
export function answerableFilters(filters: Filters): Filters {
  const kept: Filters = {};
  for (const d of dimensions) {
    const value = filters[d];
    if (value !== undefined && value !== '' && filterAllowed(d, kept)) kept[d] = value;
  }
  return kept;
}
