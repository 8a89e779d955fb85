/** Service types as people read them: the config's name for each (`surveyPlans[].name`) in the page's language. */
import * as z from 'zod/mini';
import type { Locale } from '#shared/config/schema.ts';

export interface NamedServiceType {
  id: string;
  /** Absent when the config names none: the page shows the id. */
  name?: Record<Locale, string> | undefined;
}

/** How a page's bootstrap carries the names. */
export const localizedNameSchema = z.object({ 'zh-CN': z.string(), en: z.string() });

export const serviceTypeName = (serviceTypes: readonly NamedServiceType[], locale: Locale, id: string) =>
  serviceTypes.find((s) => s.id === id)?.name?.[locale] ?? id;
