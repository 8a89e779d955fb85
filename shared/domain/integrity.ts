/**
 * Integrity signals: what can make a score bend without anyone changing an answer. Flags are
 * decided once, when a visit is taken in (contact quality) or an answer recorded (timing,
 * origin, streaks); they are kept on the answer and counted beside it, never instead of it.
 */
import type { SurveyType } from '#shared/config/schema.ts';
import { scales } from './scoring.ts';

/**
 * Decided at ingestion, from the visit's phone number; `wrong_number` later, when a call-back
 * reached someone who was not the customer.
 */
export const contactFlags = ['no_phone', 'invalid_phone', 'shared_phone', 'staff_phone', 'wrong_number'] as const;
export type ContactFlag = (typeof contactFlags)[number];

/** Decided when the answer is recorded. */
export const answerFlags = ['fast_answer', 'store_network', 'shared_device', 'perfect_streak'] as const;
export type AnswerFlag = (typeof answerFlags)[number];

export const integrityFlags = [...contactFlags, ...answerFlags] as const;
export type IntegrityFlag = ContactFlag | AnswerFlag;

export interface PhoneFacts {
  /** What the visit gave: nothing, something that is not a phone number, or a valid number. */
  phone: 'none' | 'invalid' | 'valid';
  /** Other customers' ids already seen on this number. */
  otherCustomers: number;
  isStaffPhone: boolean;
}

/** Contact quality of one visit: no, invalid, shared or staff phone. */
export function contactFlagsOf(facts: PhoneFacts): ContactFlag[] {
  if (facts.phone === 'none') return ['no_phone'];
  if (facts.phone === 'invalid') return ['invalid_phone'];
  const flags: ContactFlag[] = [];
  if (facts.otherCustomers > 0) flags.push('shared_phone');
  if (facts.isStaffPhone) flags.push('staff_phone');
  return flags;
}

/**
 * The contact flags an answer carries: a shared or a staff phone puts in doubt who answered.
 * A visit with no or an invalid phone is not surveyed live; history imported without phones
 * keeps that on the visit, not on the answer.
 */
export const answerContactFlags = (flags: readonly ContactFlag[]) =>
  flags.filter((f) => f === 'shared_phone' || f === 'staff_phone');

export interface WebAnswerFacts {
  visitAt: string;
  answeredAt: string;
  fastAnswerMinutes: number;
  fromStoreNetwork: boolean;
  /** Other customers who answered from the same device before. */
  otherCustomersOnDevice: number;
}

/** Timing and origin of one web answer. */
export function webAnswerFlagsOf(facts: WebAnswerFacts): AnswerFlag[] {
  const flags: AnswerFlag[] = [];
  const minutes = (Date.parse(facts.answeredAt) - Date.parse(facts.visitAt)) / 60_000;
  if (minutes <= facts.fastAnswerMinutes) flags.push('fast_answer');
  if (facts.fromStoreNetwork) flags.push('store_network');
  if (facts.otherCustomersOnDevice > 0) flags.push('shared_device');
  return flags;
}

/** The scale's best score: NPS 10, CSAT 5, CES 7. */
export const isTopScore = (survey: SurveyType, score: number) => score === scales[survey].max;

/** One answer in its advisor's streak, placed by answer time (`at`), with the flag it carries now. */
export interface StreakPlace {
  at: string;
  top: boolean;
  flagged: boolean;
}

/**
 * Which answers' `perfect_streak` flags change once new answers have joined an advisor's
 * streak. An answer is flagged when it and the `length − 1` answers before it, by answer time,
 * are all top scores: a new answer can change only itself and the `length − 1` answers after
 * it. So `before` is the `length − 1` answers preceding the first new one (oldest first), and
 * `range` runs from the first new answer to `length − 1` answers past the last; what comes out
 * depends on which answers there are, never on the order they arrived or were scored in.
 */
export function streakFlagChanges<T extends StreakPlace>(
  before: readonly Pick<StreakPlace, 'top'>[],
  range: readonly T[],
  length: number,
): { place: T; flagged: boolean }[] {
  let run = 0;
  for (const place of before) run = place.top ? run + 1 : 0;
  const changes: { place: T; flagged: boolean }[] = [];
  for (const place of range) {
    run = place.top ? run + 1 : 0;
    const flagged = run >= length;
    if (flagged !== place.flagged) changes.push({ place, flagged });
  }
  return changes;
}

/** Flags in one stable order, each once (what is stored and shown). */
export const sortFlags = (flags: readonly IntegrityFlag[]): IntegrityFlag[] => integrityFlags.filter((f) => flags.includes(f));

/**
 * The upper tail of the standard normal, P(Z ≥ z), from erfc (W. J. Cody's rational
 * approximation as in Numerical Recipes' erfcc, relative error below 1.2e-7): a dozen lines
 * instead of a statistics package in every bundle that shows a p-value.
 */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

export interface ProportionTest {
  /** The group's successes and trials. */
  k: number;
  n: number;
  share: number;
  peers: { k: number; n: number; share: number };
  z: number | null;
  /** One-sided: the chance of a share this far above the peers' if both were the same. */
  pValue: number | null;
  fired: boolean;
  why: string;
}

const share = (k: number, n: number) => (n === 0 ? 0 : k / n);
const round = (x: number, digits: number) => Number(x.toPrecision(digits));

/**
 * Two-proportion z-test (pooled), one-sided: is the group's share above its peers' more than
 * chance would make it? Below `minN` trials on either side no test is run and nothing fires.
 */
export function twoProportionTest(
  group: { k: number; n: number },
  peers: { k: number; n: number },
  options: { minN: number; maxPValue: number },
): ProportionTest {
  const base = {
    k: group.k,
    n: group.n,
    share: share(group.k, group.n),
    peers: { ...peers, share: share(peers.k, peers.n) },
  };
  if (group.n < options.minN || peers.n < options.minN) {
    return {
      ...base,
      z: null,
      pValue: null,
      fired: false,
      why: `not tested: fewer than ${options.minN} in the group or its peers`,
    };
  }
  const pooled = (group.k + peers.k) / (group.n + peers.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / group.n + 1 / peers.n));
  const diff = base.share - base.peers.share;
  const z = se === 0 ? 0 : diff / se;
  const pValue = se === 0 ? 1 : normalUpperTail(z);
  const fired = pValue < options.maxPValue;
  const percent = (x: number) => `${Math.round(x * 1000) / 10}%`;
  const why = fired
    ? `${percent(base.share)} of ${group.n} against ${percent(base.peers.share)} of ${peers.n} for its peers (p = ${round(pValue, 2)} < ${options.maxPValue})`
    : `within what chance explains (p = ${round(pValue, 2)})`;
  return { ...base, z: round(z, 4), pValue: round(pValue, 4), fired, why };
}
