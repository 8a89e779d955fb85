/** What the dashboard page (web/build.ts) tells the client about this installation: display names and targets, never tokens. */
import * as z from 'zod/mini';
import type { Locale, SurveyType, Targets } from '#shared/config/schema.ts';
import { localizedNameSchema, type NamedServiceType } from '#web/lib/service-types.ts';

export interface DashboardBootstrap {
  brand: string;
  defaultLocale: Locale;
  stores: { id: string; name: string }[];
  departments: { id: string; name: string }[];
  /** Service types with a survey plan, their names if the config gives them, and which survey their visits get. */
  serviceTypes: (NamedServiceType & { survey: SurveyType })[];
  targets: Targets;
  /** Below this many answers a score is shown as "not enough data". */
  minResponses: number;
  /** What resolving an alert records, by id and name (closures by resolution). */
  resolutions: { id: string; name: Record<Locale, string> }[];
}

export const BOOTSTRAP_ELEMENT_ID = 'dashboard-bootstrap';

const named = z.array(z.object({ id: z.string(), name: z.string() }));
const surveyType = z.enum(['nps', 'csat', 'ces']);
const target = z.object({ green: z.number(), amber: z.number() });
const bootstrapSchema = z.object({
  brand: z.string(),
  defaultLocale: z.enum(['zh-CN', 'en']),
  stores: named,
  departments: named,
  serviceTypes: z.array(z.object({ id: z.string(), survey: surveyType, name: z.optional(localizedNameSchema) })),
  targets: z.object({ nps: target, csat: target, ces: target }),
  minResponses: z.number(),
  resolutions: z.array(z.object({ id: z.string(), name: localizedNameSchema })),
}) satisfies z.ZodMiniType<DashboardBootstrap>;

/** The JSON the page carries in `<script type="application/json" id="dashboard-bootstrap">`. */
export function readBootstrap(document: Document): DashboardBootstrap {
  const text = document.getElementById(BOOTSTRAP_ELEMENT_ID)?.textContent ?? '';
  const parsed = bootstrapSchema.safeParse(JSON.parse(text || 'null'));
  if (!parsed.success) throw new Error('the page carries no valid dashboard configuration');
  return parsed.data;
}
