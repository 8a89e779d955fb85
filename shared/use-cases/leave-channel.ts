import { nextChannel, type ReachChannel, reachOf, surveyReachability } from '#shared/domain/reach.ts';
import type { Survey } from '#shared/domain/records.ts';
import type { SurveyChanges } from '#shared/ports.ts';
import { addMs, type Deps, TIMER_LEASE_MS } from './deps.ts';

/** Why a survey leaves its channel: it expired unanswered there, or the channel could not reach the customer. */
export type Departure = 'expired' | 'failed';

/**
 * A survey leaves the channel it is on: it goes to its store's next usable channel once, to be
 * sent at once by the timer (quiet hours and caps are the send step's), or it ends. A survey whose
 * channel failed before anything went out ends suppressed `no_channel` (the funnel counts it);
 * one that expired unanswered simply expires. `expect` is what the survey must still be for this
 * write (its status, and its timer when a timer fired): false when it moved meanwhile.
 */
export async function leaveChannel(
  deps: Pick<Deps, 'config' | 'clock' | 'surveys' | 'queues'>,
  survey: Survey,
  from: ReachChannel,
  why: Departure,
  expect: { status: Survey['status']; timerAt?: string | undefined },
): Promise<'moved' | 'ended' | 'stale'> {
  const store = deps.config.stores.find((s) => s.id === survey.storeId);
  const next = store
    ? nextChannel(reachOf(store, deps.config), { ...survey, reach: from }, surveyReachability(survey))
    : undefined;
  if (!next) {
    const unreached = why === 'failed' && survey.sentAt === undefined;
    const ended: SurveyChanges = {
      status: 'expired',
      reach: from,
      timer: null,
      ...(unreached ? { suppressedAs: 'no_channel' } : {}),
    };
    return (await deps.surveys.update(survey.id, ended, expect)) ? 'ended' : 'stale';
  }
  const now = deps.clock.now().toISOString();
  const moved = await deps.surveys.update(
    survey.id,
    { status: 'scheduled', reach: next, movedFrom: from, timer: { action: 'send', at: now } },
    { ...expect, leaseUntil: addMs(now, TIMER_LEASE_MS) },
  );
  // Written first: if this send is lost, the sweeper fires the timer when the lease ends.
  if (moved) await deps.queues.surveyTimer({ surveyId: survey.id, action: 'send', at: now });
  return moved ? 'moved' : 'stale';
}
