import * as z from '#shared/zod.ts';
import { surveyTypes } from '#shared/config/schema.ts';
import { type ProportionTest, twoProportionTest } from '#shared/domain/integrity.ts';
import { flagCounter, flaggedCounter, type RollupCounters, type RollupFamily } from '#shared/domain/rollups.ts';
import type { Deps } from './deps.ts';
import type { Identity } from './identity.ts';
import { scopeToIdentity } from './identity.ts';
import { type RollupQueryParams, readBuckets, refineRange, rollupQueryFields } from './rollup-query.ts';

export const integrityQuerySchema = refineRange(
  z.object({
    from: rollupQueryFields.from,
    to: rollupQueryFields.to,
    granularity: rollupQueryFields.granularity,
    /**
     * store: each store against the brand. advisor: each advisor against the other advisors in scope
     * (with storeId: that store's). caller: each caller of the call-backs against the other callers,
     * on the answers they took (a caller whose answers are all top scores is a signal, as an advisor's is).
     */
    groupBy: z._default(z.enum(['store', 'advisor', 'caller']), 'store'),
    storeId: rollupQueryFields.storeId,
    departmentId: rollupQueryFields.departmentId,
  }),
);
export type IntegrityQuery = z.infer<typeof integrityQuerySchema>;

const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10);

type Totals = { funnel: RollupCounters; answers: RollupCounters };
const add = (into: RollupCounters, from: RollupCounters) => {
  for (const [name, n] of Object.entries(from)) into[name] = (into[name] ?? 0) + n;
};

/** Every period's counters of each group, summed over the range and (for answers) the three survey types. */
async function totalsByGroup(deps: Pick<Deps, 'rollups'>, query: RollupQueryParams): Promise<Map<string, Totals>> {
  const families: RollupFamily[] = ['funnel', ...surveyTypes];
  const reads = await Promise.all(families.map((family) => readBuckets(deps, family, query)));
  const groups = new Map<string, Totals>();
  reads.forEach((buckets, i) => {
    for (const { group, counters } of buckets) {
      const totals = groups.get(group) ?? { funnel: {}, answers: {} };
      add(families[i] === 'funnel' ? totals.funnel : totals.answers, counters);
      groups.set(group, totals);
    }
  });
  return groups;
}

const minus = (a: RollupCounters, b: RollupCounters, name: string) => (a[name] ?? 0) - (b[name] ?? 0);

/**
 * Integrity signals per store or advisor, from the rollups' counters only (no scan: a few
 * bucket reads per family): contact quality, timing and origin of web answers, and the shares
 * of top scores and suppressed visits tested against the peers. Each comes with its n, its
 * peers and why it fired; none is a verdict, and no answer is left out of any score.
 */
