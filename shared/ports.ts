/** What the use cases need from the outside world; adapters implement these, tests fake them. */
import type {
  Alert,
  AlertActionRecord,
  AlertStatus,
  CustomerContactCard,
  ImportedSurvey,
  IngestResult,
  ScoredResponse,
  Survey,
  SurveyTimerAction,
  Timer,
} from '#shared/domain/records.ts';

export type { CustomerContactCard };
import type { CallTask, CallTaskEntry, CallTaskStatus } from '#shared/domain/call-tasks.ts';
import type { IntegrityFlag, StreakPlace } from '#shared/domain/integrity.ts';
import type { Granularity } from '#shared/domain/periods.ts';
import type { Cohort } from '#shared/domain/retention.ts';
import type { Segment } from '#shared/domain/rfm.ts';
import type { RollupCounters, RollupFamily, RollupIncrement } from '#shared/domain/rollups.ts';
import type { Sentiment } from '#shared/domain/scoring.ts';
import type { SurveyType } from '#shared/config/schema.ts';

export interface Clock {
  now(): Date;
}

export interface SmsSender {
  /** Sends one text; `providerMessageId` is the provider's id for it (Twilio's sid), when it gives one. */
  send(message: { to: string; body: string }): Promise<{ providerMessageId?: string | undefined }>;
}

/**
 * The daily cap on texts to one number (`sms.maxPerNumberPerDay`; Tencent Cloud, for one, sends two a
 * day by default): a counter per number and the customer's local day.
 */
export interface TextQuota {
  /**
   * Counts one text to `phoneHash` on `day` (YYYY-MM-DD, the customer's) unless `limit` are counted
   * already: false then, and nothing is counted. The counter may go after `expiresAt`.
   */
  take(phoneHash: string, day: string, limit: number, expiresAt: string): Promise<boolean>;
}

/** A WeChat template message: what the customer sees, and the page it opens. */
export interface WechatNotice {
  openId: string;
  /** The page the message opens (the web survey's single-use link). */
  url: string;
  store: string;
  /** The visit's date as the customer reads it. */
  visitDate: string;
  prompt: string;
}

/**
 * Why WeChat cannot deliver to this customer: they do not follow the account (43004), the openid
 * is not the account's (40003), or they refused its messages (43101). The survey tries its next channel.
 */
/**
 * Why WeChat cannot take this survey: the customer (not following, an openid not of this account,
 * refused the account's messages) or the account itself refusing the message in a way no retry
 * mends (`rejected`: a template id or field WeChat refuses, an AppSecret or IP whitelist wrong).
 */
export type WechatUnreachable = 'not_following' | 'invalid_openid' | 'refused' | 'rejected';

/**
 * Sends template messages of the service account. A failure worth retrying (rate limit, network,
 * WeChat's 5xx or busy) throws, so the queue retries the message.
 */
export interface WechatNotifier {
  send(notice: WechatNotice): Promise<{ kind: 'sent'; messageId: string } | { kind: 'unreachable'; reason: WechatUnreachable }>;
}

/** The account's access token as every function shares it, with its expiry (ISO). */
export interface SharedAccessToken {
  token: string;
  expiresAt: string;
  /** Bumped on every refresh: a refresh is conditional on the version it replaces. */
  version: number;
}

/**
 * Where the one access token of a WeChat account is kept for every function: fetching a new one
 * invalidates the previous one (after a short overlap), so only the holder of the lease fetches.
 */
export interface AccessTokenStore {
  read(): Promise<{ current?: SharedAccessToken | undefined; leasedUntil?: string | undefined }>;
  /**
   * Takes the refresh lease until `until` if nobody holds it (or it lapsed by `now`) and the token
   * is still at `version` (absent: none yet). False when another function refreshes or refreshed it.
   */
  lease(owner: string, version: number | undefined, now: string, until: string): Promise<boolean>;
  /** Stores the fetched token and releases the lease, if `owner` still holds it; false otherwise. */
  store(owner: string, token: SharedAccessToken): Promise<boolean>;
}

