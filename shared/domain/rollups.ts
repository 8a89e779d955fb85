/**
 * Rollups: which buckets a fact adds to, and which view answers a query. A bucket is keyed by
 * family (a survey type, or `funnel`), granularity, view, period and group; its counters are
 * plain sums, so a batch of facts folds into one increment per bucket.
 */
import type { SurveyType } from '#shared/config/schema.ts';
import { type Granularity, granularities, periodOf } from './periods.ts';
import { type ContactFlag, isTopScore } from './integrity.ts';
import type { ReachChannel } from './reach.ts';
import type { ScoredResponse, SuppressionReason } from './records.ts';
import { type Counters, countersFor } from './scoring.ts';

export const dimensions = ['store', 'department', 'advisor', 'serviceType'] as const;
export type Dimension = (typeof dimensions)[number];
/**
 * What answers can also be grouped by, beside the dimensions: the caller who took a call-back's
 * answer (their sub), so the integrity tests read callers against their peers as they read advisors.
 * Only call answers have one; it is no filter of the scores and no breakdown of the dashboard.
 * And the channel a survey reached its customer by (DESIGN §8): the scores and the funnel split by
 * it and filter by it, alone or within a store.
 */
export type GroupDimension = Dimension | 'caller' | 'channel';
/** What a rollup query can filter by: the dimensions and the channel. */
export const filterDimensions = [...dimensions, 'channel'] as const;

/** Where a visit or an answer belongs: what every view groups by. */
export interface VisitDimensions {
  storeId: string;
  departmentId?: string | undefined;
  advisorId?: string | undefined;
  serviceType?: string | undefined;
  /** The visit's date in the store's time zone: the period it counts in. */
  visitDate: string;
  /** A call-back's answer: who took it. */
  caller?: { sub: string } | undefined;
  /**
   * The channel the survey went out by (its reach), on what a channel counts: a send, an answer.
   * A visit step has none: a visit is counted before any channel is chosen, and a suppressed one never has one.
   */
  reach?: ReachChannel | undefined;
}

const dimensionValue = (v: VisitDimensions, d: Dimension) =>
  d === 'store' ? v.storeId : d === 'department' ? v.departmentId : d === 'advisor' ? v.advisorId : v.serviceType;

/** Single dimensions, plus each dimension within a store (what a store manager filters by). */
const compoundViews = ['department', 'advisor', 'serviceType'] as const;
export const viewNames = ['all', ...dimensions, ...compoundViews.map((d) => `store+${d}`), 'channel', 'store+channel'] as const;

export interface RollupView {
  view: string;
  group: string;
}

export function rollupViewsOf(v: VisitDimensions): RollupView[] {
  const views: RollupView[] = [{ view: 'all', group: 'all' }];
  for (const d of dimensions) {
    const value = dimensionValue(v, d);
    if (value) views.push({ view: d, group: value });
  }
  for (const d of compoundViews) {
    const value = dimensionValue(v, d);
    if (value) views.push({ view: `store+${d}`, group: `${v.storeId}|${value}` });
  }
  if (v.caller) {
    views.push({ view: 'caller', group: v.caller.sub }, { view: 'store+caller', group: `${v.storeId}|${v.caller.sub}` });
  }
  if (v.reach) {
    views.push({ view: 'channel', group: v.reach }, { view: 'store+channel', group: `${v.storeId}|${v.reach}` });
  }
  return views;
}

const isChannelView = (view: string) => view === 'channel' || view === 'store+channel';

/**
 * The channel an answer counts under: its survey's reach, the channel it went out by, so that a
 * channel's answers meet its sends in one bucket (a link text or a WeChat notice answered on the web
 * form counts under link or wechat, not "web"). An answer without a recorded reach (imported history,
 * answers from before reach was recorded) counts under the channel its answer came by: a text reply
 * under sms, a call-back under call, a web-form answer under link (the form is opened from a link).
 */
export function reachOfAnswer(response: Pick<ScoredResponse, 'reach' | 'channel'>): ReachChannel {
  return response.reach ?? (response.channel === 'web' ? 'link' : response.channel);
}

/** The survey funnel of a visit: surveyed or suppressed, sent, answered. */
export type FunnelStep = 'visit' | 'sent' | 'answered';

/** What a rollup counts: a scored answer, or one step of a visit through the survey funnel. */
export type RollupFact =
  | { kind: 'scored'; response: ScoredResponse }
  | {
      kind: 'funnel';
      steps: FunnelStep[];
      suppressed?: SuppressionReason | undefined;
      /** On the visit step: the visit's contact quality; later, a flag a call-back added (`wrong_number`). */
      contactFlags?: ContactFlag[] | undefined;
      /** A flag added later to a visit already counted contact-flagged: only the flag's own count moves. */
      alreadyFlagged?: boolean | undefined;
      /**
       * A survey that moved on to its next channel went out again: that channel counts it sent, in the
       * channel views only (the survey was counted sent once, by its first channel, everywhere else).
       */
      resent?: boolean | undefined;
      visit: VisitDimensions;
    }
  /** A kept answer's flags changed (a streak decided later): its flagged counts move, nothing else. */
  | { kind: 'reflagged'; before: ScoredResponse; after: ScoredResponse };

/** `retention`: cohort buckets (shared/domain/retention.ts), written by the retention store, read like the rest. */
export type RollupFamily = SurveyType | 'funnel' | 'retention';
export type RollupCounters = Record<string, number>;

export interface RollupKey {
  family: RollupFamily;
  granularity: Granularity;
  view: string;
  period: string;
  group: string;
}

