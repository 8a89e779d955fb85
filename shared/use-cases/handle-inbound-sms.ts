import * as z from '#shared/zod.ts';
import { composeMessage, type MessageStep } from '#shared/domain/messages.ts';
import { toE164 } from '#shared/domain/phone.ts';
import { keywordOf, parseScore, parseScoreAndReason } from '#shared/domain/reply-parser.ts';
import { isDetractor, scales } from '#shared/domain/scoring.ts';
import type { Survey } from '#shared/domain/records.ts';
import type { Locale } from '#shared/config/schema.ts';
import type { InboundRecord } from '#shared/ports.ts';
import { allowText, type QuotaDeps } from './allow-text.ts';
import { addMs, type Deps, MINUTE, TIMER_LEASE_MS } from './deps.ts';

/** Twilio's id of a message: SM (SMS) or MM (MMS) and 32 hex digits. */
export const twilioMessageSid = z.string().check(z.regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'a Twilio message SID (SM or MM + 32 hex)'));

/** The fields of Twilio's inbound message webhook this use case reads (the form has more; they are ignored). */
export const twilioInboundSchema = z.looseObject({
  MessageSid: twilioMessageSid,
  From: z.string().check(z.minLength(1), z.maxLength(64)),
  To: z.optional(z.string().check(z.maxLength(64))),
  Body: z.string().check(z.maxLength(1600)),
});

export interface InboundSms {
  /** Provider and its message id, e.g. twilio + MessageSid: a repeat is processed once. */
  provider: string;
  messageId: string;
  from: string;
  body: string;
}

const open: Survey['status'][] = ['awaiting_score', 'awaiting_reason'];

type InboundDeps = Pick<Deps, 'config' | 'clock' | 'surveys' | 'queues' | 'vault'> & Pick<QuotaDeps, 'quota'>;
type InboundOutcome = { reply?: string | undefined; duplicate?: boolean };
/** The survey changed between reading it and writing the step (its text marked sent, a reply taken): read again. */
const CHANGED = Symbol('survey changed');
const ATTEMPTS = 5;

/**
 * One step of an SMS conversation. Returns the reply to send back, if any. When several
 * surveys are open for one phone (two cars, two stores), the reply goes to the most recent.
 * A survey that changes under the step is read again: what the customer sent is never dropped.
 */
export async function handleInboundSms(deps: InboundDeps, sms: InboundSms): Promise<InboundOutcome> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const outcome = await takeStep(deps, sms);
    if (outcome !== CHANGED) return outcome;
  }
  throw new Error(`${sms.provider} message ${sms.messageId}: its survey changed ${ATTEMPTS} times while it was taken`);
}

