/**
 * In-memory implementations of the ports in shared/ports.ts, faithful to the contracts the
 * DynamoDB adapters implement (conditional updates, atomic survey creation, exactly-once
 * rollups), so use cases can be tested without emulators or module mocks.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, parseConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import { type Granularity, partitionOfPeriod } from '#shared/domain/periods.ts';
import { type Cohort, cohortIncrement, returnIncrement, returnMarker } from '#shared/domain/retention.ts';
import { type Segment, segmentMoveIncrements } from '#shared/domain/rfm.ts';
import type { RollupFact, RollupFamily, RollupIncrement } from '#shared/domain/rollups.ts';
import type { IntegrityFlag } from '#shared/domain/integrity.ts';
import type { CallTask, CallTaskEntry, CallTaskStatus } from '#shared/domain/call-tasks.ts';
import { aggregateRollups } from '#shared/use-cases/aggregate-rollups.ts';
import { reviewStreaks, settleStreaks } from '#shared/use-cases/track-streaks.ts';
import {
  type Alert,
  type AlertActionRecord,
  type AlertStatus,
  contactCardOf,
  type ImportedSurvey,
  type IngestResult,
  type ScoredResponse,
  type Survey,
  type Timer,
} from '#shared/domain/records.ts';
import { sentimentOf } from '#shared/domain/scoring.ts';
import type {
  AlertChanges,
  AlertDeliveryMessage,
  AlertStore,
  CallTaskChanges,
  CallTaskStore,
  Clock,
  CustomerContactCard,
  CustomerHistory,
  CustomerTimerAction,
  CustomerVisitChange,
  CustomerTimerMessage,
  CreateSurveyOutcome,
  DeliveryStatusReport,
  DeliveryStatusStore,
  ImportSurveyOutcome,
  InboundRecord,
  PhoneVault,
  ResponsesQuery,
  ResponseStore,
  RetentionStore,
  RollupQuery,
  RollupRow,
  RollupStore,
  SmsSender,
  TextQuota,
  StreakAnswer,
  StreakStore,
  SuppressionContext,
  SurveyChanges,
  SurveyStore,
  SurveyTimerMessage,
  WorkQueues,
} from '#shared/ports.ts';

const clone = <T>(value: T): T => (value === undefined ? value : structuredClone(value));

/** The shipped example configuration, validated like at start-up. */
export const localConfigPath = fileURLToPath(new URL('../../config/local.json', import.meta.url));
export const localConfig = (): Readonly<Config> => loadConfigFile(localConfigPath);

/** The shipped configuration with some top-level fields replaced, validated again. */
export function configWith(overrides: Partial<Record<keyof Config, unknown>>): Readonly<Config> {
  return parseConfig({ ...structuredClone(localConfig()), ...overrides });
}

export class FakeClock implements Clock {
  private current: number;
  constructor(iso: string) {
    this.current = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(iso: string) {
    this.current = Date.parse(iso);
  }
  advance(ms: number) {
    this.current += ms;
  }
}

export class FakeSmsSender implements SmsSender {
  readonly sent: { to: string; body: string }[] = [];
  /** Each text gets a provider id like Twilio's sid: `SM` and 32 hex digits, counting up. */
  async send(message: { to: string; body: string }): Promise<{ providerMessageId: string }> {
    this.sent.push({ ...message });
    return { providerMessageId: `SM${this.sent.length.toString(16).padStart(32, '0')}` };
  }
}

/** Mirrors DynamoTextQuota: one counter per number and day, raised only below the limit. */
export class FakeTextQuota implements TextQuota {
  readonly counted = new Map<string, { sent: number; expiresAt: string }>();

