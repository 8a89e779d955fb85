/** The ClosedLoop API as the dashboard reads it: the viewer's own token, every answer parsed. */
import * as z from 'zod/mini';
import type { SurveyType } from '#shared/config/schema.ts';

const num = z.number();
const rate = z.nullable(z.number());
/** The survey types, here rather than from the config schema, which would bring the whole of zod into the page. */
export const metrics = ['nps', 'csat', 'ces'] as const satisfies readonly SurveyType[];
const surveyType = z.enum(metrics);

export const scoresSchema = z.object({
  metric: surveyType,
  buckets: z.array(
    z.object({
      period: z.string(),
      group: z.string(),
      responses: num,
      score: num,
      enoughData: z.boolean(),
      promoters: z.optional(num),
      passives: z.optional(num),
      detractors: z.optional(num),
      marginOfError: z.optional(num),
      satisfied: z.optional(num),
      dissatisfied: z.optional(num),
      easy: z.optional(num),
      difficult: z.optional(num),
      easyPercent: z.optional(num),
    }),
  ),
});
export type ScoreBucket = z.infer<typeof scoresSchema>['buckets'][number];

export const responsesSchema = z.object({
  responses: z.array(
    z.object({
      surveyId: z.string(),
      surveyType,
      score: num,
      sentiment: z.enum(['promoter', 'passive', 'detractor']),
      comment: z.optional(z.string()),
      storeId: z.string(),
      departmentId: z.optional(z.string()),
      advisorId: z.optional(z.string()),
      serviceType: z.string(),
      visitDate: z.string(),
      answeredAt: z.string(),
      channel: z.string(),
      flags: z.optional(z.array(z.string())),
    }),
  ),
  nextCursor: z.optional(z.string()),
});
export type Verbatim = z.infer<typeof responsesSchema>['responses'][number];

export const funnelSchema = z.object({
  buckets: z.array(
    z.object({
      period: z.string(),
      group: z.string(),
      visits: num,
      sent: num,
      answered: num,
      suppressed: z.record(z.string(), num),
      suppressedTotal: num,
    }),
  ),
});
export type FunnelBucket = z.infer<typeof funnelSchema>['buckets'][number];

const share = z.object({
  surveyed: num,
  returned: num,
  rate,
  low: num,
  high: num,
  enoughData: z.boolean(),
});
export const retentionSchema = z.object({
  metric: surveyType,
  horizonDays: num,
  horizons: z.array(num),
  minResponses: num,
  segments: z.record(z.string(), num),
  segmentMoves: z.object({ since: z.string(), moves: z.record(z.string(), z.object({ in: num, out: num })) }),
  buckets: z.array(
    z.object({
      period: z.string(),
      group: z.string(),
      complete: z.boolean(),
      matureOn: z.string(),
      classes: z.array(z.extend(share, { class: z.string() })),
      detractors: z.object({ recovered: share, notRecovered: share }),
      difference: rate,
      verdict: z.enum(['more', 'less', 'unclear', 'not_enough_data']),
    }),
  ),
});
export type RetentionShare = z.infer<typeof share>;
export type RetentionAnswer = z.infer<typeof retentionSchema>;
export type RetentionBucket = z.infer<typeof retentionSchema>['buckets'][number];

const loopFigures = {
  raised: num,
  open: num,
  followedUp: num,
  resolved: num,
  escalated: num,
  followUpRate: rate,
  closedLoopRate: rate,
  medianMinutesToFirstContact: rate,
  withinSlaRate: rate,
  recoveryDecided: num,
  recovered: num,
  recoveryRate: rate,
};
const closures = z.object({ byRootCause: z.record(z.string(), num), byResolution: z.record(z.string(), num) });
export const closedLoopSchema = z.object({
  overall: z.object({ ...loopFigures, closures }),
  groups: z.array(z.object({ period: z.string(), group: z.string(), ...loopFigures, closures })),
  classifier: z.object({
    judged: num,
    confirmedRate: rate,
    byCategory: z.array(z.object({ category: z.string(), classified: num, confirmed: num, precision: rate })),
  }),
});
export type LoopFigures = z.infer<typeof closedLoopSchema>['overall'];

export const alertsSchema = z.object({
  alerts: z.array(
    z.object({
      id: z.string(),
      departmentId: z.string(),
      status: z.string(),
      priority: z.string(),
      surveyType,
      score: num,
      comment: z.optional(z.string()),
      storeId: z.string(),
      advisorId: z.optional(z.string()),
      serviceType: z.string(),
      createdAt: z.string(),
      dueAt: z.string(),
      escalated: z.boolean(),
    }),
  ),
});
export type OpenAlert = z.infer<typeof alertsSchema>['alerts'][number];

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** An answer other than 2xx: its status and the API's own code and message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export const queryString = (query: Query) =>
  new URLSearchParams(
    Object.entries(query).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)]])),
  ).toString();

/** How a page calls the API: fetch with the signed-in person's access token (web/auth/session.ts). */
export type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

/** An API answer parsed by its schema; anything but 2xx rejects with the API's own code and message. */
export async function answerOf<T>(response: Response, schema: z.ZodMiniType<T>, what: string): Promise<T> {
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = errorSchema.safeParse(body);
    throw parsed.success
      ? new ApiError(response.status, parsed.data.error.code, parsed.data.error.message)
      : new ApiError(response.status, 'http_error', response.statusText || `HTTP ${response.status}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(response.status, 'unexpected_answer', `unexpected answer from ${what}`);
  return parsed.data;
}

/** GETs one API path as the signed-in person and parses the answer; aborting (a newer load started) rejects with AbortError. */
export async function getJson<T>(
  path: string,
  query: Query,
  schema: z.ZodMiniType<T>,
  fetcher: Fetcher,
  signal: AbortSignal,
): Promise<T> {
  // Relative to the page, so the dashboard also works under an API stage or base path.
  return answerOf(await fetcher(`${path}?${queryString(query)}`, { signal }), schema, path);
}
const proportionTest = z.object({
  k: num,
  n: num,
  share: num,
  peers: z.object({ k: num, n: num, share: num }),
  pValue: z.nullable(num),
  fired: z.boolean(),
  why: z.string(),
});
export const integritySchema = z.object({
  groupBy: z.enum(['store', 'advisor']),
  brand: z.object({ visits: num, contactShare: num }),
  groups: z.array(
    z.object({
      group: z.string(),
      visits: num,
      coverage: num,
      contact: z.object({ noPhone: num, invalidPhone: num, sharedPhone: num, staffPhone: num, share: num, test: proportionTest }),
      answers: z.object({
        responses: num,
        web: num,
        fast: num,
        storeNetwork: num,
        sharedDevice: num,
        perfectStreak: num,
        flagged: num,
      }),
      topScores: z.object({ count: num, share: num, test: proportionTest }),
      signals: z.array(z.object({ signal: z.string(), why: z.string() })),
    }),
  ),
});
export type IntegrityGroup = z.infer<typeof integritySchema>['groups'][number];
