/**
 * What the rollups learn from the tables' change streams: an answer kept (scores table), a
 * visit surveyed or suppressed, a survey sent or answered (main table). Items that are not
 * one of these, and re-surveys after a resolved alert, count nowhere.
 *
 * A send and an answer carry the survey's reach (the channel it went out by), so the funnel splits
 * by channel; a survey that moves on to its next channel and goes out again is sent once more by
 * that channel. Imported history carries none: its export says how an answer came back but not
 * how an unanswered survey went out, so its funnel is in no channel view (its answers are in the
 * scores' channel views, by the channel they came back by: rollups.ts `reachOfAnswer`).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createHash } from 'node:crypto';
import * as z from '#shared/zod.ts';
import { type ContactFlag, contactFlags } from '#shared/domain/integrity.ts';
import { type SuppressionReason, suppressionReasons } from '#shared/domain/records.ts';
import type { FunnelStep, RollupFact, VisitDimensions } from '#shared/domain/rollups.ts';
import type { StreakAnswer } from '#shared/ports.ts';
import { reachChannels } from '#shared/config/schema.ts';
import { date, dimensions, knownFlags, optionalId, storedResponse, streakItem } from './stored-response.ts';

export interface StreamChange {
  eventId: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  oldImage?: Record<string, AttributeValue> | undefined;
  newImage?: Record<string, AttributeValue> | undefined;
}

const responseItem = z.extend(storedResponse, { type: z.literal('response') });

const surveyItem = z.object({
  type: z.literal('survey'),
  ...dimensions,
  sentAt: z.optional(z.string()),
  score: z.optional(z.number()),
  recoveryOf: z.optional(z.string()),
  contactFlags: knownFlags(contactFlags),
  /** Ended without an answer for a reason counted as suppressed (a refused call-back, an unregistered template). */
  suppressedAs: z.optional(z.enum(suppressionReasons)),
  /** The channel it went out by; a channel this code does not know reads as none. */
  reach: z.catch(z.optional(z.enum(reachChannels)), undefined),
  channelSentAt: z.optional(z.string()),
});

const suppressionReason = z.enum(suppressionReasons);
const eventItem = z.object({
  type: z.literal('event'),
  result: z.object({ survey: z.object({ status: z.literal('suppressed'), reason: suppressionReason }) }),
  storeId: z.string().check(z.minLength(1)),
  departmentId: optionalId,
  advisorId: optionalId,
  serviceType: optionalId,
  visitDate: z.optional(date),
  at: z.string().check(z.minLength(10)),
  contactFlags: knownFlags(contactFlags),
});

const itemOf = (image: Record<string, AttributeValue> | undefined) => (image ? unmarshall(image) : undefined);

const visitOf = (item: VisitDimensions): VisitDimensions => ({
  storeId: item.storeId,
  departmentId: item.departmentId,
  advisorId: item.advisorId,
  serviceType: item.serviceType,
  visitDate: item.visitDate,
});

export function rollupFactsOf(change: StreamChange): RollupFact[] {
  const after = itemOf(change.newImage);
  if (!after || change.eventName === 'REMOVE') return [];
  const before = itemOf(change.oldImage);

  const response = responseItem.safeParse(after);
  if (response.success) {
    const { type, flags, ...rest } = response.data;
    const scored = { ...rest, ...(flags?.length ? { flags } : {}) };
    return change.eventName === 'INSERT' && !scored.recoveryOf ? [{ kind: 'scored', response: scored }] : [];
  }

  const survey = surveyItem.safeParse(after);
  if (survey.success) {
    if (survey.data.recoveryOf) return [];
    const steps: FunnelStep[] = [];
    const isVisit = change.eventName === 'INSERT';
    if (isVisit) steps.push('visit');
    if (survey.data.sentAt && !before?.sentAt) steps.push('sent');
    if (survey.data.score !== undefined && before?.score === undefined) steps.push('answered');
    const flags = isVisit ? survey.data.contactFlags : undefined;
    const visit = { ...visitOf(survey.data), reach: survey.data.reach };
    const facts: RollupFact[] = steps.length
      ? [{ kind: 'funnel', steps, visit, ...(flags?.length ? { contactFlags: flags } : {}) }]
      : [];
    if (resentOnItsNextChannel(survey.data, before)) facts.push({ kind: 'funnel', steps: ['sent'], resent: true, visit });
    return [...facts, ...calledFacts(survey.data, isVisit ? undefined : before)];
  }

  const event = eventItem.safeParse(after);
  if (event.success && change.eventName === 'INSERT') {
    const { visitDate, at, result, contactFlags: flags } = event.data;
    return [
      {
        kind: 'funnel',
        steps: ['visit'],
        suppressed: result.survey.reason,
        ...(flags?.length ? { contactFlags: flags } : {}),
        visit: visitOf({ ...event.data, visitDate: visitDate ?? at.slice(0, 10) }),
      },
    ];
  }
  return [];
}

/**
 * A survey already sent went out again on another channel (it moved on when its first expired
 * unanswered): its current channel's send time changed while its first send stayed.
 */
function resentOnItsNextChannel(
  after: { sentAt?: string | undefined; channelSentAt?: string | undefined; reach?: unknown },
  before: Record<string, unknown> | undefined,
) {
  return (
    after.reach !== undefined &&
    after.channelSentAt !== undefined &&
    typeof before?.sentAt === 'string' &&
    before.channelSentAt !== after.channelSentAt
  );
}

/**
 * What a survey learned about its visit after it was taken in: it ended suppressed (a call-back
 * the customer refused, a text no registered template carries: counted by its reason), or a
 * call-back found the number was someone else's (a `wrong_number` contact flag; the visit counts
 * contact-flagged unless it already did).
 */
function calledFacts(
  after: { suppressedAs?: SuppressionReason | undefined; contactFlags?: ContactFlag[] | undefined } & VisitDimensions,
  before: Record<string, unknown> | undefined,
): RollupFact[] {
  if (!before) return [];
  const facts: RollupFact[] = [];
  if (after.suppressedAs && before.suppressedAs === undefined) {
    facts.push({ kind: 'funnel', steps: [], suppressed: after.suppressedAs, visit: visitOf(after) });
  }
  const had = Array.isArray(before.contactFlags) ? before.contactFlags : [];
  if (after.contactFlags?.includes('wrong_number') && !had.includes('wrong_number')) {
    facts.push({
      kind: 'funnel',
      steps: [],
      contactFlags: ['wrong_number'],
      alreadyFlagged: had.length > 0,
      visit: visitOf(after),
    });
  }
  return facts;
}

/** A batch's identity: the same records, retried, are the same batch. */
export const batchIdOf = (changes: StreamChange[]) =>
  createHash('sha256')
    .update(changes.map((c) => c.eventId).join('\n'))
    .digest('base64url')
    .slice(0, 32);

/** A new answer in a streak, as the scores table's change stream carries it; anything else is undefined. */
export function streakAnswerOf(change: StreamChange): StreakAnswer | undefined {
  if (change.eventName !== 'INSERT' || !change.newImage) return undefined;
  const parsed = streakItem.safeParse(unmarshall(change.newImage));
  if (!parsed.success) return undefined;
  const { type, ...answer } = parsed.data;
  return answer;
}