  async take(phoneHash: string, day: string, limit: number, expiresAt: string): Promise<boolean> {
    const counter = this.counted.get(`${phoneHash}#${day}`);
    if ((counter?.sent ?? 0) >= limit) return false;
    this.counted.set(`${phoneHash}#${day}`, { sent: (counter?.sent ?? 0) + 1, expiresAt });
    return true;
  }
}

/** A simple vault: the hash is stable per number, and neither it nor the "ciphertext" shows the number. */
export const fakeVault: PhoneVault = {
  hash: (e164) => `hash:${createHash('sha256').update(e164).digest('hex').slice(0, 16)}`,
  deviceHash: (fingerprint) => `device:${createHash('sha256').update(fingerprint).digest('hex').slice(0, 16)}`,
  encrypt: (e164) => `enc:${Buffer.from(e164, 'utf8').toString('base64')}`,
  decrypt: (cipher) => {
    if (!cipher.startsWith('enc:')) throw new Error('unreadable phone ciphertext');
    return Buffer.from(cipher.slice(4), 'base64').toString('utf8');
  },
};

export class FakeWorkQueues implements WorkQueues {
  readonly surveyTimers: SurveyTimerMessage[] = [];
  readonly responseUpdates: string[] = [];
  readonly alertDeliveries: { departmentId: string; message: AlertDeliveryMessage }[] = [];
  async surveyTimer(message: SurveyTimerMessage): Promise<void> {
    this.surveyTimers.push({ ...message });
  }
  readonly customerTimers: CustomerTimerMessage[] = [];
  async customerTimer(message: CustomerTimerMessage): Promise<void> {
    this.customerTimers.push({ ...message });
  }
  async responseUpdated(surveyId: string): Promise<void> {
    this.responseUpdates.push(surveyId);
  }
  /** Batches of at most ten, as SQS takes them; each batch is kept to show how they were sent. */
  readonly responseBatches: string[][] = [];
  async responsesUpdated(surveyIds: string[]): Promise<void> {
    for (let i = 0; i < surveyIds.length; i += 10) this.responseBatches.push(surveyIds.slice(i, i + 10));
    this.responseUpdates.push(...surveyIds);
  }
  async alertDelivery(departmentId: string, message: AlertDeliveryMessage): Promise<void> {
    this.alertDeliveries.push({ departmentId, message: { ...message } });
  }
}

/** Mirrors DynamoSurveyStore: one item per event, survey, throttle slot, opt-out and inbound message. */
export class FakeSurveyStore implements SurveyStore {
  readonly surveys = new Map<string, Survey>();
  readonly events = new Map<string, IngestResult>();
  readonly suppressions: {
    eventId: string;
    result: IngestResult;
    context: Omit<SuppressionContext, 'phoneHash' | 'spend' | 'customerId' | 'visitAt'>;
  }[] = [];
  /** phoneHash → when its last survey was created (the throttle slot). */
  readonly throttle = new Map<string, string>();
  readonly optOuts = new Map<string, string>();
  readonly inbounds = new Map<string, InboundRecord>();
  /** surveyId → the lease its timer was created or last moved with. */
  readonly leases = new Map<string, string | undefined>();

  /** Puts a survey in place as if it had been created and moved along earlier. */
  seed(survey: Survey): Survey {
    this.surveys.set(survey.id, clone(survey));
    return survey;
  }

  async ingestResult(eventId: string): Promise<IngestResult | undefined> {
    return clone(this.events.get(eventId));
  }

  readonly webTokens = new Map<string, string>();
  readonly customers = new Map<string, { visits: number; spend: number }>();

  /** phoneHash → the customer ids its visits gave; deviceHash → the customers who answered from it. */
  readonly phoneCustomers = new Map<string, Set<string>>();
  readonly devices = new Map<string, Set<string>>();

  /** phoneHash → when each of its visits took place (the adapter's `visitLog` set). */
  readonly visitLogs = new Map<string, Set<string>>();

  /** phoneHash → how to reach them, from the latest visit taken in (the adapter's `contact`). */
  readonly contacts = new Map<string, CustomerContactCard>();

  private addVisit(phoneHash: string, visitAt: string, spend: number, customerId?: string, contact?: CustomerContactCard) {
    this.visitLogs.set(phoneHash, (this.visitLogs.get(phoneHash) ?? new Set()).add(visitAt));
    if (contact) this.contacts.set(phoneHash, clone(contact));
    const current = this.customers.get(phoneHash) ?? { visits: 0, spend: 0 };
    this.customers.set(phoneHash, { visits: current.visits + 1, spend: current.spend + spend });
    if (customerId) this.phoneCustomers.set(phoneHash, (this.phoneCustomers.get(phoneHash) ?? new Set()).add(customerId));
  }

  async customersOfPhone(phoneHash: string) {
    return [...(this.phoneCustomers.get(phoneHash) ?? [])];
  }

  async recordDevice(deviceHash: string, customer: string) {
    const before = [...(this.devices.get(deviceHash) ?? [])];
    this.devices.set(deviceHash, new Set([...before, customer]));
    return before;
  }

  async customerValue(phoneHash: string) {
    const lastVisitAt = [...(this.visitLogs.get(phoneHash) ?? [])].sort().at(-1);
    return { ...(this.customers.get(phoneHash) ?? { visits: 0, spend: 0 }), ...(lastVisitAt ? { lastVisitAt } : {}) };
  }

