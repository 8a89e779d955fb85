import * as z from '#shared/zod.ts';
import { renderMessage } from '#shared/domain/messages.ts';
import { isQuiet, nextSendableTime } from '#shared/domain/quiet-hours.ts';
import type { Survey } from '#shared/domain/records.ts';
import type { SurveyTimerMessage } from '#shared/ports.ts';
import { addMs, type Deps, HOUR, TIMER_LEASE_MS } from './deps.ts';
import { resurvey } from './recovery.ts';

export const surveyTimerMessageSchema = z.object({
  surveyId: z.string().check(z.minLength(1)),
  action: z.enum(['send', 'remind', 'expire', 'close', 'resurvey']),
  at: z.iso.datetime(),
});

type TimerDeps = Pick<Deps, 'config' | 'clock' | 'surveys' | 'queues' | 'sms' | 'vault' | 'publicBaseUrl'>;

function webSurveyLink(deps: TimerDeps, survey: Survey): string | undefined {
  if (!survey.webTokenCipher || !deps.publicBaseUrl) return undefined;
  return `${deps.publicBaseUrl.replace(/\/$/, '')}/s/${deps.vault.decrypt(survey.webTokenCipher)}`;
}

/**
 * Runs one fired survey timer. A timer that no longer matches the survey (already run,
 * replaced by an answer) is stale and does nothing, so redeliveries are harmless. `sent`: the
 * survey's question (`send`) or reminder (`remind`) went out as a text.
 */
export async function runSurveyTimer(
  deps: TimerDeps,
  message: SurveyTimerMessage,
): Promise<'sent' | 'done' | 'stale' | 'deferred'> {
  const survey = await deps.surveys.get(message.surveyId);
  if (!survey?.timer || survey.timer.action !== message.action || survey.timer.at !== message.at) return 'stale';
  switch (message.action) {
    case 'send':
      return sendSurveyText(deps, survey, 'question');
    case 'remind':
      return sendSurveyText(deps, survey, 'reminder');
    case 'expire':
      await deps.surveys.update(survey.id, { status: 'expired', timer: null }, { status: 'awaiting_score', timerAt: message.at });
      return 'done';
    case 'close':
      return closeConversation(deps, survey);
    case 'resurvey':
      await resurvey(deps, survey);
      return 'done';
  }
}

async function sendSurveyText(deps: TimerDeps, survey: Survey, step: 'question' | 'reminder') {
  const { config, clock, surveys } = deps;
  const expected = step === 'question' ? 'scheduled' : 'awaiting_score';
  if (survey.status !== expected || !survey.timer) return 'stale';
  const store = config.stores.find((s) => s.id === survey.storeId);
  const timerAt = survey.timer.at;
  if (!store) {
    await surveys.update(survey.id, { status: 'expired', timer: null }, { status: expected, timerAt });
    return 'done';
  }
  const now = clock.now();
  if (await surveys.isOptedOut(survey.phoneHash)) {
    await surveys.update(survey.id, { status: 'opted_out', timer: null }, { status: expected, timerAt });
    return 'done';
  }
  // Quiet hours are the customer's: their own time zone if the visit gave one, else the store's.
  const timeZone = survey.timezone ?? store.timezone;
  if (isQuiet(now, timeZone, config.quietHours)) {
    const later = nextSendableTime(now, timeZone, config.quietHours).toISOString();
    await surveys.update(survey.id, { timer: { action: survey.timer.action, at: later } }, { status: expected, timerAt });
    return 'deferred';
  }
  // Claim first (the lease keeps a parallel run away), send, then move to the next step:
  // a crash after the send may repeat one text, but never skips or loses the survey.
  const link = (store.smsMode ?? config.smsMode) === 'link' ? webSurveyLink(deps, survey) : undefined;
  const body = renderMessage(
    config.brand,
    survey.locale,
    link ? (step === 'question' ? 'question_link' : 'reminder_link') : step,
    {
      survey: survey.surveyType,
      storeName: store.name,
      customerName: survey.customerName,
      link,
    },
  );
  const { providerMessageId } = await deps.sms.send({ to: deps.vault.decrypt(survey.phoneCipher), body });
  const sentAt = now.toISOString();
  const lastMessage = providerMessageId ? { lastMessageId: providerMessageId } : {};
  const sentAtOriginal = survey.sentAt ?? sentAt;
  const expiry = addMs(sentAtOriginal, config.expiryHours * HOUR);
  const reminder = addMs(sentAtOriginal, config.reminder.afterHours * HOUR);
  const next =
    step === 'question' && reminder < expiry
      ? ({ action: 'remind', at: reminder } as const)
      : ({ action: 'expire', at: expiry } as const);
  await surveys.update(
    survey.id,
    step === 'question'
      ? { status: 'awaiting_score', sentAt, timer: next, ...lastMessage }
      : { remindedAt: sentAt, timer: next, ...lastMessage },
    { status: expected, timerAt },
  );
  return 'sent';
}

/** The why-question went unanswered (or the answer still needs scoring): end and hand to the scorer. */
async function closeConversation(deps: TimerDeps, survey: Survey) {
  const now = deps.clock.now().toISOString();
  if (survey.status === 'awaiting_reason' && survey.timer && survey.timer.at > now) {
    // Fired early by its lease: the why-question is still open, but the score must be recorded.
    await deps.queues.responseUpdated(survey.id);
    await deps.surveys.update(survey.id, { timer: survey.timer }, { status: 'awaiting_reason', timerAt: survey.timer.at });
    return 'deferred';
  }
  if (survey.status === 'awaiting_reason') {
    const closed = await deps.surveys.update(
      survey.id,
      { status: 'completed', endedAt: now, timer: { action: 'close', at: now } },
      { status: 'awaiting_reason', timerAt: survey.timer?.at, leaseUntil: addMs(now, TIMER_LEASE_MS) },
    );
    if (!closed) return 'stale';
  } else if (survey.status !== 'completed') {
    return 'stale';
  }
  await deps.queues.responseUpdated(survey.id);
  return 'done';
}