/** A provider's report on an outbound text (Twilio's status callback). */
export interface DeliveryStatusReport {
  provider: string;
  messageId: string;
  status: string;
  /** How far along its life the status is: the message's current status is the furthest one reported. */
  rank: number;
  errorCode?: string | undefined;
  at: string;
}

export interface DeliveryStatusStore {
  /**
   * Adds the report to the message's status history (known message or not: the provider may report
   * before the send was recorded). 'duplicate' when that status was already recorded for the message.
   */
  record(report: DeliveryStatusReport): Promise<'recorded' | 'duplicate'>;
}

/**
 * How a person reaches the customer of an alert: a number to dial (`tel:`-able, E.164). Today the
 * customer's own number from the phone vault; a virtual-number service (an AXB binding such as
 * Alibaba Cloud's 号码隐私保护) can implement it instead, binding the caller's phone to the
 * customer's for a while and answering the middle number.
 */
export interface CustomerContact {
  reveal(subject: ContactSubject, actor: import('#shared/domain/records.ts').Actor): Promise<{ phone: string }>;
}

/** Whose number is asked for: a survey's customer (an alert's, a call task's), or a retention task's customer. */
export type ContactSubject = Pick<Alert, 'surveyId' | 'retention'>;

export interface PhoneVault {
  /** Keyed hash (HMAC) for lookups; the same number always gives the same hash. */
  hash(e164: string): string;
  /** Keyed hash of what a browser sends (address and user agent): the same device, the same id; never reversible. */
  deviceHash(fingerprint: string): string;
  encrypt(e164: string): string;
  decrypt(cipher: string): string;
}

export type SurveyTimerMessage = { surveyId: string; action: SurveyTimerAction; at: string };
/**
 * A customer's timer (key: the phone's hash): `recency`, their silence passed a recency cut point
 * (their segment is due again); `at_risk`, it has lasted `retention.atRiskAfterDays`.
 */
export type CustomerTimerAction = 'recency' | 'at_risk';
export type CustomerTimerMessage = { phoneHash: string; action: CustomerTimerAction; at: string };
export type AlertDeliveryMessage = { alertId: string; round: string; at?: string | undefined };

export interface WorkQueues {
  surveyTimer(message: SurveyTimerMessage): Promise<void>;
  /** On the same queue as the survey timers (one consumer runs both). */
  customerTimer(message: CustomerTimerMessage): Promise<void>;
  /** Asks the scorer to bring a survey's response, rollups and alerts up to date. */
  responseUpdated(surveyId: string): Promise<void>;
  /** The same for many surveys at once (batched sends). */
  responsesUpdated(surveyIds: string[]): Promise<void>;
  alertDelivery(departmentId: string, message: AlertDeliveryMessage): Promise<void>;
}

/** One inbound message as remembered for deduplication and replay of the reply. */
export interface InboundRecord {
  key: string;
  surveyId?: string | undefined;
  reply?: string | undefined;
  scored: boolean;
  receivedAt: string;
}

/** `existing`: the survey the earlier event created, when it created one. */
export type ImportSurveyOutcome = { kind: 'created' } | { kind: 'duplicate'; existing?: Survey | undefined };

export type CreateSurveyOutcome =
  | { kind: 'created' }
  | { kind: 'duplicate'; result: IngestResult }
  | { kind: 'suppressed'; reason: 'opted_out' | 'throttled' };

/** Changes to a record; `timer: null` removes its pending timer. */
export type SurveyChanges = Omit<Partial<Survey>, 'timer'> & { timer?: Timer<SurveyTimerAction> | null };
export type AlertChanges = Omit<Partial<Alert>, 'timer'> & { timer?: Timer<'deliver' | 'escalate'> | null };