  async createSurvey(
    survey: Survey,
    options: { throttleSince: string; leaseUntil?: string; webTokenHash?: string; spend?: number; customerId?: string },
  ): Promise<CreateSurveyOutcome> {
    // All four conditions of the adapter's transaction are checked before anything is written.
    const earlier = this.events.get(survey.eventId);
    const optedOut = this.optOuts.has(survey.phoneHash);
    const last = this.throttle.get(survey.phoneHash);
    const throttled = last !== undefined && !(last <= options.throttleSince);
    if (earlier) return { kind: 'duplicate', result: clone(earlier) };
    if (optedOut) return { kind: 'suppressed', reason: 'opted_out' };
    if (throttled) return { kind: 'suppressed', reason: 'throttled' };
    if (this.surveys.has(survey.id)) throw new Error(`survey ${survey.id} already exists`);
    this.events.set(survey.eventId, {
      eventId: survey.eventId,
      survey: { id: survey.id, status: 'scheduled', sendAt: survey.sendAt },
    });
    this.surveys.set(survey.id, clone(survey));
    this.throttle.set(survey.phoneHash, survey.createdAt);
    this.leases.set(survey.id, options.leaseUntil);
    if (options.webTokenHash) this.webTokens.set(options.webTokenHash, survey.id);
    if (!survey.recoveryOf) {
      this.addVisit(survey.phoneHash, survey.visitAt, options.spend ?? 0, options.customerId, contactCardOf(survey));
    }
    return { kind: 'created' };
  }

  async importSurveys(surveys: ImportedSurvey[], options: { throttleSince: string }): Promise<ImportSurveyOutcome[]> {
    const outcomes: ImportSurveyOutcome[] = [];
    for (const survey of surveys) {
      const earlier = this.events.get(survey.eventId);
      if (earlier) {
        outcomes.push({ kind: 'duplicate', existing: earlier.survey.id ? await this.get(earlier.survey.id) : undefined });
        continue;
      }
      if (this.surveys.has(survey.id)) throw new Error(`survey ${survey.id} already exists`);
      this.events.set(survey.eventId, {
        eventId: survey.eventId,
        survey: { id: survey.id, status: 'scheduled', sendAt: survey.sendAt },
      });
      // Stored as the adapter stores it: a survey whose phone fields may be absent.
      this.surveys.set(survey.id, clone(survey) as Survey);
      if (survey.phoneHash) {
        const contact =
          survey.phoneCipher && survey.phoneMasked
            ? contactCardOf({ ...survey, phoneCipher: survey.phoneCipher, phoneMasked: survey.phoneMasked })
            : undefined;
        this.addVisit(survey.phoneHash, survey.visitAt, survey.spend ?? 0, survey.customerId, contact);
        const last = this.throttle.get(survey.phoneHash);
        if (survey.sendAt > options.throttleSince && (last === undefined || last < survey.sendAt)) {
          this.throttle.set(survey.phoneHash, survey.sendAt);
        }
      }
      outcomes.push({ kind: 'created' });
    }
    return outcomes;
  }

  async findByWebToken(tokenHash: string): Promise<Survey | undefined> {
    const surveyId = this.webTokens.get(tokenHash);
    return surveyId ? this.get(surveyId) : undefined;
  }

  async recordSuppression(eventId: string, result: IngestResult, context: SuppressionContext): Promise<IngestResult> {
    const earlier = this.events.get(eventId);
    if (earlier) return clone(earlier);
    this.events.set(eventId, clone(result));
    const { phoneHash, spend, customerId, visitAt, contact, ...where } = context;
    this.suppressions.push({ eventId, result: clone(result), context: where });
    if (phoneHash) this.addVisit(phoneHash, visitAt ?? context.at, spend ?? 0, customerId, contact);
    return result;
  }

  async get(surveyId: string): Promise<Survey | undefined> {
    return clone(this.surveys.get(surveyId));
  }

  async getMany(surveyIds: readonly string[]): Promise<Map<string, Survey>> {
    const found = surveyIds.map((id) => this.surveys.get(id)).filter((s) => s !== undefined);
    return new Map(found.map((survey) => [survey.id, clone(survey)]));
  }

