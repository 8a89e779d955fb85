import { randomUUID } from 'node:crypto';
import { nextSendableTime } from '#shared/domain/quiet-hours.ts';
import { type Alert, CLOSEDLOOP, type Survey } from '#shared/domain/records.ts';
import { isDetractor, isRecovered } from '#shared/domain/scoring.ts';
import { addMs, type Deps, HOUR, TIMER_LEASE_MS } from './deps.ts';
import { markCohortRecovered } from './track-retention.ts';
import { hashWebSurveyToken, newWebSurveyToken } from './web-survey.ts';

const DAY = 24 * HOUR;

/** When an alert is resolved, its survey's customer is asked again after `recovery.resurveyAfterHours`. */
export async function planResurvey(deps: Pick<Deps, 'config' | 'clock' | 'surveys'>, surveyId: string) {
  const survey = await deps.surveys.get(surveyId);
  // One follow-up per detractor answer: a re-survey is not re-surveyed again.
  if (!survey || survey.recoveryOf || survey.recoveryDecidedAt || survey.timer) return false;
  const at = addMs(deps.clock.now(), deps.config.recovery.resurveyAfterHours * HOUR);
  return deps.surveys.update(survey.id, { timer: { action: 'resurvey', at } }, { status: 'completed' });
}

/**
 * The re-survey itself: a new survey of the same type for the same customer and store,
 * subject to opt-out, throttle and quiet hours like any other. Throttled, it tries again a
 * day later; opted out, it is dropped.
 */
export async function resurvey(deps: Pick<Deps, 'config' | 'clock' | 'surveys' | 'queues' | 'vault'>, original: Survey) {
  const { config, clock, surveys } = deps;
  const store = config.stores.find((s) => s.id === original.storeId);
  const timerAt = original.timer?.at;
  if (!store) return surveys.update(original.id, { timer: null }, { status: 'completed', timerAt });
  const now = clock.now();
  const sendAt = nextSendableTime(now, original.timezone ?? store.timezone, config.quietHours).toISOString();
  const dueNow = sendAt <= now.toISOString();
  const webToken = newWebSurveyToken();
  const follow: Survey = {
    ...original,
    id: `sv_${randomUUID().replaceAll('-', '')}`,
    eventId: `${original.eventId}#recovery`,
    status: 'scheduled',
    createdAt: now.toISOString(),
    sendAt,
    sentAt: undefined,
    remindedAt: undefined,
    reasked: undefined,
    score: undefined,
    scoredAt: undefined,
    reason: undefined,
    endedAt: undefined,
    alertsRaisedAt: undefined,
    alertIds: undefined,
    channel: undefined,
    // The re-survey takes the store's reach afresh: not the channel the first one ended on, nor its caller.
    reach: undefined,
    movedFrom: undefined,
    channelSentAt: undefined,
    caller: undefined,
    suppressedAs: undefined,
    recoveryDecidedAt: undefined,
    recoveryOf: original.id,
    webTokenCipher: deps.vault.encrypt(webToken),
    timer: { action: 'send', at: sendAt },
  };
  const outcome = await surveys.createSurvey(follow, {
    throttleSince: addMs(now, -config.throttleDays * DAY),
    leaseUntil: dueNow ? addMs(now, TIMER_LEASE_MS) : undefined,
    webTokenHash: hashWebSurveyToken(webToken),
  });
  if (outcome.kind === 'suppressed' && outcome.reason === 'throttled') {
    return surveys.update(original.id, { timer: { action: 'resurvey', at: addMs(now, DAY) } }, { status: 'completed', timerAt });
  }
  await surveys.update(original.id, { timer: null }, { status: 'completed', timerAt });
  if (outcome.kind === 'created' && dueNow) await deps.queues.surveyTimer({ surveyId: follow.id, action: 'send', at: sendAt });
  return outcome.kind === 'created';
}

/**
 * A customer's next answer after a resolved alert decides whether the detractor recovered:
 * 7+ for NPS, 4+ for CSAT, 5+ for CES. Decided once per earlier detractor answer. When the answer
 * is that detractor's re-survey and a detractor's answer again, the loop did not close: each of its
 * resolved cases reopens (reopenCase) instead of only counting "not recovered".
 */
export async function decideRecovery(
  deps: Pick<Deps, 'config' | 'clock' | 'surveys' | 'alerts' | 'retention' | 'queues'>,
  answer: Survey & { score: number },
) {
  const earlier = (await deps.surveys.latestForPhone(answer.phoneHash, 10)).filter(
    (s) => s.id !== answer.id && s.alertIds?.length && !s.recoveryDecidedAt && s.createdAt < answer.createdAt,
  );
  const now = deps.clock.now().toISOString();
  let decided = 0;
  for (const detractor of earlier) {
    // A case this answer already reopened (before a crash) still counts as decided by it.
    const alerts = (await Promise.all((detractor.alertIds ?? []).map((id) => deps.alerts.get(id)))).filter(
      (a): a is Alert =>
        (a?.status === 'resolved' && (a.resolvedAt ?? '') <= (answer.scoredAt ?? now)) || a?.reopened?.surveyId === answer.id,
    );
    if (alerts.length === 0) continue;
    const recovered = isRecovered(answer.surveyType, answer.score);
    const reopen = answer.recoveryOf === detractor.id && isDetractor(answer.surveyType, answer.score);
    for (const alert of alerts) {
      // Reopened by this very answer: resolved again since then is that reopening's outcome, not a new one.
      if (alert.status !== 'resolved' || alert.reopened?.surveyId === answer.id) continue;
      if (reopen) await reopenCase(deps, alert, answer);
      else await deps.alerts.update(alert.id, { recovered, recoverySurveyId: answer.id }, { status: ['resolved'] });
    }
    // Before the decision is kept: a crash in between decides again, and the cohort counts once.
    if (recovered) await markCohortRecovered(deps, detractor.phoneHash, detractor.id);
    await deps.surveys.update(detractor.id, { recoveryDecidedAt: now }, { status: detractor.status });
    decided++;
  }
  return decided;
}

/**
 * A failed recovery reopens the case: status `reopened`, the re-survey's score and words beside
 * the first answer's, a new SLA from now, and round `reopen-N`, which delivers it again to its
 * department and, as an escalation does, to the default department (`alert.reopened` on every
 * channel). It is then worked and resolved like any case; its customer is not re-surveyed again.
 */
export async function reopenCase(
  deps: Pick<Deps, 'config' | 'clock' | 'alerts' | 'queues'>,
  alert: Alert,
  answer: Survey & { score: number },
) {
  const now = deps.clock.now().toISOString();
  const department = deps.config.departments.find((d) => d.id === alert.departmentId);
  const round = `reopen-${alert.actions.filter((a) => a.action === 'reopened').length + 1}`;
  // Reopened with its delivery timer leased: if the queue send below is lost, the sweeper resends.
  const reopened = await deps.alerts.reopen(
    alert,
    {
      status: 'reopened',
      recovered: false,
      recoverySurveyId: answer.id,
      reopened: { at: now, surveyId: answer.id, score: answer.score, comment: answer.reason },
      round,
      dueAt: addMs(now, (department?.slaHours ?? 24) * HOUR),
      timer: { action: 'deliver', at: now },
    },
    { action: 'reopened', at: now, by: CLOSEDLOOP },
    addMs(now, TIMER_LEASE_MS),
  );
  if (reopened) await deps.queues.alertDelivery(alert.departmentId, { alertId: alert.id, round, at: now });
  return reopened;
}