export interface SuppressionContext {
  storeId?: string | undefined;
  advisorId?: string | undefined;
  serviceType?: string | undefined;
  departmentId?: string | undefined;
  /** The visit's date in the store's time zone: the funnel period it counts in. */
  visitDate?: string | undefined;
  at: string;
  /** When the visit took place (ISO): its place in the customer's history. */
  visitAt?: string | undefined;
  /** When the phone is valid: the visit still counts in the customer's history. */
  phoneHash?: string | undefined;
  spend?: number | undefined;
  /** When the phone is valid: how to reach the customer, kept with their history. */
  contact?: CustomerContactCard | undefined;
  customerId?: string | undefined;
  /** The visit's contact quality (no, invalid, shared or staff phone): counted in the funnel. */
  contactFlags?: import('#shared/domain/integrity.ts').ContactFlag[] | undefined;
}

export interface CustomerValue {
  visits: number;
  spend: number;
  lastVisitAt?: string | undefined;
}

export interface SurveyStore {
  ingestResult(eventId: string): Promise<IngestResult | undefined>;
  /** Atomically: remember the event, create the survey, take the customer's throttle slot, check opt-out. */
  createSurvey(
    survey: Survey,
    options: {
      throttleSince: string;
      leaseUntil?: string | undefined;
      webTokenHash?: string | undefined;
      spend?: number;
      customerId?: string | undefined;
    },
  ): Promise<CreateSurveyOutcome>;
  /**
   * Writes finished surveys from another tool's history, each once per eventId: the same event
   * record as live visits, so an eventId imported twice, or also posted live, never makes a
   * second survey. Outcomes come in the order of `surveys`. A survey with a phone adds the visit
   * to the customer's history, and when sent after `throttleSince` it becomes the customer's
   * latest survey for throttling (unless a later one is there).
   */
  importSurveys(surveys: ImportedSurvey[], options: { throttleSince: string }): Promise<ImportSurveyOutcome[]>;
  /** The survey a web survey token (by its hash) opens, if any. */
  findByWebToken(tokenHash: string): Promise<Survey | undefined>;
  recordSuppression(eventId: string, result: IngestResult, context: SuppressionContext): Promise<IngestResult>;
  /** The customer's visit history: how many visits, how much spend and the latest visit, across stores. */
  customerValue(phoneHash: string): Promise<CustomerValue>;
  /** The customer ids visits have given with this phone (one read of the phone's history item). */
  customersOfPhone(phoneHash: string): Promise<string[]>;
  /**
   * Notes that this customer (a phone hash) answered from this device (a keyed hash), and
   * answers who answered from it before, in one write.
   */
  recordDevice(deviceHash: string, customer: string, at: string): Promise<string[]>;
  get(surveyId: string): Promise<Survey | undefined>;
  /** Many surveys in one go (strongly consistent, as `get`); one that does not exist is left out. */
  getMany(surveyIds: readonly string[]): Promise<Map<string, Survey>>;
  /** The phone's most recent surveys, newest first. */
  latestForPhone(phoneHash: string, limit: number): Promise<Survey[]>;
  /**
   * Applies changes if the survey is still in `expectStatus` (and, when given, its timer is still
   * due at `expectTimerAt`); `inbound` is remembered in the same write. False if the condition failed.
   */
  update(
    surveyId: string,
    changes: SurveyChanges,
    expect: { status?: Survey['status']; timerAt?: string | undefined; leaseUntil?: string | undefined },
    inbound?: InboundRecord,
  ): Promise<boolean>;
  inbound(key: string): Promise<InboundRecord | undefined>;
  rememberInbound(record: InboundRecord): Promise<boolean>;
  isOptedOut(phoneHash: string): Promise<boolean>;
  setOptOut(phoneHash: string, optedOut: boolean, at: string): Promise<void>;
}

export interface RollupRow {
  period: string;
  group: string;
  counters: RollupCounters;
}