  async latestForPhone(phoneHash: string, limit: number): Promise<Survey[]> {
    const sortKey = (s: Survey) => `${s.createdAt}#${s.id}`;
    return [...this.surveys.values()]
      .filter((s) => s.phoneHash === phoneHash)
      .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : 0))
      .slice(0, limit)
      .map(clone);
  }

  async update(
    surveyId: string,
    changes: SurveyChanges,
    expect: { status?: Survey['status']; timerAt?: string; leaseUntil?: string },
    inbound?: InboundRecord,
  ): Promise<boolean> {
    const survey = this.surveys.get(surveyId);
    if (!survey) return false;
    if (expect.status && survey.status !== expect.status) return false;
    if (expect.timerAt && survey.timer?.at !== expect.timerAt) return false;
    // With an inbound record the adapter writes in one transaction: a repeat cancels both.
    if (inbound && this.inbounds.has(inbound.key)) return false;
    const { timer, ...fields } = changes;
    const next: Survey = { ...survey };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) Object.assign(next, { [k]: clone(v) });
    if (timer === null) delete next.timer;
    if (timer) {
      next.timer = { ...timer };
      this.leases.set(surveyId, expect.leaseUntil);
    }
    this.surveys.set(surveyId, next);
    if (inbound) this.inbounds.set(inbound.key, clone(inbound));
    return true;
  }

  async inbound(key: string): Promise<InboundRecord | undefined> {
    return clone(this.inbounds.get(key));
  }

  async rememberInbound(record: InboundRecord): Promise<boolean> {
    if (this.inbounds.has(record.key)) return false;
    this.inbounds.set(record.key, clone(record));
    return true;
  }

  async isOptedOut(phoneHash: string): Promise<boolean> {
    return this.optOuts.has(phoneHash);
  }

  async setOptOut(phoneHash: string, optedOut: boolean, at: string): Promise<void> {
    if (optedOut) this.optOuts.set(phoneHash, at);
    else this.optOuts.delete(phoneHash);
  }
}

/**
 * Mirrors DynamoResponseStore: an answer is kept once; each newly kept answer also goes to a
 * change log, as the scores table's stream carries it to the rollups.
 */
export class FakeResponseStore implements ResponseStore {
  readonly responses = new Map<string, ScoredResponse>();
  /** What the change stream has carried and the rollups have not yet taken. */
  readonly stream: RollupFact[] = [];

  /** `streaks`: where a place written with an answer goes (the adapter's one table). */
  constructor(private readonly streaks: FakeStreakStore) {}

  async record(response: ScoredResponse, place?: StreakAnswer): Promise<'recorded' | 'duplicate'> {
    if (this.responses.has(response.surveyId)) return 'duplicate';
    this.responses.set(response.surveyId, clone(response));
    if (!response.recoveryOf) this.stream.push({ kind: 'scored', response: clone(response) });
    if (place) await this.streaks.add(place);
    return 'recorded';
  }

  /** Each answer whole or not at all, as the adapter's transaction: one whose place is there already is left out too. */
  async recordMany(answers: readonly { response: ScoredResponse; place?: StreakAnswer | undefined }[]) {
    const kept = new Set<string>();
    for (const { response, place } of answers) {
      if (this.responses.has(response.surveyId) || (place && this.streaks.answers.has(`${place.streak}|${place.at}`))) continue;
      await this.record(response, place);
      kept.add(response.surveyId);
    }
    return kept;
  }

  async keptOf(answers: Pick<ScoredResponse, 'surveyId'>[]) {
    return new Set(answers.map((a) => a.surveyId).filter((id) => this.responses.has(id)));
  }

  async setFlags(response: ScoredResponse, flags: IntegrityFlag[]) {
    const kept = this.responses.get(response.surveyId);
    if (!kept) return false;
    kept.flags = flags.length ? [...flags] : undefined;
    return true;
  }

  async setComment(response: ScoredResponse, comment: string): Promise<boolean> {
    const kept = this.responses.get(response.surveyId);
    if (!kept) return false;
    kept.comment = comment;
    return true;
  }

  async list(query: ResponsesQuery) {
    const matching = [...this.responses.values()]
      .filter(
        (r) =>
          !r.recoveryOf &&
          r.surveyType === query.surveyType &&
          r.visitDate >= query.from &&
          r.visitDate <= query.to &&
          Object.entries(query.filters).every(([f, v]) => v === undefined || r[f as keyof ScoredResponse] === v) &&
          (!query.sentiment || sentimentOf(r.surveyType, r.score) === query.sentiment) &&
          (!query.withComment || r.comment !== undefined) &&
          (!query.flagged || (r.flags?.length ?? 0) > 0),
      )
      .sort((a, b) => b.visitDate.localeCompare(a.visitDate) || b.surveyId.localeCompare(a.surveyId));
    const start = query.cursor ? Number(query.cursor) : 0;
    const page = matching.slice(start, start + query.limit);
    const next = start + query.limit < matching.length ? String(start + query.limit) : undefined;
    return { responses: clone(page), nextCursor: next };
  }
}

/**
 * Mirrors DynamoRollupStore: a batch's increments are applied once per batch id and chunk.
 * Reading drains the response store's change log first, as the stream consumer would have.
 */
/**
 * Mirrors DynamoStreakStore: answers by streak and answer time, each placed once; newly placed
 * ones go to a change log, as the scores table's stream carries them to the rollups' consumer.
 */
export class FakeStreakStore implements StreakStore {
  readonly answers = new Map<string, StreakAnswer>();
  readonly stream: StreakAnswer[] = [];

  async add(answer: StreakAnswer) {
    const key = `${answer.streak}|${answer.at}`;
    if (this.answers.has(key)) return;
    this.answers.set(key, clone(answer));
    this.stream.push(clone(answer));
  }

