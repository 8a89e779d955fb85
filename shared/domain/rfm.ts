/**
 * RFM: each customer's recency, frequency and monetary scores (1–5) from their visit history, and
 * the segment they fall in. Fixed cut points from config (`retention.rfm`), so a score means the
 * same thing in every store and every month.
 */
import type { RollupIncrement } from './rollups.ts';

export const segments = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'at_risk',
  'cant_lose',
  'hibernating',
  'lost',
] as const;
export type Segment = (typeof segments)[number];

export interface RfmCutPoints {
  /** Days since the last visit, ascending: within the first → R5, the second → R4, … beyond the last → R1. */
  recencyDays: readonly [number, number, number, number];
  /** Visits, ascending: at least the last → F5, … fewer than the first → F1. */
  visits: readonly [number, number, number, number];
  /** Spend, ascending, in the stores' currency: at least the last → M5, … below the first → M1. */
  spend: readonly [number, number, number, number];
}

export interface Rfm {
  r: number;
  f: number;
  m: number;
}

const DAY_MS = 86_400_000;

/** 5 for the best value, 1 for the worst, against four ascending cut points. */
const atLeast = (value: number, cuts: readonly number[]) => 1 + cuts.filter((c) => value >= c).length;
const within = (value: number, cuts: readonly number[]) => 5 - cuts.filter((c) => value > c).length;

export function rfmOf(
  customer: { visits: number; spend: number; lastVisitAt?: string | undefined },
  now: Date,
  cuts: RfmCutPoints,
): Rfm {
  const days =
    customer.lastVisitAt === undefined ? Number.POSITIVE_INFINITY : (now.getTime() - Date.parse(customer.lastVisitAt)) / DAY_MS;
  return {
    r: within(Math.max(0, days), cuts.recencyDays),
    f: atLeast(customer.visits, cuts.visits),
    m: atLeast(customer.spend, cuts.spend),
  };
}

/**
 * The segment, by the first rule that matches (they overlap, so order decides): a frequent,
 * big-spending customer gone quiet is `cant_lose` before `at_risk`; a recent one-visit customer
 * is `new` before `potential_loyalists`.
 */
const rules: [Segment, (s: Rfm) => boolean][] = [
  ['champions', ({ r, f, m }) => r >= 4 && f >= 4 && m >= 4],
  ['loyal', ({ r, f, m }) => r >= 3 && f >= 3 && m >= 3],
  ['cant_lose', ({ r, f, m }) => r <= 2 && f >= 4 && m >= 4],
  ['at_risk', ({ r, f, m }) => r <= 2 && f >= 3 && m >= 3],
  ['new', ({ r, f }) => r >= 4 && f === 1],
  ['potential_loyalists', ({ r }) => r >= 3],
  ['hibernating', ({ r }) => r === 2],
];

export function segmentOf(score: Rfm): Segment {
  return rules.find(([, matches]) => matches(score))?.[0] ?? 'lost';
}

/**
 * Customers per segment are counters spread over a few items (the view `segments-<shard>`, a
 * customer's shard fixed by their phone hash), so no single item takes every customer's move.
 */
export const SEGMENT_SHARDS = 8;
export const segmentView = (shard: number) => `segments-${shard}`;
/** A month's moves between segments, spread the same way: `in_<segment>` and `out_<segment>` counters. */
export const segmentMovesView = (shard: number) => `segment-moves-${shard}`;
export const segmentMoveCounters = (from: Segment | undefined, to: Segment): Record<string, number> => ({
  [`in_${to}`]: 1,
  ...(from ? { [`out_${from}`]: 1 } : {}),
});
export function segmentShard(phoneHash: string): number {
  let sum = 0;
  for (const ch of phoneHash) sum = (sum + ch.charCodeAt(0)) % 65_521;
  return sum % SEGMENT_SHARDS;
}

/** A customer's move in the counters: their old segment down, the new one up, and `month`'s ins and outs. */
export function segmentMoveIncrements(
  phoneHash: string,
  from: Segment | undefined,
  to: Segment,
  month: string,
): RollupIncrement[] {
  const shard = segmentShard(phoneHash);
  const key = { family: 'retention', granularity: 'month', view: segmentView(shard), period: 'all', group: 'customers' } as const;
  return [
    { key, counters: { [to]: 1, ...(from ? { [from]: -1 } : {}) } },
    { key: { ...key, view: segmentMovesView(shard), period: month }, counters: segmentMoveCounters(from, to) },
  ];
}

/** A loyal customer in the at-risk sense of DESIGN §5: frequent and valuable, whatever their recency. */
export const isLoyal = ({ f, m }: Rfm) => f >= 3 && m >= 3;

/**
 * When a customer's silence raises a retention task: `afterDays` after their last visit, for a
 * loyal customer only (F and M do not depend on the day they are read, so this is known at the visit).
 */
export function atRiskAt(
  customer: { visits: number; spend: number; lastVisitAt?: string | undefined },
  cuts: RfmCutPoints,
  afterDays: number,
): string | undefined {
  if (customer.lastVisitAt === undefined) return undefined;
  if (!isLoyal(rfmOf(customer, new Date(customer.lastVisitAt), cuts))) return undefined;
  return new Date(Date.parse(customer.lastVisitAt) + afterDays * DAY_MS).toISOString();
}

/** The customer's first visit after a task was raised, and whether it came soon enough to count them won back. */
export function returnAfter(visits: readonly string[], raisedAt: string, wonBackDays: number) {
  const visitAt = visits.filter((v) => v > raisedAt).sort()[0];
  if (visitAt === undefined) return undefined;
  return { visitAt, wonBack: Date.parse(visitAt) - Date.parse(raisedAt) <= wonBackDays * DAY_MS };
}

/**
 * The next instant after `now` at which the customer's R score drops (their silence passes a
 * recency cut point), if any is left: what keeps a quiet customer's segment true without a scan.
 */
export function nextRecencyChange(lastVisitAt: string, now: Date, cuts: RfmCutPoints): string | undefined {
  const last = Date.parse(lastVisitAt);
  // R drops once the days since the visit exceed a cut point: one millisecond past it.
  const at = cuts.recencyDays.map((c) => last + c * DAY_MS + 1).find((t) => t > now.getTime());
  return at === undefined ? undefined : new Date(at).toISOString();
}
