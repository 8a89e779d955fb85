/** What every panel of the dashboard reads: the state the viewer chose, words, formats and names. */
import type { Locale, SurveyType } from '#shared/config/schema.ts';
import type { Granularity } from '#shared/domain/periods.ts';
import type { Sentiment } from '#shared/domain/scoring.ts';
import { ApiError, type getJson, type Query } from './api.ts';
import type { DashboardBootstrap } from './bootstrap.ts';
import type { Dimension, Filters } from './filters.ts';
import type { Formats, Translate } from './i18n.ts';
import type { Preset } from './ranges.ts';
import { serviceTypeName } from '#web/lib/service-types.ts';

export interface ViewState {
  metric: SurveyType;
  preset: Preset | 'custom';
  from: string;
  to: string;
  granularity: Granularity;
  filters: Filters;
  breakdown: Dimension;
  /** The breakdown row whose verbatims are shown, if one was opened. */
  drill: { dimension: Dimension; value: string } | undefined;
  sentiment: Sentiment | 'all';
  withComment: boolean;
}

export interface Context {
  boot: DashboardBootstrap;
  locale: Locale;
  t: Translate;
  f: Formats;
  state: Readonly<ViewState>;
  /** Changes the state; the panels whose inputs changed load again. */
  update(change: Partial<ViewState>): void;
  get<T>(path: string, query: Query, schema: Parameters<typeof getJson<T>>[2], signal: AbortSignal): Promise<T>;
  name(dimension: Dimension, id: string): string;
}

/** Display names from the config: stores, departments, service types in the viewer's language; advisors by id. */
export function namer(boot: DashboardBootstrap, locale: Locale, t: Translate) {
  const stores = new Map(boot.stores.map((s) => [s.id, s.name]));
  const departments = new Map(boot.departments.map((d) => [d.id, d.name]));
  return (dimension: Dimension, id: string): string => {
    if (id === 'all') return t('total');
    if (id === '' || id === 'none') return t('unknownGroup');
    switch (dimension) {
      case 'store':
        return stores.get(id) ?? id;
      case 'department':
        return departments.get(id) ?? id;
      case 'serviceType':
        return serviceTypeName(boot.serviceTypes, locale, id);
      case 'advisor':
        return id;
    }
  };
}

/** The filters as API query parameters. */
export const filterQuery = (filters: Filters): Query => ({
  storeId: filters.store,
  departmentId: filters.department,
  advisorId: filters.advisor,
  serviceType: filters.serviceType,
});

export const isForbidden = (error: unknown) => error instanceof ApiError && error.status === 403;
export const isUnauthorized = (error: unknown) => error instanceof ApiError && error.status === 401;
export const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';