  async around(streak: string, from: string, to: string, count: number) {
    const all = [...this.answers.values()].filter((a) => a.streak === streak).sort((a, b) => a.at.localeCompare(b.at));
    const before = all.filter((a) => a.at < from).slice(-count);
    const within = all.filter((a) => a.at >= from && a.at <= to);
    const after = all.filter((a) => a.at > to).slice(0, count);
    return { before: clone(before), range: clone([...within, ...after]) };
  }

  async setFlagged(answer: StreakAnswer, flagged: boolean) {
    const kept = this.answers.get(`${answer.streak}|${answer.at}`);
    if (kept) kept.flagged = flagged;
  }
}

export class FakeRollupStore implements RollupStore {
  /** `<family>#<granularity>#<view>#<partition>` → `<period>#<group>` → row */
  readonly rollups = new Map<string, Map<string, RollupRow>>();
  readonly appliedBatches = new Set<string>();
  private batches = 0;

  constructor(
    private readonly source?: FakeResponseStore,
    private readonly streaks?: { store: FakeStreakStore; config: Readonly<Config> },
  ) {}

  async apply(batchId: string, increments: RollupIncrement[]) {
    if (this.appliedBatches.has(batchId)) return { applied: 0, alreadyApplied: 1 };
    this.appliedBatches.add(batchId);
    this.add(increments);
    return { applied: 1, alreadyApplied: 0 };
  }

  /** Adds to buckets directly (what the retention store's own writes do). */
  add(increments: RollupIncrement[]) {
    for (const { key, counters } of increments) {
      const partition = this.partition(
        `${key.family}#${key.granularity}#${key.view}#${partitionOfPeriod(key.period, key.granularity)}`,
      );
      const sk = `${key.period}#${key.group}`;
      const row = partition.get(sk) ?? { period: key.period, group: key.group, counters: {} };
      for (const [name, n] of Object.entries(counters)) row.counters[name] = (row.counters[name] ?? 0) + n;
      partition.set(sk, row);
    }
  }

  /** The stream consumer's work: everything the change log carried, as one batch. */
  async drain() {
    const facts = this.source?.stream.splice(0) ?? [];
    const arrived = this.streaks?.store.stream.splice(0) ?? [];
    const deps = this.source &&
      this.streaks && { config: this.streaks.config, streaks: this.streaks.store, responses: this.source };
    const streaks = deps && arrived.length ? await reviewStreaks(deps, arrived) : { facts: [], decisions: [] };
    facts.push(...streaks.facts);
    if (facts.length) await aggregateRollups({ rollups: this }, { id: `fake-batch-${this.batches++}`, facts });
    if (deps) await settleStreaks(deps, streaks.decisions);
  }

  async read(query: RollupQuery): Promise<RollupRow[]> {
    await this.drain();
    const from = `${query.fromPeriod}#`;
    const to = `${query.toPeriod}#\uffff`;
    return query.partitions.flatMap((p) =>
      [...(this.rollups.get(`${query.family}#${query.granularity}#${query.view}#${p}`)?.entries() ?? [])]
        .filter(([sk]) => sk >= from && sk <= to)
        .map(([, row]) => clone(row)),
    );
  }

  /** The counters of one bucket, for assertions (after draining the change log). */
  async bucket(family: RollupFamily, granularity: Granularity, view: string, period: string, group: string) {
    await this.drain();
    const partition = this.rollups.get(`${family}#${granularity}#${view}#${partitionOfPeriod(period, granularity)}`);
    return clone(partition?.get(`${period}#${group}`)?.counters);
  }

  private partition(key: string) {
    const partition = this.rollups.get(key) ?? new Map<string, RollupRow>();
    this.rollups.set(key, partition);
    return partition;
  }
}

/** Mirrors DynamoRetentionStore: cohorts and counted returns on the customer, counters in the rollups. */
export class FakeRetentionStore implements RetentionStore {
  readonly customers = new Map<string, { cohorts: Map<string, Cohort>; counted: Set<string> }>();
  readonly segmentOf = new Map<string, Segment>();
  /** phoneHash → the customer's timer, the open task and the latest task (the adapter keeps them on the customer). */
  readonly timers = new Map<string, Timer<CustomerTimerAction>>();
  readonly openTasks = new Map<string, string>();
  readonly lastTasks = new Map<string, { id: string; raisedAt: string }>();

  constructor(
    private readonly surveys: FakeSurveyStore,
    private readonly rollups: FakeRollupStore,
  ) {}

