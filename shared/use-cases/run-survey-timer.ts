import * as z from '#shared/zod.ts';
import { composeMessage } from '#shared/domain/messages.ts';
import { isQuiet, nextSendableTime } from '#shared/domain/quiet-hours.ts';
import { firstChannel, type ReachChannel, reachOf, surveyReachability } from '#shared/domain/reach.ts';
import type { Survey } from '#shared/domain/records.ts';
import type { SurveyTimerMessage } from '#shared/ports.ts';
import { allowText, type QuotaDeps } from './allow-text.ts';
import { addMs, type Deps, HOUR, TIMER_LEASE_MS } from './deps.ts';
import { leaveChannel } from './leave-channel.ts';
import { resurvey } from './recovery.ts';
import { webSurveyLink } from './web-survey.ts';

export const surveyTimerMessageSchema = z.object({
  surveyId: z.string().check(z.minLength(1)),
  action: z.enum(['send', 'remind', 'expire', 'close', 'resurvey']),
  at: z.iso.datetime(),
});

/**
 * How a survey goes out by a channel that is not a text: WeChat's template message, a call task.
 * `sent`: it is on its way (the survey then waits for its answer); `unreachable`: this channel
 * cannot reach the customer, and the survey moves to its next channel. A failure worth retrying throws.
 */
export type ChannelDispatch = (survey: Survey) => Promise<'sent' | 'unreachable'>;

type TimerDeps = Pick<Deps, 'config' | 'clock' | 'surveys' | 'queues' | 'sms' | 'vault' | 'publicBaseUrl'> &
  Pick<QuotaDeps, 'quota'> & {
    /** The channels beside SMS, wired by the function that runs the timers; a channel without one cannot reach anyone. */
    dispatch?: Partial<Record<'wechat' | 'call', ChannelDispatch>> | undefined;
    /** A channel whose work outlives the send (a call task): told when its survey expired there, so nobody works it on. */
    withdraw?: Partial<Record<'call', (survey: Survey) => Promise<void>>> | undefined;
  };

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
      return sendSurvey(deps, survey, 'question');
    case 'remind':
      return sendSurvey(deps, survey, 'reminder');
    case 'expire':
      return expireOrMove(deps, survey, message.at);
    case 'close':
      return closeConversation(deps, survey);
    case 'resurvey':
      await resurvey(deps, survey);
      return 'done';
  }
}

type Store = TimerDeps['config']['stores'][number];

/** The survey's channel: the one it is on, else the first its store's reach and its customer allow. */
function channelOf(deps: TimerDeps, survey: Survey, store: Store): ReachChannel | undefined {
  return survey.reach ?? firstChannel(reachOf(store, deps.config), surveyReachability(survey));
}

/**
 * The survey expired unanswered on its channel: it moves to its store's next channel once, sent
 * at once (quiet hours permitting), or it expires. A call task still open for it is withdrawn.
 */
async function expireOrMove(deps: TimerDeps, survey: Survey, timerAt: string) {
  const store = deps.config.stores.find((s) => s.id === survey.storeId);
  const current = store ? channelOf(deps, survey, store) : undefined;
  const expect = { status: 'awaiting_score' as const, timerAt };
  if (!current) {
    await deps.surveys.update(survey.id, { status: 'expired', timer: null }, expect);
    return 'done';
  }
  const left = await leaveChannel(deps, survey, current, 'expired', expect);
  if (left !== 'stale' && current === 'call') await deps.withdraw?.call?.(survey);
  return left === 'stale' ? 'stale' : 'done';
}

