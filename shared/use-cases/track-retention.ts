import { type Cohort, retentionClassOf, returnMarker, returnsDue } from '#shared/domain/retention.ts';
import type { Survey } from '#shared/domain/records.ts';
import { rfmOf, segmentOf } from '#shared/domain/rfm.ts';
import type { CustomerHistory, CustomerTimerMessage, CustomerVisitChange } from '#shared/ports.ts';
import type { Deps } from './deps.ts';
import { isBackAfterTask, keepCustomerTimer, timerChange, watchCustomer } from './retention-tasks.ts';

type RetentionDeps = Pick<Deps, 'config' | 'retention'>;

/** A write that lost a race with another (a visit and an answer at once) reads again; a few rounds settle it. */
const ATTEMPTS = 4;
/** Customers noted one by one at a time, where many are (DynamoDB serves requests in parallel). */
const SINGLE_VISITS_IN_FLIGHT = 16;

/**
 * Counts every return the customer's history shows and has not counted yet: each answered
 * cohort, each horizon, once. Called when an answer is kept and when a visit arrives, so it is
 * exact whichever comes first (the historical import brings them in any order).
 */
export async function countReturns(deps: RetentionDeps, phoneHash: string): Promise<number> {
  return (await countReturnsOf(deps, phoneHash)).counted;
}

/** countReturns, and the history it read last when it wrote nothing after (still current, so the caller need not read it again). */
async function countReturnsOf(deps: RetentionDeps, phoneHash: string) {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const history = await deps.retention.history(phoneHash);
    const due = history ? returnsDue(history, deps.config.retention.horizonDays) : [];
    if (due.length === 0) return { counted: 0, current: history };
    // All in one write, or, when one was counted meanwhile, none: read again.
    if (await deps.retention.countReturns(phoneHash, due)) return { counted: due.length, current: undefined };
  }
  return { counted: 0, current: undefined };
}

export const cohortOf = (survey: Survey & { score: number }): Cohort => ({
  surveyId: survey.id,
  storeId: survey.storeId,
  month: survey.visitDate.slice(0, 7),
  metric: survey.surveyType,
  class: retentionClassOf(survey.surveyType, survey.score),
  visitAt: survey.visitAt,
  answeredAt: survey.scoredAt ?? survey.createdAt,
});

/**
 * A visit in the customer's history: every return it makes counts, the customer's RFM segment is
 * worked out again and moved, and their timer (recency, at risk) starts again from this visit.
 */
export async function noteVisit(deps: RetentionDeps & Pick<Deps, 'clock' | 'alerts' | 'queues'>, phoneHash: string) {
  const { counted: returned, current } = await countReturnsOf(deps, phoneHash);
  const history = await refreshSegment(deps, phoneHash, current);
  // The silence clock starts again, and a customer who had a retention task is back.
  if (history) await watchCustomer(deps, phoneHash, history);
  return { returned, segment: history?.segment };
}

/**
 * noteVisit for many customers at once (an import slice): their histories in one read, then every
 * return, segment move and timer worked out from them and written together in a few requests.
 * A customer whose history changed in between (an answer scored, a live visit) goes the single
 * way, which reads again; so does closing a task of a customer back after one, which is rare.
 */
export async function noteVisits(deps: RetentionDeps & Pick<Deps, 'clock' | 'alerts' | 'queues'>, phoneHashes: string[]) {
  const { config } = deps;
  const now = deps.clock.now();
  const month = now.toISOString().slice(0, 7);
  const histories = await deps.retention.histories(phoneHashes);
  const changes: CustomerVisitChange[] = [];
  const back: [string, CustomerHistory][] = [];
  for (const [phoneHash, history] of histories) {
    const segment = segmentOf(rfmOf(history.value, now, config.retention.rfm));
    const backAfterTask = isBackAfterTask(config, history);
    if (backAfterTask) back.push([phoneHash, { ...history, segment }]);
    changes.push({
      phoneHash,
      returns: returnsDue(history, config.retention.horizonDays),
      segment: segment === history.segment ? undefined : { from: history.segment, to: segment, month },
      // watchCustomer sets the timer once the task is closed.
      timer: backAfterTask ? undefined : timerChange(config, history, now),
    });
  }
  const stale = await deps.retention.applyVisitChanges(changes);
  await inFlight([...stale], (phoneHash) => noteVisit(deps, phoneHash));
  await inFlight(
    back.filter(([phoneHash]) => !stale.has(phoneHash)),
    ([phoneHash, history]) => watchCustomer(deps, phoneHash, history),
  );
}

async function inFlight<T>(items: T[], work: (item: T) => Promise<unknown>) {
  for (let start = 0; start < items.length; start += SINGLE_VISITS_IN_FLIGHT) {
    await Promise.all(items.slice(start, start + SINGLE_VISITS_IN_FLIGHT).map(work));
  }
}