  async history(phoneHash: string): Promise<CustomerHistory | undefined> {
    const visits = this.surveys.visitLogs.get(phoneHash);
    if (!visits) return undefined;
    const customer = this.customers.get(phoneHash);
    return {
      visits: [...visits],
      cohorts: [...(customer?.cohorts.values() ?? [])].map(clone),
      counted: new Set(customer?.counted),
      value: await this.surveys.customerValue(phoneHash),
      segment: this.segmentOf.get(phoneHash),
      contact: clone(this.surveys.contacts.get(phoneHash)),
      timer: clone(this.timers.get(phoneHash)),
      openTaskId: this.openTasks.get(phoneHash),
      lastTask: clone(this.lastTasks.get(phoneHash)),
    };
  }

  async setTimer(phoneHash: string, timer: Timer<CustomerTimerAction> | null) {
    if (!this.surveys.visitLogs.has(phoneHash)) return;
    if (timer === null) this.timers.delete(phoneHash);
    else this.timers.set(phoneHash, { ...timer });
  }

  async openTask(phoneHash: string, task: { id: string; raisedAt: string }, timerAt: string) {
    const timer = this.timers.get(phoneHash);
    if (timer?.action !== 'at_risk' || timer.at !== timerAt || this.openTasks.has(phoneHash)) return false;
    this.timers.delete(phoneHash);
    this.openTasks.set(phoneHash, task.id);
    this.lastTasks.set(phoneHash, { ...task });
    return true;
  }

  async closeTask(phoneHash: string, taskId: string) {
    if (this.openTasks.get(phoneHash) === taskId) this.openTasks.delete(phoneHash);
  }

  async addCohort(phoneHash: string, cohort: Cohort, horizons: readonly number[]) {
    if (!this.surveys.visitLogs.has(phoneHash)) return false;
    const customer = this.customers.get(phoneHash) ?? { cohorts: new Map(), counted: new Set<string>() };
    this.customers.set(phoneHash, customer);
    if (customer.cohorts.has(cohort.surveyId)) return false;
    customer.cohorts.set(cohort.surveyId, clone(cohort));
    this.bump(cohort, horizons, () => ({ surveyed: 1 }));
    return true;
  }

  async addCohorts(cohorts: readonly { phoneHash: string; cohort: Cohort }[], horizons: readonly number[]) {
    const added = new Set<string>();
    for (const { phoneHash, cohort } of cohorts) {
      if (!added.has(phoneHash) && (await this.addCohort(phoneHash, cohort, horizons))) added.add(phoneHash);
    }
    return added;
  }

  async countReturns(phoneHash: string, returns: { cohort: Cohort; horizonDays: number }[]) {
    return this.write({ phoneHash, returns });
  }

  async markRecovered(phoneHash: string, cohort: Cohort, countedHorizons: readonly number[], horizons: readonly number[]) {
    const customer = this.customers.get(phoneHash);
    const kept = customer?.cohorts.get(cohort.surveyId);
    if (!customer || !kept || kept.recovered) return false;
    if (horizons.some((h) => customer.counted.has(returnMarker(cohort.surveyId, h)) !== countedHorizons.includes(h))) {
      return false;
    }
    kept.recovered = true;
    this.bump(cohort, horizons, (h) => ({ recovered: 1, ...(countedHorizons.includes(h) ? { returnedRecovered: 1 } : {}) }));
    return true;
  }

  async moveSegment(phoneHash: string, from: Segment | undefined, to: Segment, month: string) {
    return this.write({ phoneHash, returns: [], segment: { from, to, month } });
  }

  async histories(phoneHashes: readonly string[]) {
    const histories = new Map<string, CustomerHistory>();
    for (const phoneHash of new Set(phoneHashes)) {
      const history = await this.history(phoneHash);
      if (history) histories.set(phoneHash, history);
    }
    return histories;
  }

  /** Each customer's change whole or not at all, on the adapter's conditions; answers those whose condition failed. */
  async applyVisitChanges(changes: readonly CustomerVisitChange[]) {
    return new Set(changes.filter((change) => !this.write(change)).map((change) => change.phoneHash));
  }

  /** The change, if it still holds; false when it does not (nothing written). */
  private write(change: CustomerVisitChange) {
    if (!this.holds(change)) return false;
    this.apply(change);
    return true;
  }

  private holds({ phoneHash, returns, segment }: CustomerVisitChange) {
    if (!this.surveys.visitLogs.has(phoneHash)) return false;
    const customer = this.customers.get(phoneHash);
    const returnsHold = returns.every(({ cohort, horizonDays }) => {
      const kept = customer?.cohorts.get(cohort.surveyId);
      return (
        kept !== undefined &&
        !customer?.counted.has(returnMarker(cohort.surveyId, horizonDays)) &&
        (kept.recovered === true) === (cohort.recovered === true)
      );
    });
    return returnsHold && (!segment || this.segmentOf.get(phoneHash) === segment.from);
  }