export interface RollupIncrement {
  key: RollupKey;
  counters: RollupCounters;
}

export const suppressedCounter = (reason: SuppressionReason) => `suppressed_${reason}`;
/** Per flag, how many answers (score families) or visits (funnel) carry it. */
export const flagCounter = (flag: string) => `flag_${flag}`;
/** The same counts as the score's, over flagged answers only: the score without them is a subtraction. */
export const flaggedCounter = (name: keyof Counters) => `flagged${name[0]?.toUpperCase()}${name.slice(1)}`;

function scoredCounters(response: ScoredResponse): RollupCounters {
  const counts = countersFor(response.surveyType, response.score);
  const counters: RollupCounters = { ...counts };
  if (isTopScore(response.surveyType, response.score)) counters.topScores = 1;
  if (response.channel === 'web') counters.webResponses = 1;
  if (response.flags?.length) {
    for (const [name, n] of Object.entries(counts)) counters[flaggedCounter(name as keyof Counters)] = n;
    for (const flag of response.flags) counters[flagCounter(flag)] = 1;
  }
  return counters;
}

/** What `after` counts that `before` did not, and the reverse as negatives; equal counts left out. */
function difference(after: RollupCounters, before: RollupCounters): RollupCounters {
  const counters: RollupCounters = {};
  for (const name of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const n = (after[name] ?? 0) - (before[name] ?? 0);
    if (n !== 0) counters[name] = n;
  }
  return counters;
}

function countersOf(fact: RollupFact): RollupCounters {
  if (fact.kind === 'scored') return scoredCounters(fact.response);
  if (fact.kind === 'reflagged') return difference(scoredCounters(fact.after), scoredCounters(fact.before));
  const counters: RollupCounters = {};
  for (const step of fact.steps) counters[step === 'visit' ? 'visits' : step] = 1;
  if (fact.suppressed) {
    counters.suppressed = 1;
    counters[suppressedCounter(fact.suppressed)] = 1;
  }
  if (fact.contactFlags?.length) {
    if (!fact.alreadyFlagged) counters.contactFlagged = 1;
    for (const flag of fact.contactFlags) counters[flagCounter(flag)] = 1;
  }
  return counters;
}

/**
 * What a funnel fact counts in a channel view: what went out by the channel and what came back by
 * it, so each channel's response rate is its own answered ÷ sent. A visit, its suppression and its
 * contact quality belong to the visit, before or beside any channel, and count in no channel view.
 */
function channelCounters(counters: RollupCounters): RollupCounters {
  const counted: RollupCounters = {};
  for (const name of ['sent', 'answered']) if (counters[name]) counted[name] = counters[name];
  return counted;
}

/** Every bucket one fact adds to: each view at each granularity. */
export function rollupIncrementsOf(fact: RollupFact): RollupIncrement[] {
  const dims =
    fact.kind === 'scored'
      ? { ...fact.response, reach: reachOfAnswer(fact.response) }
      : fact.kind === 'reflagged'
        ? { ...fact.after, reach: reachOfAnswer(fact.after) }
        : fact.visit;
  const family: RollupFamily =
    fact.kind === 'funnel' ? 'funnel' : fact.kind === 'scored' ? fact.response.surveyType : fact.after.surveyType;
  const counters = countersOf(fact);
  const countersIn = (view: string) => {
    if (fact.kind !== 'funnel') return counters;
    if (isChannelView(view)) return channelCounters(counters);
    return fact.resent ? {} : counters;
  };
  const views = rollupViewsOf(dims).flatMap(({ view, group }) => {
    const counted = countersIn(view);
    return Object.keys(counted).length ? [{ view, group, counters: counted }] : [];
  });
  return granularities.flatMap((granularity) => {
    const period = periodOf(dims.visitDate, granularity);
    return views.map(({ view, group, counters }) => ({ key: { family, granularity, view, period, group }, counters }));
  });
}

const rollupKeyId = (k: RollupKey) => `${k.family}#${k.granularity}#${k.view}#${k.period}#${k.group}`;

/** A batch of facts folded into one increment per bucket, in a stable order. */
export function foldIncrements(facts: RollupFact[]): RollupIncrement[] {
  const sums = new Map<string, RollupIncrement>();
  for (const fact of facts) {
    for (const { key, counters } of rollupIncrementsOf(fact)) {
      const id = rollupKeyId(key);
      const sum = sums.get(id) ?? { key, counters: {} };
      for (const [name, n] of Object.entries(counters)) sum.counters[name] = (sum.counters[name] ?? 0) + n;
      sums.set(id, sum);
    }
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, increment]) => increment);
}

export type Filters = Partial<Record<GroupDimension, string>>;

export interface ViewPlan {
  view: string;
  /** Which part of a row's group is each dimension's value. */
  parts: GroupDimension[];
}

/** The one view that can answer a groupBy with these filters, or undefined if none can. */
export function planView(groupBy: GroupDimension | 'none', filters: Filters): ViewPlan | undefined {
  const needed = new Set<GroupDimension>(filterDimensions.filter((d) => filters[d] !== undefined));
  if (groupBy !== 'none') needed.add(groupBy);
  if (needed.size === 0) return { view: 'all', parts: [] };
  if (needed.size === 1) {
    const [only] = [...needed] as [GroupDimension];
    return { view: only, parts: [only] };
  }
  if (needed.size === 2 && needed.has('store')) {
    const [other] = [...needed].filter((d) => d !== 'store') as [GroupDimension];
    return { view: `store+${other}`, parts: ['store', other] };
  }
  return undefined;
}
