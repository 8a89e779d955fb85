/**
 * In-memory implementations of the ports in shared/ports.ts, faithful to the contracts the
 * DynamoDB adapters implement (conditional updates, atomic survey creation, exactly-once
 * rollups), so use cases can be tested without emulators or module mocks.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, parseConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import { type Granularity, granularities, partitionOfPeriod, periodOf } from '#shared/domain/periods.ts';
import type {
  Alert,
  AlertActionRecord,
  AlertStatus,
  ImportedSurvey,
  IngestResult,
  ScoredResponse,
  Survey,
} from '#shared/domain/records.ts';
import { addCounters, type Counters, countersFor } from '#shared/domain/scoring.ts';
import type {
  AlertChanges,
  AlertDeliveryMessage,
  AlertStore,
  Clock,
  CreateSurveyOutcome,
  DeliveryStatusReport,
  DeliveryStatusStore,
  ImportSurveyOutcome,
  InboundRecord,
  PhoneVault,
  RollupRow,
  RollupView,
  ScoreStore,
  SmsSender,
  SuppressionContext,
  SurveyChanges,
  SurveyStore,
  SurveyTimerMessage,
  WorkQueues,
} from '#shared/ports.ts';
import type { SurveyType } from '#shared/config/schema.ts';

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

/** A simple vault: the hash is stable per number, and neither it nor the "ciphertext" shows the number. */
export const fakeVault: PhoneVault = {
  hash: (e164) => `hash:${createHash('sha256').update(e164).digest('hex').slice(0, 16)}`,
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
    context: { storeId?: string; advisorId?: string; at: string };
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

  private addVisit(phoneHash: string, spend: number) {
    const current = this.customers.get(phoneHash) ?? { visits: 0, spend: 0 };
    this.customers.set(phoneHash, { visits: current.visits + 1, spend: current.spend + spend });
  }

  async customerValue(phoneHash: string) {
    return { ...(this.customers.get(phoneHash) ?? { visits: 0, spend: 0 }) };
  }

  async createSurvey(
    survey: Survey,
    options: { throttleSince: string; leaseUntil?: string; webTokenHash?: string; spend?: number },
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
    this.addVisit(survey.phoneHash, options.spend ?? 0);
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
        this.addVisit(survey.phoneHash, 0);
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
    const { phoneHash, spend, ...where } = context;
    this.suppressions.push({ eventId, result: clone(result), context: where });
    if (phoneHash) this.addVisit(phoneHash, spend ?? 0);
    return result;
  }

  async get(surveyId: string): Promise<Survey | undefined> {
    return clone(this.surveys.get(surveyId));
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

const conditionFailure = () =>
  Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

/**
 * Mirrors DynamoScoreStore: a response is recorded once, with every rollup bucket it adds to
 * (day, week and month of each view) and the survey's recordedAt, all or nothing.
 */
export class FakeScoreStore implements ScoreStore {
  readonly responses = new Map<string, ScoredResponse & { recordedAt: string }>();
  /** `<survey>#<granularity>#<view>#<partition>` → `<period>#<group>` → row */
  readonly rollups = new Map<string, Map<string, RollupRow>>();

  constructor(
    private readonly surveys: FakeSurveyStore,
    private readonly clock: Clock,
  ) {}

  async recordResponse(response: ScoredResponse, views: RollupView[]): Promise<'recorded' | 'duplicate'> {
    const recordedAt = this.clock.now().toISOString();
    const survey = this.surveys.surveys.get(response.surveyId);
    if (this.responses.has(response.surveyId)) {
      if (survey && !survey.recordedAt) survey.recordedAt = recordedAt;
      return 'duplicate';
    }
    this.responses.set(response.surveyId, { ...clone(response), recordedAt });
    const counters = countersFor(response.surveyType, response.score);
    for (const granularity of granularities) {
      const period = periodOf(response.visitDate, granularity);
      for (const { view, group } of views) {
        const partition = this.partition(response.surveyType, granularity, view, partitionOfPeriod(period, granularity));
        const key = `${period}#${group}`;
        const row = partition.get(key) ?? { period, group, counters: counters0() };
        partition.set(key, { ...row, counters: addCounters(row.counters, counters) });
      }
    }
    if (survey) survey.recordedAt = recordedAt;
    return 'recorded';
  }

  async setComment(surveyId: string, comment: string): Promise<void> {
    const response = this.responses.get(surveyId);
    if (!response) throw conditionFailure();
    response.comment = comment;
  }

  async readRollups(query: {
    survey: SurveyType;
    granularity: Granularity;
    view: string;
    partitions: string[];
    fromPeriod: string;
    toPeriod: string;
  }): Promise<RollupRow[]> {
    const from = `${query.fromPeriod}#`;
    const to = `${query.toPeriod}#\uffff`;
    return query.partitions.flatMap((p) =>
      [...(this.rollups.get(`${query.survey}#${query.granularity}#${query.view}#${p}`)?.entries() ?? [])]
        .filter(([sk]) => sk >= from && sk <= to)
        .map(([, row]) => clone(row)),
    );
  }

  /** The counters of one bucket, for assertions. */
  bucket(survey: SurveyType, granularity: Granularity, view: string, period: string, group: string): Counters | undefined {
    const partition = this.rollups.get(`${survey}#${granularity}#${view}#${partitionOfPeriod(period, granularity)}`);
    return clone(partition?.get(`${period}#${group}`)?.counters);
  }

  private partition(survey: SurveyType, granularity: Granularity, view: string, partition: string) {
    const key = `${survey}#${granularity}#${view}#${partition}`;
    let rows = this.rollups.get(key);
    if (!rows) {
      rows = new Map();
      this.rollups.set(key, rows);
    }
    return rows;
  }
}

const counters0 = (): Counters => ({ responses: 0, promoters: 0, passives: 0, detractors: 0, scoreSum: 0 });

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
    const sortKey = (a: Alert) => `${a.createdAt}#${a.id}`;
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
}

/** A fresh set of fakes around one configuration and one clock. */
export function createFakes(options: { config?: Readonly<Config>; now?: string } = {}) {
  const config = options.config ?? localConfig();
  const clock = new FakeClock(options.now ?? '2026-11-20T02:00:00.000Z');
  const surveys = new FakeSurveyStore();
  const scores = new FakeScoreStore(surveys, clock);
  const alerts = new FakeAlertStore();
  const queues = new FakeWorkQueues();
  const sms = new FakeSmsSender();
  return { config, clock, surveys, scores, alerts, queues, sms, vault: fakeVault };
}
export type Fakes = ReturnType<typeof createFakes>;

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