  private apply({ phoneHash, returns, segment, timer }: CustomerVisitChange) {
    for (const { cohort, horizonDays } of returns) {
      this.customers.get(phoneHash)?.counted.add(returnMarker(cohort.surveyId, horizonDays));
      this.rollups.add([returnIncrement(cohort, horizonDays)]);
    }
    if (segment) {
      this.segmentOf.set(phoneHash, segment.to);
      this.rollups.add(segmentMoveIncrements(phoneHash, segment.from, segment.to, segment.month));
    }
    if (timer === null) this.timers.delete(phoneHash);
    else if (timer) this.timers.set(phoneHash, { ...timer });
  }

  private bump(cohort: Cohort, horizons: readonly number[], counters: (h: number) => Record<string, number>) {
    this.rollups.add(horizons.map((h) => cohortIncrement(cohort, h, counters(h))));
  }
}

/** Mirrors DynamoAlertStore: create-once, conditional updates, actions appended in the same write. */
export class FakeAlertStore implements AlertStore {
  readonly alerts = new Map<string, Alert>();
  readonly leases = new Map<string, string | undefined>();

  async create(alert: Alert, leaseUntil: string): Promise<boolean> {
    if (this.alerts.has(alert.id)) return false;
    this.alerts.set(alert.id, clone(alert));
    this.leases.set(alert.id, leaseUntil);
    return true;
  }

  async get(alertId: string): Promise<Alert | undefined> {
    return clone(this.alerts.get(alertId));
  }

  async listByDepartment(departmentId: string, options: { status?: AlertStatus; limit: number }): Promise<Alert[]> {
    // Reopened cases come from a list of their own, the latest reopened first.
    const sortKey = (a: Alert) => `${options.status === 'reopened' ? (a.reopened?.at ?? '') : a.createdAt}#${a.id}`;
    return [...this.alerts.values()]
      .filter((a) => a.departmentId === departmentId && (!options.status || a.status === options.status))
      .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : 0))
      .slice(0, options.limit)
      .map(clone);
  }

  async createdBetween(departmentId: string, from: string, to: string): Promise<Alert[]> {
    return [...this.alerts.values()]
      .filter((a) => a.departmentId === departmentId && a.createdAt >= from && a.createdAt <= `${to}~`)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map(clone);
  }

  async markDelivered(alertId: string, deliveryKey: string, at: string): Promise<void> {
    const alert = this.alerts.get(alertId);
    if (alert && alert.deliveries[deliveryKey] === undefined) alert.deliveries[deliveryKey] = at;
  }

  async update(
    alertId: string,
    changes: AlertChanges,
    expect: { status?: AlertStatus[]; departmentId?: string; timerAt?: string; leaseUntil?: string },
    action?: AlertActionRecord,
  ): Promise<boolean> {
    const alert = this.alerts.get(alertId);
    if (!alert) return false;
    if (expect.status && !expect.status.includes(alert.status)) return false;
    if (expect.departmentId && alert.departmentId !== expect.departmentId) return false;
    if (expect.timerAt && alert.timer?.at !== expect.timerAt) return false;
    const { timer, ...fields } = changes;
    const next: Alert = { ...alert };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) Object.assign(next, { [k]: clone(v) });
    if (timer === null) delete next.timer;
    if (timer) {
      next.timer = { ...timer };
      this.leases.set(alertId, expect.leaseUntil);
    }
    if (action) next.actions = [...alert.actions, clone(action)];
    this.alerts.set(alertId, next);
    return true;
  }

  async reopen(alert: Alert, changes: AlertChanges, action: AlertActionRecord, leaseUntil: string): Promise<boolean> {
    return this.update(alert.id, changes, { status: ['resolved'], departmentId: alert.departmentId, leaseUntil }, action);
  }
}

/** Mirrors DynamoCallTaskStore: one task per id, open ones due first, conditional updates with the log appended. */
export class FakeCallTaskStore implements CallTaskStore {
  readonly tasks = new Map<string, CallTask>();

  async create(task: CallTask): Promise<boolean> {
    if (this.tasks.has(task.id)) return false;
    this.tasks.set(task.id, clone(task));
    return true;
  }

  async get(taskId: string): Promise<CallTask | undefined> {
    return clone(this.tasks.get(taskId));
  }

  async list(departmentId: string, options: { status: CallTaskStatus; storeId?: string; limit: number }): Promise<CallTask[]> {
    const key = (t: CallTask) => `${t.status === 'open' ? t.dueAt : (t.closedAt ?? t.dueAt)}#${t.id}`;
    const sorted = [...this.tasks.values()]
      .filter(
        (t) =>
          t.departmentId === departmentId && t.status === options.status && (!options.storeId || t.storeId === options.storeId),
      )
      .sort((a, b) => key(a).localeCompare(key(b)));
    return (options.status === 'open' ? sorted : sorted.reverse()).slice(0, options.limit).map((t) => clone(t));
  }

