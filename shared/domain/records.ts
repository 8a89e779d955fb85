/** The records ClosedLoop keeps, as the use cases see them (storage keys live in the adapters). */
import type { CommentCategory, Locale, SurveyType } from '#shared/config/schema.ts';
import type { AnswerFlag, ContactFlag, IntegrityFlag } from './integrity.ts';
import type { ReachChannel } from './reach.ts';
import type { Segment } from './rfm.ts';

export type SurveyStatus = 'scheduled' | 'awaiting_score' | 'awaiting_reason' | 'completed' | 'expired' | 'opted_out';
export type SurveyTimerAction = 'send' | 'remind' | 'expire' | 'close' | 'resurvey';

export interface Timer<A extends string> {
  action: A;
  /** When the action is due (ISO). */
  at: string;
}

/**
 * What the latest visit said about reaching the customer; the phone only encrypted: the fields of a survey
 * that a retention task needs to reach its customer, should they go quiet.
 */
export interface CustomerContactCard {
  phoneCipher: string;
  phoneMasked: string;
  customerName?: string | undefined;
  storeId: string;
  serviceType: string;
  locale?: Locale | undefined;
}

/** A survey's (or any superset's) contact card: just those fields, as the customer's history keeps them. */
export function contactCardOf(from: CustomerContactCard): CustomerContactCard {
  const { phoneCipher, phoneMasked, customerName, storeId, serviceType, locale } = from;
  return { phoneCipher, phoneMasked, customerName, storeId, serviceType, locale };
}

export interface Survey {
  id: string;
  eventId: string;
  surveyType: SurveyType;
  status: SurveyStatus;
  storeId: string;
  serviceType: string;
  departmentId: string;
  advisorId?: string | undefined;
  technicianId?: string | undefined;
  customerId?: string | undefined;
  customerName?: string | undefined;
  locale: Locale;
  /** The customer's own time zone, if known; else the store's applies. */
  timezone?: string | undefined;
  phoneHash: string;
  phoneCipher: string;
  phoneMasked: string;
  visitAt: string;
  /** What the visit cost, when the dealer system said. */
  amount?: number | undefined;
  currency?: string | undefined;
  /** The visit's date in the store's time zone: the period an answer counts in. */
  visitDate: string;
  createdAt: string;
  sendAt: string;
  sentAt?: string | undefined;
  remindedAt?: string | undefined;
  /** The SMS provider's id of the last text sent for this survey (its delivery status is kept under it). */
  lastMessageId?: string | undefined;
  reasked?: boolean | undefined;
  score?: number | undefined;
  scoredAt?: string | undefined;
  reason?: string | undefined;
  endedAt?: string | undefined;
  alertsRaisedAt?: string | undefined;
  /** The web survey token, encrypted (only its hash is indexed); sent in link-mode texts. */
  webTokenCipher?: string | undefined;
  /** The customer's WeChat openid for the service account, encrypted like the phone (never logged or listed). */
  wechatOpenIdCipher?: string | undefined;
  /** The number takes no texts (a fixed line, by its country's numbering plan): a call reaches it, a text does not. */
  landline?: boolean | undefined;
  /** Where the answer came from (`call`: a call-back, the caller recording it). */
  channel?: 'sms' | 'web' | 'call' | undefined;
  /** On an answer taken on a call-back: who called and recorded it. */
  caller?: Actor | undefined;
  /**
   * Ended without an answer for a reason the funnel counts as suppressed: a call-back the customer
   * refused, a text no registered template can carry (`unregistered_template`), or a customer none
   * of the store's channels could reach (`no_channel`: the last one failed before anything went out).
   */
  suppressedAs?: 'refused' | 'unregistered_template' | 'no_channel' | undefined;
  /** The channel it reaches its customer by (shared/domain/reach.ts); decided at its first send. */
  reach?: ReachChannel | undefined;
  /** The channel it moved from, once, when that one expired unanswered or failed. */
  movedFrom?: ReachChannel | undefined;
  /** When its current channel's question went out: that channel's reminder and expiry count from it. */
  channelSentAt?: string | undefined;
  /** The alerts this answer raised. */
  alertIds?: string[] | undefined;
  /** For a re-survey after a resolved alert: the survey it follows up. */
  recoveryOf?: string | undefined;
  /** Set once the customer's next answer has decided whether this detractor recovered. */
  recoveryDecidedAt?: string | undefined;
  /** When it came in through the historical import (POST /v1/imports) rather than a live visit. */
  importedAt?: string | undefined;
  /** The visit's contact quality, decided when it was taken in (shared or staff phone). */
  contactFlags?: ContactFlag[] | undefined;
  /** The answer's timing and origin, decided when it was given (web answers). */
  answerFlags?: AnswerFlag[] | undefined;
  timer?: Timer<SurveyTimerAction> | undefined;
}

/**
 * A finished survey from another tool's history: completed or expired, never a timer, and
 * without a phone when the export had none (such a survey is never texted or looked up by phone).
 */
export type ImportedSurvey = Omit<Survey, 'phoneHash' | 'phoneCipher' | 'phoneMasked' | 'timer' | 'status'> &
  Partial<Pick<Survey, 'phoneHash' | 'phoneCipher' | 'phoneMasked'>> & {
    status: 'completed' | 'expired';
    importedAt: string;
    /** The visit's amount: the customer's spend in their history. */
    spend?: number | undefined;
  };

export type IngestResult =
  | { eventId: string; survey: { id: string; status: 'scheduled'; sendAt: string } }
  | { eventId: string; survey: { id?: string; status: 'suppressed'; reason: SuppressionReason } };