async function takeStep(deps: InboundDeps, sms: InboundSms): Promise<InboundOutcome | typeof CHANGED> {
  const { config, clock, surveys, vault } = deps;
  const key = `${sms.provider}#${sms.messageId}`;
  const seen = await surveys.inbound(key);
  if (seen) {
    if (seen.scored && seen.surveyId) await deps.queues.responseUpdated(seen.surveyId);
    return { reply: seen.reply, duplicate: true };
  }

  const phone = toE164(sms.from, config.stores[0]?.country ?? 'CN') ?? sms.from;
  const phoneHash = vault.hash(phone);
  const now = clock.now().toISOString();
  const recent = await surveys.latestForPhone(phoneHash, 5);
  const latest = recent[0];
  const storeOf = (s?: Survey) => config.stores.find((store) => store.id === s?.storeId);
  // Where the store must send registered texts, a reply no registered template carries is not sent;
  // nor is one over the number's daily cap (the step it answers is taken all the same). A step read
  // again because its survey changed counts its reply again: the cap errs on sending less.
  const say = async (step: MessageStep, survey?: Survey, locale?: Locale) => {
    const store = storeOf(survey) ?? config.stores[0];
    const text = composeMessage(config, store, locale ?? survey?.locale ?? config.defaultLocale, step, {
      survey: survey?.surveyType ?? 'nps',
      storeName: storeOf(survey)?.name ?? '',
      customerName: survey?.customerName,
    });
    if (!text.ok) return undefined;
    const timeZone = survey?.timezone ?? store?.timezone ?? 'UTC';
    return (await allowText(deps, phoneHash, timeZone)).allowed ? text.text : undefined;
  };
  const record = (reply: string | undefined, surveyId?: string, scored = false): InboundRecord => ({
    key,
    reply,
    surveyId,
    scored,
    receivedAt: now,
  });
  const remember = async (reply: string | undefined) => {
    await surveys.rememberInbound(record(reply));
    return { reply };
  };

  const keyword = keywordOf(sms.body);
  if (keyword === 'opt_out') {
    const already = await surveys.isOptedOut(phoneHash);
    await surveys.setOptOut(phoneHash, true, now);
    for (const s of recent) {
      if (s.status === 'awaiting_reason') {
        // The score stands and a detractor is still followed up: the conversation just ends here.
        const ended = await surveys.update(
          s.id,
          { status: 'completed', endedAt: now, timer: { action: 'close', at: now } },
          { status: 'awaiting_reason', leaseUntil: addMs(now, TIMER_LEASE_MS) },
        );
        if (ended) await deps.queues.responseUpdated(s.id);
      } else if (s.status === 'scheduled' || s.status === 'awaiting_score') {
        await surveys.update(s.id, { status: 'opted_out', timer: null }, { status: s.status });
      }
    }
    return remember(already ? undefined : await say('opted_out', latest));
  }
  if (keyword === 'help') return remember(await say('help', latest));
  if (keyword === 'opt_in') {
    await surveys.setOptOut(phoneHash, false, now);
    return remember(await say('opted_in', latest));
  }

  // A survey whose text is going out this moment (sent, not yet marked sent) is what a reply answers.
  const textInFlight = (s: Survey) => s.status === 'scheduled' && s.timer?.action === 'send' && s.timer.at <= now;
  const survey = recent.find((s) => open.includes(s.status) || textInFlight(s));
  if (!survey) return remember(latest?.status === 'expired' ? await say('closed', latest) : undefined);

  if (survey.status === 'awaiting_score' || survey.status === 'scheduled') {
    const status = survey.status;
    // A short conversation asks score and reason at once: "9 等太久了" ends the survey in one reply.
    const short = config.sms.conversation === 'short';
    const read = short
      ? parseScoreAndReason(sms.body, scales[survey.surveyType])
      : mapScore(parseScore(sms.body, scales[survey.surveyType]));
    const score = read?.score;
    if (read === undefined || score === undefined) {
      if (survey.reasked) return remember(undefined);
      const reply = await say('reask', survey);
      if (!(await surveys.update(survey.id, { reasked: true }, { status }, record(reply, survey.id)))) return CHANGED;
      return { reply };
    }
    if (short) {
      const reply = await say(isDetractor(survey.surveyType, score) ? 'sorry' : 'thanks', survey);
      const ended = await surveys.update(
        survey.id,
        {
          status: 'completed',
          score,
          scoredAt: now,
          ...(read.reason ? { reason: read.reason } : {}),
          endedAt: now,
          timer: { action: 'close', at: now },
          ...(survey.sentAt ? {} : { sentAt: now }),
        },
        { status, leaseUntil: addMs(now, TIMER_LEASE_MS) },
        record(reply, survey.id, true),
      );
      if (!ended) return CHANGED;
      await deps.queues.responseUpdated(survey.id);
      return { reply };
    }
    const reply = await say('why', survey);
    const closeAt = addMs(now, config.reasonWaitMinutes * MINUTE);
    const applied = await surveys.update(
      survey.id,
      {
        status: 'awaiting_reason',
        score,
        scoredAt: now,
        timer: { action: 'close', at: closeAt },
        // Answered before the sender could mark its text sent: it went out, or the customer could not answer.
        ...(survey.sentAt ? {} : { sentAt: now }),
      },
      // Leased like any handed-off work: if the scorer's message is lost, the sweeper looks again
      // after the lease (or at once after a restart), long before the why-question closes.
      { status, leaseUntil: closeAt < addMs(now, TIMER_LEASE_MS) ? closeAt : addMs(now, TIMER_LEASE_MS) },
      record(reply, survey.id, true),
    );
    if (!applied) return CHANGED;
    await deps.queues.responseUpdated(survey.id);
    return { reply };
  }

  // awaiting_reason: whatever comes now is the customer's reason, in their words.
  const reason = sms.body.trim().slice(0, 1600);
  const score = survey.score ?? 0;
  const reply = await say(isDetractor(survey.surveyType, score) ? 'sorry' : 'thanks', survey);
  const applied = await surveys.update(
    survey.id,
    { status: 'completed', reason, endedAt: now, timer: { action: 'close', at: now } },
    { status: 'awaiting_reason', leaseUntil: addMs(now, TIMER_LEASE_MS) },
    record(reply, survey.id, true),
  );
  if (!applied) return CHANGED;
  await deps.queues.responseUpdated(survey.id);
  return { reply };
}

const mapScore = (score: number | undefined) => (score === undefined ? undefined : { score, reason: undefined });