export interface ResponseStore {
  /**
   * Keeps the answer unless it is already kept ('duplicate' then); its change feeds the rollups.
   * With `place`, the answer's place in its advisor's streak is written in the same write.
   */
  record(response: ScoredResponse, place?: StreakAnswer): Promise<'recorded' | 'duplicate'>;
  /**
   * `record` for many new answers in few writes. Answers the survey ids it kept; an answer (or its
   * place) already there is left out and nothing of it written: `record` decides it on its own.
   */
  recordMany(answers: readonly { response: ScoredResponse; place?: StreakAnswer | undefined }[]): Promise<Set<string>>;
  /** Puts the customer's words on a kept answer; false when the answer is not kept yet. */
  setComment(response: ScoredResponse, comment: string): Promise<boolean>;
  /** Which of these answers are kept already (by survey id): a re-run import scores only the others. */
  keptOf(answers: Pick<ScoredResponse, 'surveyType' | 'visitDate' | 'surveyId'>[]): Promise<Set<string>>;
  /** Sets a kept answer's integrity flags (a streak decided after it was kept); false when it is not kept. */
  setFlags(response: ScoredResponse, flags: IntegrityFlag[]): Promise<boolean>;
  /** Answers of one survey type whose visit date is in the range, newest first, a page at a time. */
  list(query: ResponsesQuery): Promise<{ responses: ScoredResponse[]; nextCursor?: string | undefined }>;
}