  async update(
    taskId: string,
    changes: CallTaskChanges,
    expect: { status?: CallTaskStatus; attempts?: number },
    entry?: CallTaskEntry,
  ): Promise<boolean> {
    const task = this.tasks.get(taskId);
    if (!task) return false;
    if (expect.status && task.status !== expect.status) return false;
    if (expect.attempts !== undefined && task.attempts !== expect.attempts) return false;
    const { retryAt, ...fields } = changes;
    const next: CallTask = { ...task };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) Object.assign(next, { [k]: clone(v) });
    if (retryAt === null) delete next.retryAt;
    else if (retryAt !== undefined) next.retryAt = retryAt;
    if (entry) next.log = [...task.log, clone(entry)];
    this.tasks.set(taskId, next);
    return true;
  }
}

/** A fresh set of fakes around one configuration and one clock. */
export function createFakes(options: { config?: Readonly<Config>; now?: string } = {}) {
  const config = options.config ?? localConfig();
  const clock = new FakeClock(options.now ?? '2026-11-20T02:00:00.000Z');
  const surveys = new FakeSurveyStore();
  const streaks = new FakeStreakStore();
  const responses = new FakeResponseStore(streaks);
  const rollups = new FakeRollupStore(responses, { store: streaks, config });
  const alerts = new FakeAlertStore();
  const queues = new FakeWorkQueues();
  const sms = new FakeSmsSender();
  const retention = new FakeRetentionStore(surveys, rollups);
  const calls = new FakeCallTaskStore();
  const quota = new FakeTextQuota();
  return { config, clock, surveys, responses, streaks, rollups, alerts, queues, sms, vault: fakeVault, retention, calls, quota };
}
export type Fakes = ReturnType<typeof createFakes>;

let responses = 0;
/** A scored answer as the scorer keeps it; override what the test is about. */
export const aResponse = (score: number, overrides: Partial<ScoredResponse> = {}): ScoredResponse => ({
  surveyId: `sv_r${++responses}`,
  surveyType: 'nps',
  score,
  storeId: 'sh-pudong',
  departmentId: 'workshop',
  advisorId: 'A-17',
  serviceType: 'first_service',
  visitDate: '2026-11-10',
  answeredAt: '2026-11-10T08:00:00.000Z',
  channel: 'sms',
  ...overrides,
});

/** A survey as the store would hold it; override what the test is about. */
export function aSurvey(overrides: Partial<Survey> & { phone?: string } = {}): Survey {
  const { phone = '+8613800138000', ...fields } = overrides;
  return {
    id: 'sv_1',
    eventId: 'RO-2026-000123',
    surveyType: 'nps',
    status: 'awaiting_score',
    storeId: 'sh-pudong',
    serviceType: 'first_service',
    departmentId: 'workshop',
    advisorId: 'A-17',
    customerName: '王先生',
    locale: 'zh-CN',
    phoneHash: fakeVault.hash(phone),
    phoneCipher: fakeVault.encrypt(phone),
    phoneMasked: '+86 138****8000',
    visitAt: '2026-11-19T01:30:00.000Z',
    visitDate: '2026-11-19',
    createdAt: '2026-11-19T01:30:01.000Z',
    sendAt: '2026-11-19T03:30:00.000Z',
    sentAt: '2026-11-19T03:30:00.000Z',
    timer: { action: 'remind', at: '2026-11-20T03:30:00.000Z' },
    ...fields,
  };
}

/** Mirrors DynamoDeliveryStatusStore: one record per message, each status once, the furthest one current. */
export class FakeDeliveryStatusStore implements DeliveryStatusStore {
  readonly messages = new Map<
    string,
    {
      status: string;
      rank: number;
      errorCode?: string | undefined;
      history: { status: string; at: string; errorCode?: string }[];
    }
  >();

  async record(report: DeliveryStatusReport): Promise<'recorded' | 'duplicate'> {
    const message = this.messages.get(report.messageId);
    if (message?.history.some((h) => h.status === report.status)) return 'duplicate';
    const entry = { status: report.status, at: report.at, ...(report.errorCode ? { errorCode: report.errorCode } : {}) };
    if (!message) {
      this.messages.set(report.messageId, {
        status: report.status,
        rank: report.rank,
        errorCode: report.errorCode,
        history: [entry],
      });
      return 'recorded';
    }
    message.history.push(entry);
    if (report.rank >= message.rank)
      Object.assign(message, { status: report.status, rank: report.rank, errorCode: report.errorCode });
    return 'recorded';
  }
}