/**
 * The customer's segment as of now, moved once between the counters (its old one down, the new
 * one up, and the month's ins and outs); answers the history with the segment it now holds.
 */
async function refreshSegment(deps: RetentionDeps & Pick<Deps, 'clock'>, phoneHash: string, read?: CustomerHistory) {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    // A history just read is used once: a lost race reads again.
    const history = attempt === 0 && read ? read : await deps.retention.history(phoneHash);
    if (!history) return undefined;
    const now = deps.clock.now();
    const segment = segmentOf(rfmOf(history.value, now, deps.config.retention.rfm));
    if (segment === history.segment) return history;
    const month = now.toISOString().slice(0, 7);
    if (await deps.retention.moveSegment(phoneHash, history.segment, segment, month)) return { ...history, segment };
  }
  return deps.retention.history(phoneHash);
}

/**
 * A quiet customer's silence passed a recency cut point: their segment moves (a loyal customer
 * becomes at risk, one at risk hibernating…) with no visit to move it, and the next timer is set.
 */
export async function reviewSegment(
  deps: RetentionDeps & Pick<Deps, 'clock' | 'alerts' | 'queues'>,
  message: CustomerTimerMessage,
): Promise<'moved' | 'stale'> {
  const before = await deps.retention.history(message.phoneHash);
  if (before?.timer?.action !== message.action || before.timer.at !== message.at) return 'stale';
  const history = await refreshSegment(deps, message.phoneHash);
  if (history) await keepCustomerTimer(deps, message.phoneHash, history);
  return 'moved';
}

/**
 * An answered survey joins its cohort: `surveyed` once per horizon, and returned at once when a
 * later visit is already in the history. A re-survey after a resolved alert is no visit of its
 * own and joins no cohort; a survey without a phone (imported) has no history to return to.
 */
export async function joinCohort(deps: RetentionDeps, survey: Survey & { score: number }) {
  if (survey.recoveryOf || !survey.phoneHash) return { joined: false, returned: 0 };
  const joined = await deps.retention.addCohort(survey.phoneHash, cohortOf(survey), deps.config.retention.horizonDays);
  return { joined, returned: await countReturns(deps, survey.phoneHash) };
}

/**
 * joinCohort for many answers (a scorer's batch): the customers' histories in one read, each
 * customer's cohort added in a shared write, and then, read again, every return due counted in
 * another (a visit noted between the two sees the cohort, as with joinCohort). A customer whose
 * write lost a race, or with a second answer in the batch, goes the single way, which reads again.
 */
export async function joinCohorts(deps: RetentionDeps, surveys: readonly (Survey & { score: number })[]) {
  const horizons = deps.config.retention.horizonDays;
  const first = new Map<string, Survey & { score: number }>();
  const single: (Survey & { score: number })[] = [];
  for (const survey of surveys) {
    if (survey.recoveryOf || !survey.phoneHash) continue;
    if (first.has(survey.phoneHash)) single.push(survey);
    else first.set(survey.phoneHash, survey);
  }
  const before = await deps.retention.histories([...first.keys()]);
  const adding = [...before].flatMap(([phoneHash, history]) => {
    const survey = first.get(phoneHash);
    return survey && !history.cohorts.some((c) => c.surveyId === survey.id) ? [{ phoneHash, cohort: cohortOf(survey) }] : [];
  });
  const added = await deps.retention.addCohorts(adding, horizons);
  for (const { phoneHash } of adding) {
    const survey = first.get(phoneHash);
    if (!added.has(phoneHash) && survey) single.push(survey);
  }
  const raced = new Set(single.map((s) => s.phoneHash));
  const counting = [...before.keys()].filter((phoneHash) => !raced.has(phoneHash));
  const after = await deps.retention.histories(counting);
  const changes = [...after].map(([phoneHash, history]) => ({ phoneHash, returns: returnsDue(history, horizons) }));
  const stale = await deps.retention.applyVisitChanges(changes);
  await inFlight([...stale], (phoneHash) => countReturns(deps, phoneHash));
  // One after another: a customer's answers here would only race each other.
  for (const survey of single) await joinCohort(deps, survey);
}

/** A detractor recovered (after a resolved alert): their cohort counts them recovered, once. */
export async function markCohortRecovered(deps: RetentionDeps, phoneHash: string, surveyId: string) {
  const horizons = deps.config.retention.horizonDays;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const history = await deps.retention.history(phoneHash);
    const cohort = history?.cohorts.find((c) => c.surveyId === surveyId);
    if (!history || !cohort || cohort.recovered) return false;
    const counted = horizons.filter((h) => history.counted.has(returnMarker(surveyId, h)));
    if (await deps.retention.markRecovered(phoneHash, cohort, counted, horizons)) return true;
  }
  return false;
}