async function sendSurvey(deps: TimerDeps, survey: Survey, step: 'question' | 'reminder') {
  const { config, clock, surveys } = deps;
  const expected = step === 'question' ? 'scheduled' : 'awaiting_score';
  if (survey.status !== expected || !survey.timer) return 'stale';
  const store = config.stores.find((s) => s.id === survey.storeId);
  const timerAt = survey.timer.at;
  const channel = store ? channelOf(deps, survey, store) : undefined;
  if (!store || !channel) {
    // No channel of the store can reach this customer (its reach changed since the visit came in).
    const unreached = store && step === 'question' ? { suppressedAs: 'no_channel' as const } : {};
    await surveys.update(survey.id, { status: 'expired', timer: null, ...unreached }, { status: expected, timerAt });
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
  if (channel === 'wechat' || channel === 'call') {
    // Their own senders decide reminders and retries: a template message gets no reminder, a call task its attempts.
    if (step === 'reminder') {
      await surveys.update(survey.id, { timer: { action: 'expire', at: survey.timer.at } }, { status: expected, timerAt });
      return 'deferred';
    }
    const dispatch = deps.dispatch?.[channel];
    const outcome = dispatch ? await dispatch({ ...survey, reach: channel }) : 'unreachable';
    if (outcome === 'unreachable') {
      const left = await leaveChannel(deps, survey, channel, 'failed', { status: 'scheduled', timerAt });
      return left === 'moved' ? 'deferred' : left === 'stale' ? 'stale' : 'done';
    }
    const sentAt = now.toISOString();
    // A notice is sent now and waits for its answer until expiry. A call task is due within the
    // call-backs' SLA and sent when the first call is made; unanswered by its SLA and the expiry
    // after it, the survey moves on (the task is withdrawn).
    const expiresAt = addMs(sentAt, ((channel === 'call' ? config.callbacks.slaHours : 0) + config.expiryHours) * HOUR);
    await surveys.update(
      survey.id,
      {
        status: 'awaiting_score',
        reach: channel,
        ...(channel === 'call' ? {} : { sentAt: survey.sentAt ?? sentAt }),
        channelSentAt: sentAt,
        timer: { action: 'expire', at: expiresAt },
      },
      { status: expected, timerAt },
    );
    return 'sent';
  }
  // Claim first (the lease keeps a parallel run away), send, then move to the next step:
  // a crash after the send may repeat one text, but never skips or loses the survey.
  const link = channel === 'link' ? webSurveyLink(deps, survey) : undefined;
  const text = composeMessage(
    config,
    store,
    survey.locale,
    link ? (step === 'question' ? 'question_link' : 'reminder_link') : step,
    {
      survey: survey.surveyType,
      storeName: store.name,
      customerName: survey.customerName,
      link,
      short: config.sms.conversation === 'short',
    },
  );
  if (!text.ok) {
    // Never sent: a question is recorded suppressed (the funnel counts it), a reminder is skipped.
    if (step === 'reminder') {
      await surveys.update(
        survey.id,
        { timer: { action: 'expire', at: addMs(survey.channelSentAt ?? survey.sentAt ?? now, config.expiryHours * HOUR) } },
        { status: expected, timerAt },
      );
      return 'deferred';
    }
    await surveys.update(
      survey.id,
      { status: 'expired', reach: channel, suppressedAs: 'unregistered_template', timer: null },
      { status: expected, timerAt },
    );
    return 'done';
  }
  const allowance = await allowText(deps, survey.phoneHash, timeZone);
  if (!allowance.allowed) {
    // The number's texts for today are used up: the text waits for the customer's next day, or a
    // reminder that would come after its survey's expiry gives way to the expiry.
    const later = nextSendableTime(allowance.nextDay, timeZone, config.quietHours).toISOString();
    const expiry =
      step === 'reminder' ? addMs(survey.channelSentAt ?? survey.sentAt ?? now, config.expiryHours * HOUR) : undefined;
    const timer =
      expiry !== undefined && later >= expiry
        ? ({ action: 'expire', at: expiry } as const)
        : { action: survey.timer.action, at: later };
    await surveys.update(survey.id, { timer }, { status: expected, timerAt });
    return 'deferred';
  }
  const { providerMessageId } = await deps.sms.send({ to: deps.vault.decrypt(survey.phoneCipher), body: text.text });
  const sentAt = now.toISOString();
  const lastMessage = providerMessageId ? { lastMessageId: providerMessageId } : {};
  const sentAtOriginal = step === 'question' ? sentAt : (survey.channelSentAt ?? survey.sentAt ?? sentAt);
  const expiry = addMs(sentAtOriginal, config.expiryHours * HOUR);
  const reminder = addMs(sentAtOriginal, config.reminder.afterHours * HOUR);
  const next =
    step === 'question' && reminder < expiry
      ? ({ action: 'remind', at: reminder } as const)
      : ({ action: 'expire', at: expiry } as const);
  await surveys.update(
    survey.id,
    step === 'question'
      ? {
          status: 'awaiting_score',
          reach: channel,
          sentAt: survey.sentAt ?? sentAt,
          channelSentAt: sentAt,
          timer: next,
          ...lastMessage,
        }
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