export const suppressionReasons = [
  'opted_out',
  'throttled',
  'invalid_phone',
  'no_plan',
  'unknown_store',
  'refused',
  'unregistered_template',
  'no_channel',
] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

/** `reopened`: resolved, but the customer's re-survey was a detractor's answer again; worked like an open case. */
export type AlertStatus = 'open' | 'acknowledged' | 'contacted' | 'resolved' | 'unreachable' | 'reopened';
/**
 * `phone_revealed`: someone was shown the customer's full number to call them; the status stays.
 * `reopened`: ClosedLoop reopened the case on the customer's re-survey (nobody acts it by hand).
 */
export type AlertAction = 'acknowledge' | 'contacted' | 'resolved' | 'unreachable' | 'reassign' | 'phone_revealed' | 'reopened';

/**
 * How a retention task ended: the customer was reached, booked a visit, could not be reached,
 * or is lost to a competitor or a move; `returned`: they came back before anyone closed it.
 */
export const retentionOutcomes = ['reached', 'booked', 'not_reachable', 'lost'] as const;
export type RetentionOutcome = (typeof retentionOutcomes)[number] | 'returned';

/** What a retention task knows of the customer who went quiet (their numbers, never their phone). */
export interface RetentionFacts {
  /** The customer's key (the phone's keyed hash): their history, their contact, their next visit. */
  phoneHash: string;
  lastVisitAt: string;
  visits: number;
  spend: number;
  daysSinceVisit: number;
  /** The first visit after the task was raised, when within `retention.wonBackDays`. */
  wonBackAt?: string | undefined;
}
export type AlertTimerAction = 'deliver' | 'escalate';

/** The re-survey answer that reopened a resolved case: the customer's new score and words. */
export interface ReopeningAnswer {
  at: string;
  surveyId: string;
  score: number;
  comment?: string | undefined;
}

/** Who acted, as the audit trail records it: the subject of their token and a name to show. */
export interface Actor {
  sub: string;
  name: string;
}

/** ClosedLoop itself, on what nobody did by hand: a task the customer closed by coming back, a case it reopened. */
export const CLOSEDLOOP: Actor = { sub: 'closedloop', name: 'ClosedLoop' };

export interface AlertActionRecord {
  action: AlertAction;
  at: string;
  by: Actor;
  note?: string | undefined;
  fromDepartmentId?: string | undefined;
  toDepartmentId?: string | undefined;
  /** On `resolved`: the root cause the head settled on (one of `closure.rootCauses`) and the resolution's id. */
  rootCause?: string | undefined;
  resolution?: string | undefined;
  /** On closing a retention task: how it ended. */
  outcome?: RetentionOutcome | undefined;
}

/**
 * A case for a department: a detractor's answer (the default), or a loyal customer gone quiet
 * (`retention`, with no survey, score or comment of its own). Both are delivered, escalated and
 * worked the same way.
 */
export interface Alert {
  id: string;
  kind?: 'detractor' | 'retention' | undefined;
  /** The survey whose answer raised it; a retention task's customer may have none. */
  surveyId?: string | undefined;
  departmentId: string;
  status: AlertStatus;
  priority: 'normal' | 'high';
  /** The customer's RFM segment when the alert was raised (absent on alerts raised before segments). */
  segment?: Segment | undefined;
  surveyType?: SurveyType | undefined;
  score?: number | undefined;
  comment?: string | undefined;
  categories: CommentCategory[];
  storeId: string;
  advisorId?: string | undefined;
  serviceType: string;
  customerName?: string | undefined;
  phoneMasked: string;
  visitDate: string;
  createdAt: string;
  dueAt: string;
  escalated: boolean;
  /** The delivery round the alert is in: `new`, then `reassign-N` after each reassignment, `reopen-N` after each reopening. */
  round: string;
  firstContactAt?: string | undefined;
  resolvedAt?: string | undefined;
  /** Set on resolution: the confirmed root cause and what was done. */
  rootCause?: string | undefined;
  resolution?: string | undefined;
  /** Whether the head's root cause is one of the classifier's categories: the classifier's precision. */
  rootCauseConfirmed?: boolean | undefined;
  /** After resolution: whether the customer's next answer was 7+ (NPS) / 4+ (CSAT) / 5+ (CES). */
  recovered?: boolean | undefined;
  recoverySurveyId?: string | undefined;
  /** Set when a failed recovery reopened the case: the answer that did (the case's own score and words stay). */
  reopened?: ReopeningAnswer | undefined;
  /** A retention task's customer, and how the task ended. */
  retention?: RetentionFacts | undefined;
  outcome?: RetentionOutcome | undefined;
  /** Channel deliveries done, by `<round>:<channel index>`; a round is `new`, `escalation`, `reassign-N` or `reopen-N`. */
  deliveries: Record<string, string>;
  actions: AlertActionRecord[];
  timer?: Timer<AlertTimerAction> | undefined;
}

export interface ScoredResponse {
  surveyId: string;
  surveyType: SurveyType;
  score: number;
  storeId: string;
  departmentId: string;
  advisorId?: string | undefined;
  serviceType: string;
  visitDate: string;
  answeredAt: string;
  comment?: string | undefined;
  channel: 'sms' | 'web' | 'call';
  /** The channel its survey went out by (absent on imported history): the channel the answer counts under. */
  reach?: ReachChannel | undefined;
  /** A call-back's answer: the caller who took it (their integrity signals are read like an advisor's). */
  caller?: Actor | undefined;
  /** A re-survey after a resolved alert: kept to measure recovery, never counted in the scores again. */
  recoveryOf?: string | undefined;
  /** Integrity flags: signals about the answer, shown beside it; the answer counts all the same. */
  flags?: IntegrityFlag[] | undefined;
}