export async function queryIntegrity(deps: Pick<Deps, 'rollups' | 'config'>, identity: Identity, query: IntegrityQuery) {
  const scoped = scopeToIdentity(identity, query, 'integrity signals');
  const { minN, maxPValue, fastAnswerMinutes, streakLength } = deps.config.integrity;
  const test = (group: { k: number; n: number }, peers: { k: number; n: number }) =>
    twoProportionTest(group, peers, { minN, maxPValue });
  const base = { ...scoped, groupBy: scoped.groupBy };
  const [groups, scope, brand] = await Promise.all([
    totalsByGroup(deps, base),
    totalsByGroup(deps, { ...base, groupBy: 'none' }),
    // The brand's contact quality, for each group to be read against (within the caller's department).
    totalsByGroup(deps, { ...base, groupBy: 'none', storeId: undefined }),
  ]);
  const all = scope.get('all') ?? { funnel: {}, answers: {} };
  const brandFunnel = brand.get('all')?.funnel ?? {};

  return {
    from: scoped.from,
    to: scoped.to,
    groupBy: scoped.groupBy,
    ...(scoped.storeId ? { storeId: scoped.storeId } : {}),
    settings: { minN, maxPValue, fastAnswerMinutes, streakLength },
    brand: {
      visits: brandFunnel.visits ?? 0,
      contactShare: percent(brandFunnel.contactFlagged ?? 0, brandFunnel.visits ?? 0),
    },
    groups: [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, { funnel, answers }]) => {
        const visits = funnel.visits ?? 0;
        const suppressed = funnel.suppressed ?? 0;
        const responses = answers.responses ?? 0;
        const contact = test(
          { k: funnel.contactFlagged ?? 0, n: visits },
          { k: minus(all.funnel, funnel, 'contactFlagged'), n: minus(all.funnel, funnel, 'visits') },
        );
        const suppression = test(
          { k: suppressed, n: visits },
          { k: minus(all.funnel, funnel, 'suppressed'), n: minus(all.funnel, funnel, 'visits') },
        );
        const topScores = test(
          { k: answers.topScores ?? 0, n: responses },
          { k: minus(all.answers, answers, 'topScores'), n: minus(all.answers, answers, 'responses') },
        );
        const flag = (name: string, counters: RollupCounters) => counters[flagCounter(name)] ?? 0;
        const answerSignals = {
          web: answers.webResponses ?? 0,
          fast: flag('fast_answer', answers),
          storeNetwork: flag('store_network', answers),
          sharedDevice: flag('shared_device', answers),
          perfectStreak: flag('perfect_streak', answers),
          sharedPhone: flag('shared_phone', answers),
          staffPhone: flag('staff_phone', answers),
        };
        return {
          group,
          visits,
          sent: funnel.sent ?? 0,
          answered: funnel.answered ?? 0,
          /** Visits surveyed, of all visits (%): what suppression leaves. */
          coverage: percent(visits - suppressed, visits),
          contact: {
            noPhone: flag('no_phone', funnel),
            invalidPhone: flag('invalid_phone', funnel),
            sharedPhone: flag('shared_phone', funnel),
            staffPhone: flag('staff_phone', funnel),
            wrongNumber: flag('wrong_number', funnel),
            flagged: funnel.contactFlagged ?? 0,
            share: percent(funnel.contactFlagged ?? 0, visits),
            brandShare: percent(brandFunnel.contactFlagged ?? 0, brandFunnel.visits ?? 0),
            test: contact,
          },
          suppression: { suppressed, share: percent(suppressed, visits), test: suppression },
          answers: {
            responses,
            ...answerSignals,
            flagged: answers[flaggedCounter('responses')] ?? 0,
            fastShare: percent(answerSignals.fast, answerSignals.web),
            storeNetworkShare: percent(answerSignals.storeNetwork, answerSignals.web),
          },
          topScores: { count: answers.topScores ?? 0, share: percent(answers.topScores ?? 0, responses), test: topScores },
          signals: signalsOf({ contact, suppression, topScores }, answerSignals, streakLength),
        };
      }),
  };
}

/** What fired and why, in words a CX analyst reads next to the figures. */
function signalsOf(
  tests: { contact: ProportionTest; suppression: ProportionTest; topScores: ProportionTest },
  answers: { fast: number; storeNetwork: number; sharedDevice: number; perfectStreak: number },
  streakLength: number,
) {
  const signals: { signal: string; why: string }[] = [];
  if (tests.contact.fired)
    signals.push({ signal: 'contact_quality', why: `visits with no, invalid, shared or staff phone: ${tests.contact.why}` });
  if (tests.suppression.fired)
    signals.push({ signal: 'suppressed_visits', why: `visits not surveyed: ${tests.suppression.why}` });
  if (tests.topScores.fired) signals.push({ signal: 'top_scores', why: `top scores: ${tests.topScores.why}` });
  if (answers.fast) signals.push({ signal: 'fast_answers', why: `${answers.fast} web answers came within minutes of the visit` });
  if (answers.storeNetwork)
    signals.push({ signal: 'store_network', why: `${answers.storeNetwork} web answers came from the store's network` });
  if (answers.sharedDevice)
    signals.push({ signal: 'shared_device', why: `${answers.sharedDevice} web answers came from a device other customers used` });
  if (answers.perfectStreak) {
    signals.push({
      signal: 'perfect_streak',
      why: `${answers.perfectStreak} answers came in a run of ${streakLength} or more top scores`,
    });
  }
  return signals;
}