export interface ResponsesQuery {
  surveyType: SurveyType;
  from: string;
  to: string;
  filters: Partial<Pick<ScoredResponse, 'storeId' | 'departmentId' | 'advisorId' | 'serviceType'>>;
  sentiment?: Sentiment | undefined;
  withComment?: boolean | undefined;
  /** Only answers with integrity flags. */
  flagged?: boolean | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** One answer in its advisor's streak: where it stands by answer time, and the answer itself. */
export interface StreakAnswer extends StreakPlace {
  /** `<store>|<advisor>`: an advisor's streak is theirs at one store. */
  streak: string;
  response: ScoredResponse;
}

/**
 * Each advisor's answers by answer time, for the `perfect_streak` flag. Answers join without
 * any check of the others (scorers never wait on each other); the flags are decided where the
 * store's change stream brings an advisor's new answers, in order, one batch at a time.
 */
export interface StreakStore {
  /** Places an answer in its streak, unflagged; the same answer again changes nothing. */
  add(answer: StreakAnswer): Promise<void>;
  /**
   * Around a run of new answers of one streak: the `count` answers before `from` (oldest first)
   * and every answer from `from` to `count` answers past `to`.
   */
  around(streak: string, from: string, to: string, count: number): Promise<{ before: StreakAnswer[]; range: StreakAnswer[] }>;
  setFlagged(answer: StreakAnswer, flagged: boolean): Promise<void>;
}

export interface RollupStore {
  /**
   * Adds a batch's increments to their buckets exactly once per batch id, however often the
   * same batch is retried, and however far a crashed attempt got.
   */
  apply(batchId: string, increments: RollupIncrement[]): Promise<{ applied: number; alreadyApplied: number }>;
  read(query: RollupQuery): Promise<RollupRow[]>;
}

/** One view's buckets for a range of periods, stored in the given partitions. */
export interface RollupQuery {
  family: RollupFamily;
  granularity: Granularity;
  view: string;
  partitions: string[];
  fromPeriod: string;
  toPeriod: string;
}

/** A customer's history as retention reads it: their visits (ISO instants), answered cohorts, and returns counted. */
export interface CustomerHistory {
  visits: string[];
  cohorts: Cohort[];
  counted: ReadonlySet<string>;
  value: CustomerValue;
  /** The segment the customer is counted in, if any yet. */
  segment?: Segment | undefined;
  /** How to reach them and where they were last: from their latest visit taken in. */
  contact?: CustomerContactCard | undefined;
  /** Their timer: when their segment next changes by recency, or when their silence raises a retention task. */
  timer?: Timer<CustomerTimerAction> | undefined;
  /** The retention task being worked now, if any: no second one while it is open. */
  openTaskId?: string | undefined;
  /** The latest retention task raised, open or closed: a visit after it may win them back. */
  lastTask?: { id: string; raisedAt: string } | undefined;
}

/** What a visit changes on one customer, worked out from their history as read. */
export interface CustomerVisitChange {
  phoneHash: string;
  /** Returns to count, each once (not counted yet, the cohort's recovery as read). */
  returns: { cohort: Cohort; horizonDays: number }[];
  /** The move between segments, if their segment is still `from`. */
  segment?: { from: Segment | undefined; to: Segment; month: string } | undefined;
  /** Their timer to set (null: cleared); left as it is when absent. */
  timer?: Timer<CustomerTimerAction> | null | undefined;
}

/**
 * Cohort buckets kept exact from the customer's history item (keyed by phone hash): every write
 * is conditional on that item, so a redelivered answer or visit never counts twice.
 */
export interface RetentionStore {
  history(phoneHash: string): Promise<CustomerHistory | undefined>;
  /** Many customers' histories in one go (strongly consistent, as `history`); a customer without one is left out. */
  histories(phoneHashes: readonly string[]): Promise<Map<string, CustomerHistory>>;
  /**
   * Writes what visits changed for many customers in few requests, each customer's change only if
   * their history still holds what it was worked out from (the same conditions as countReturns and
   * moveSegment). Answers the customers whose history changed meanwhile: nothing was written for them.
   */
  applyVisitChanges(changes: readonly CustomerVisitChange[]): Promise<Set<string>>;
  /** Puts the cohort on the customer and counts it `surveyed` in each horizon's bucket, once; false if already there. */
  addCohort(phoneHash: string, cohort: Cohort, horizons: readonly number[]): Promise<boolean>;
  /**
   * addCohort for many customers (one cohort each) in few writes, their `surveyed` counts summed per
   * bucket. Answers the customers it added to; one without a history, or with the cohort already
   * there, is left out and nothing of it written.
   */
  addCohorts(cohorts: readonly { phoneHash: string; cohort: Cohort }[], horizons: readonly number[]): Promise<Set<string>>;
  /**
   * Counts each cohort `returned` within its horizon (and `returnedRecovered` for a recovered
   * detractor), once, all in one write; false, and none counted, if any was counted meanwhile.
   */
  countReturns(phoneHash: string, returns: { cohort: Cohort; horizonDays: number }[]): Promise<boolean>;
  /** Marks the cohort recovered: `recovered` in each horizon, and `returnedRecovered` where its return is counted; once. */
  markRecovered(
    phoneHash: string,
    cohort: Cohort,
    countedHorizons: readonly number[],
    horizons: readonly number[],
  ): Promise<boolean>;
  /**
   * Moves the customer from the segment they are counted in (none: not counted yet) to another,
   * once, and counts the move in `month`'s ins and outs; false if it moved meanwhile.
   */
  moveSegment(phoneHash: string, from: Segment | undefined, to: Segment, month: string): Promise<boolean>;
  /** Sets (or, with null, clears) the customer's timer. */
  setTimer(phoneHash: string, timer: Timer<CustomerTimerAction> | null): Promise<void>;
  /** Claims the customer for a task: the at-risk timer that fired is taken out, the task is open; false if it moved meanwhile. */
  openTask(phoneHash: string, task: { id: string; raisedAt: string }, timerAt: string): Promise<boolean>;
  /** The task is closed: the customer may get another once a later silence raises one. */
  closeTask(phoneHash: string, taskId: string): Promise<void>;
}

export interface AlertStore {
  /** Creates the alert unless it exists; true when created now. */
  create(alert: Alert, leaseUntil: string): Promise<boolean>;
  get(alertId: string): Promise<Alert | undefined>;
  /**
   * A department's alerts, newest first. With status `reopened`, its reopened cases, the latest
   * reopened first, from a list of their own: a handful, however many alerts the department has.
   */
  listByDepartment(departmentId: string, options: { status?: AlertStatus | undefined; limit: number }): Promise<Alert[]>;
  /** Every alert of a department created in [from, to] (ISO instants), oldest first. */
  createdBetween(departmentId: string, from: string, to: string): Promise<Alert[]>;
  markDelivered(alertId: string, deliveryKey: string, at: string): Promise<void>;
  update(
    alertId: string,
    changes: AlertChanges,
    expect: { status?: AlertStatus[]; departmentId?: string; timerAt?: string | undefined; leaseUntil?: string | undefined },
    action?: AlertActionRecord,
  ): Promise<boolean>;
  /**
   * Reopens a case that is still resolved and with the department it was read with: the changes
   * (timer leased until `leaseUntil`) and the `reopened` action, and the case joins its department's
   * reopened cases, in one write. False if the condition failed.
   */
  reopen(alert: Alert, changes: AlertChanges, action: AlertActionRecord, leaseUntil: string): Promise<boolean>;
}

/** Changes to a call task; `retryAt: null` clears when to try again. */
export type CallTaskChanges = Omit<Partial<CallTask>, 'retryAt'> & { retryAt?: string | null };

/** Call-backs (电话回访): the tasks of the call-back department, each one survey asked on the phone. */
export interface CallTaskStore {
  /** Creates the task unless it exists (one per survey); true when created now. */
  create(task: CallTask): Promise<boolean>;
  get(taskId: string): Promise<CallTask | undefined>;
  /**
   * A department's tasks in one status: open ones due first, done ones latest closed first; `storeId`
   * narrows to one store.
   */
  list(
    departmentId: string,
    options: { status: CallTaskStatus; storeId?: string | undefined; limit: number },
  ): Promise<CallTask[]>;
  /**
   * Applies the changes and appends `entry` to the task's log if the task is still in `expect.status`
   * and, when given, has made `expect.attempts` calls; false if it moved meanwhile.
   */
  update(
    taskId: string,
    changes: CallTaskChanges,
    expect: { status?: CallTaskStatus; attempts?: number },
    entry?: CallTaskEntry,
  ): Promise<boolean>;
}

export interface DueTimer {
  entity: 'survey' | 'alert' | 'customer';
  id: string;
  action: string;
  at: string;
  departmentId?: string | undefined;
  leaseKey: string;
}

export interface TimerIndex {
  /** Timers due by `now`; with `alsoLeasedUntil`, also those fired before but still leased (in flight). */
  due(now: string, limit: number, alsoLeasedUntil?: string): Promise<DueTimer[]>;
  /** Moves a fired timer's next look past the lease; false if someone else took it. */
  lease(timer: DueTimer, until: string): Promise<boolean>;
}

export interface AlertChannelSender {
  deliver(channel: import('#shared/config/schema.ts').Channel, payload: AlertPayload, idempotencyKey: string): Promise<void>;
}

export interface AlertPayload {
  type:
    | 'alert.raised'
    | 'alert.escalated'
    | 'alert.reassigned'
    | 'alert.reopened'
    | 'retention.raised'
    | 'retention.escalated'
    | 'retention.reassigned';
  alert: {
    id: string;
    departmentId: string;
    departmentName: string;
    priority: string;
    kind: 'detractor' | 'retention';
    segment: Segment | null;
    surveyType: SurveyType | null;
    score: number | null;
    comment: string | null;
    categories: string[];
    storeId: string;
    storeName: string;
    advisorId: string | null;
    serviceType: string;
    customerName: string | null;
    phone: string;
    dueAt: string;
    escalated: boolean;
    createdAt: string;
    /** A retention task's customer: their last visit, visits and spend (never their phone's hash). */
    retention: { lastVisitAt: string; visits: number; spend: number; daysSinceVisit: number } | null;
    /** A reopened case: the re-survey answer that reopened it (`score` and `comment` stay the first answer's). */
    reopened: { at: string; score: number; comment: string | null } | null;
  };
  /** `view`: the case page in the inbox; `api`: the alert's JSON route; `act`: its actions route. */
  links: { view: string; api: string; act: string };
}
