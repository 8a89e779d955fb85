import { randomUUID } from 'node:crypto';
import * as z from '#shared/zod.ts';
import { toDotPath } from 'zod/v4/core';
import { type Config, type Locale, type Store, type SurveyType, surveyTypes } from '#shared/config/schema.ts';
import { type ImportFormat, type ImportRecord, readImportRecords } from '#shared/domain/import-records.ts';
import { maskPhone, toE164 } from '#shared/domain/phone.ts';
import { localDate, nextSendableTime } from '#shared/domain/quiet-hours.ts';
import { webAnswerFlagsOf } from '#shared/domain/integrity.ts';
import type { ImportedSurvey, Survey } from '#shared/domain/records.ts';
import { isInScale, scales } from '#shared/domain/scoring.ts';
import { PayloadTooLargeError, ValidationError } from '#shared/errors.ts';
import { type Deps, MINUTE } from './deps.ts';
import { noteVisits } from './track-retention.ts';

/** One request's limits: a file of any size goes in several requests (`npm run import` cuts it). */
export const MAX_IMPORT_ROWS = 1000;
export const MAX_IMPORT_BYTES = 1024 * 1024;
/** How far ahead of this clock a time may be and still count as past (the sender's clock may run fast). */
const CLOCK_SKEW_MS = 5 * MINUTE;
const DAY_MS = 24 * 60 * MINUTE;
/** Rows written (and their answers handed on) per step, so an interrupted request leaves little undone. */
const WRITE_SLICE = 200;

export const requiredImportColumns = ['eventId', 'occurredAt', 'storeId', 'serviceType'] as const;

const text = (max: number) =>
  z
    .string({ error: 'text is needed here' })
    .check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(max, `at most ${max} characters`));
const instant = z.iso.datetime({ offset: true, error: 'an ISO 8601 time with its offset, e.g. 2026-05-01T09:30:00+08:00' });

/** One past visit and its survey, as a migrating team exports it; a CSV has one column per field. */
export const importRowSchema = z.object({
  /** The visit's id in the source system: the idempotency key, shared with POST /v1/service-events. */
  eventId: text(128),
  occurredAt: instant,
  storeId: text(40),
  serviceType: text(64),
  advisorId: z.optional(text(64)),
  technicianId: z.optional(text(64)),
  /** Whose scores the answer counts in; else the survey plan's. */
  departmentId: z.optional(text(40)),
  customerId: z.optional(text(128)),
  customerName: z.optional(text(64)),
  phone: z.optional(text(32)),
  /** What the visit cost the customer (the stores' currency): their spend in the history (RFM). */
  amount: z.optional(z.number({ error: 'a number' }).check(z.nonnegative('not negative'))),
  locale: z.optional(z.enum(['zh-CN', 'en'], { error: 'zh-CN or en' })),
  survey: z.optional(z.enum(surveyTypes, { error: 'nps, csat or ces' })),
  channel: z.optional(z.enum(['sms', 'web'], { error: 'sms or web' })),
  sentAt: z.optional(instant),
  /** With a score the survey was answered; without one it was sent and expired. */
  score: z.optional(z.number({ error: 'a number' })),
  comment: z.optional(z.string({ error: 'text is needed here' }).check(z.trim(), z.maxLength(1600, 'at most 1600 characters'))),
  answeredAt: z.optional(instant),
});
export type ImportRowFields = z.infer<typeof importRowSchema>;

/** A valid row with everything it left to the configuration worked out. */
export interface ImportRow {
  line: number;
  eventId: string;
  store: Store;
  serviceType: string;
  surveyType: SurveyType;
  departmentId: string;
  advisorId?: string | undefined;
  technicianId?: string | undefined;
  customerId?: string | undefined;
  customerName?: string | undefined;
  /** E.164. */
  phone?: string | undefined;
  amount?: number | undefined;
  locale?: Locale | undefined;
  channel: 'sms' | 'web';
  visitAt: string;
  sentAt: string;
  answer?: { score: number; answeredAt: string; comment?: string | undefined } | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The checks that need the configuration and the clock; field → message. */
function resolveRow(
  line: number,
  row: ImportRowFields,
  config: Readonly<Config>,
  now: number,
): { row: ImportRow } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const store = config.stores.find((s) => s.id === row.storeId);
  if (!store) errors.storeId = `not a configured store (${config.stores.map((s) => s.id).join(', ')})`;
  const plan = config.surveyPlans.find((p) => p.serviceType === row.serviceType);
  if (!plan) {
    errors.serviceType = `no survey plan for this service type (${config.surveyPlans.map((p) => p.serviceType).join(', ')})`;
  }
  if (row.departmentId && !config.departments.some((d) => d.id === row.departmentId)) {
    errors.departmentId = `not a configured department (${config.departments.map((d) => d.id).join(', ')})`;
  }
  const phone = row.phone && store ? toE164(row.phone, store.country) : undefined;
  if (row.phone && store && !phone) errors.phone = `not a valid phone number (${store.country} when it has no country code)`;

  const future = (ms: number) => ms > now + CLOCK_SKEW_MS;
  const visitAt = Date.parse(row.occurredAt);
  if (future(visitAt)) errors.occurredAt = 'in the future';
  else if (visitAt < now - config.privacy.retentionDays * DAY_MS) {
    errors.occurredAt = `older than the retention time (${config.privacy.retentionDays} days)`;
  }

  const given = (field: 'sentAt' | 'answeredAt') => (row[field] === undefined ? undefined : Date.parse(row[field]));
  const sentGiven = given('sentAt');
  const answeredGiven = given('answeredAt');
  if (sentGiven !== undefined && sentGiven < visitAt) errors.sentAt = 'before occurredAt';
  else if (sentGiven !== undefined && future(sentGiven)) errors.sentAt = 'in the future';
  if (answeredGiven !== undefined) {
    if (row.score === undefined) errors.answeredAt = 'only with a score';
    else if (answeredGiven < visitAt) errors.answeredAt = 'before occurredAt';
    else if (sentGiven !== undefined && answeredGiven < sentGiven) errors.answeredAt = 'before sentAt';
    else if (future(answeredGiven)) errors.answeredAt = 'in the future';
  }
  if (row.comment && row.score === undefined) errors.comment = 'only with a score';

  const survey = row.survey ?? plan?.survey;
  if (row.score !== undefined && survey && !isInScale(survey, row.score)) {
    const { min, max } = scales[survey];
    errors.score = `a whole number from ${min} to ${max} for ${survey}`;
  }

  // Without a sentAt, the text went out when the plan would have sent it (quiet hours respected),
  // or when the answer came, if that was earlier.
  let sentAt = sentGiven;
  if (sentAt === undefined && store && plan) {
    const planned = nextSendableTime(new Date(visitAt + plan.delayMinutes * MINUTE), store.timezone, config.quietHours);
    sentAt = Math.min(planned.getTime(), answeredGiven ?? Number.POSITIVE_INFINITY);
    if (row.score === undefined && future(sentAt) && !errors.occurredAt)
      errors.sentAt = "needed: the plan's send time for this visit has not come yet";
  }
  if (Object.keys(errors).length > 0 || !store || !plan || !survey || sentAt === undefined) return { errors };

  return {
    row: {
      line,
      eventId: row.eventId,
      store,
      serviceType: row.serviceType,
      surveyType: survey,
      departmentId: row.departmentId ?? plan.departmentId ?? config.defaultDepartment,
      advisorId: row.advisorId,
      technicianId: row.technicianId,
      customerId: row.customerId,
      customerName: row.customerName,
      phone,
      amount: row.amount,
      locale: row.locale,
      channel: row.channel ?? 'sms',
      visitAt: iso(visitAt),
      sentAt: iso(sentAt),
      answer:
        row.score === undefined
          ? undefined
          : { score: row.score, answeredAt: iso(answeredGiven ?? sentAt), comment: row.comment || undefined },
    },
  };
}

/**
 * Validates every record (nothing is written unless all are valid). Errors are keyed
 * `<line>.<field>`, the line counted in the file or request body.
 */
export function validateImportRows(
  records: readonly ImportRecord[],
  config: Readonly<Config>,
  now: Date,
): { rows: ImportRow[]; errors: Record<string, string> } {
  const rows: ImportRow[] = [];
  const errors: Record<string, string> = {};
  const firstLineOf = new Map<string, number>();
  for (const record of records) {
    const parsed = importRowSchema.safeParse(record.fields);
    const fieldErrors: Record<string, string> = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) fieldErrors[toDotPath(issue.path) || '(row)'] ??= issue.message;
    } else {
      const resolved = resolveRow(record.line, parsed.data, config, now.getTime());
      const first = firstLineOf.get(parsed.data.eventId);
      if ('errors' in resolved) Object.assign(fieldErrors, resolved.errors);
      if (first !== undefined) fieldErrors.eventId ??= `the same eventId as line ${first}`;
      else firstLineOf.set(parsed.data.eventId, record.line);
      if ('row' in resolved && first === undefined) rows.push(resolved.row);
    }
    for (const [field, message] of Object.entries(fieldErrors)) errors[`${record.line}.${field}`] = message;
  }
  return { rows, errors };
}

/** A request body → valid rows, or the 4xx that says what is wrong with which line. */
export function readImportRequest(deps: Pick<Deps, 'config' | 'clock'>, body: Buffer, format: ImportFormat): ImportRow[] {
  const read = readImportRecords(body, format, requiredImportColumns);
  if (read.records.length > MAX_IMPORT_ROWS) {
    throw new PayloadTooLargeError(
      `at most ${MAX_IMPORT_ROWS} rows per request, this one has ${read.records.length}: send the rest in further requests`,
    );
  }
  const { rows, errors } = validateImportRows(read.records, deps.config, deps.clock.now());
  const all = { ...read.errors, ...errors };
  const invalid = Object.keys(all).length;
  if (invalid > 0) throw new ValidationError(`${invalid} problem(s) in the rows: nothing was imported`, all);
  if (rows.length === 0) throw new ValidationError('no rows to import');
  return rows;
}

export interface ImportSummary {
  imported: number;
  duplicates: number;
  /** Imported rows with a score: handed to the scorer, as live answers are. */
  answered: number;
}

function importedAnswerFlags(config: Deps['config'], visitAt: string, answeredAt: string) {
  const flags = webAnswerFlagsOf({
    visitAt,
    answeredAt,
    fastAnswerMinutes: config.integrity.fastAnswerMinutes,
    fromStoreNetwork: false,
    otherCustomersOnDevice: 0,
  });
  return flags.length ? flags : undefined;
}

function surveyOf(deps: Pick<Deps, 'config' | 'vault'>, row: ImportRow, importedAt: string): ImportedSurvey {
  const { answer, phone } = row;
  return {
    id: `sv_${randomUUID().replaceAll('-', '')}`,
    eventId: row.eventId,
    surveyType: row.surveyType,
    status: answer ? 'completed' : 'expired',
    storeId: row.store.id,
    serviceType: row.serviceType,
    departmentId: row.departmentId,
    advisorId: row.advisorId,
    technicianId: row.technicianId,
    customerId: row.customerId,
    customerName: row.customerName,
    locale: row.locale ?? deps.config.defaultLocale,
    ...(phone
      ? { phoneHash: deps.vault.hash(phone), phoneCipher: deps.vault.encrypt(phone), phoneMasked: maskPhone(phone) }
      : {}),
    visitAt: row.visitAt,
    spend: row.amount,
    visitDate: localDate(new Date(row.visitAt), row.store.timezone),
    // Created when the visit happened, as a live survey is: a phone's surveys stay in their real order.
    createdAt: row.visitAt,
    sendAt: row.sentAt,
    sentAt: row.sentAt,
    score: answer?.score,
    scoredAt: answer?.answeredAt,
    reason: answer?.comment,
    endedAt: answer?.answeredAt,
    channel: answer ? row.channel : undefined,
    // What history can tell: a visit without a phone, a web answer soon after the visit (the origin is not in an export).
    contactFlags: phone ? undefined : ['no_phone'],
    answerFlags: answer && row.channel === 'web' ? importedAnswerFlags(deps.config, row.visitAt, answer.answeredAt) : undefined,
    // History is not followed up today: the scorer sees this and raises no alert.
    alertsRaisedAt: importedAt,
    importedAt,
  };
}

/**
 * An earlier import of this eventId with an answer: handed to the scorer again unless its answer
 * is kept, in case the earlier request was cut short before it was. A retried request (a client
 * that timed out) then costs one batched read, not a second scoring of every answer in it.
 */
const answeredOnImport = (existing: Survey | undefined): existing is Survey =>
  existing?.importedAt !== undefined && existing.score !== undefined;

/**
 * History arrives in any order: a visit imported after its customer's earlier answer was scored is
 * a return of that answer's cohort. The slice's customers are noted together, duplicates too, so a
 * run interrupted between writing and counting is finished by the next one.
 */
const countImportedReturns = (
  deps: Pick<Deps, 'config' | 'clock' | 'retention' | 'alerts' | 'queues'>,
  surveys: ImportedSurvey[],
) => noteVisits(deps, [...new Set(surveys.flatMap((s) => (s.phoneHash ? [s.phoneHash] : [])))]);

/**
 * Imports valid rows as finished surveys, once per eventId, and hands each new answer to the
 * scorer through the responses queue: the same path, rollups and exactly-once rules as a live
 * answer. Running the same import again adds nothing, and finishes what an interrupted run left.
 */
export async function importAnswers(
  deps: Pick<Deps, 'config' | 'clock' | 'surveys' | 'responses' | 'queues' | 'vault' | 'retention' | 'alerts'>,
  rows: readonly ImportRow[],
): Promise<ImportSummary> {
  const now = deps.clock.now();
  const importedAt = now.toISOString();
  const throttleSince = new Date(now.getTime() - deps.config.throttleDays * DAY_MS).toISOString();
  const summary: ImportSummary = { imported: 0, duplicates: 0, answered: 0 };
  for (let start = 0; start < rows.length; start += WRITE_SLICE) {
    const surveys = rows.slice(start, start + WRITE_SLICE).map((row) => surveyOf(deps, row, importedAt));
    const outcomes = await deps.surveys.importSurveys(surveys, { throttleSince });
    const toScore: string[] = [];
    const earlier: Survey[] = [];
    outcomes.forEach((outcome, i) => {
      const survey = surveys[i];
      if (outcome.kind === 'duplicate') {
        summary.duplicates++;
        if (answeredOnImport(outcome.existing)) earlier.push(outcome.existing);
      } else if (survey) {
        summary.imported++;
        if (survey.score !== undefined) {
          summary.answered++;
          toScore.push(survey.id);
        }
      }
    });
    const kept = await deps.responses.keptOf(
      earlier.map((s) => ({ surveyId: s.id, surveyType: s.surveyType, visitDate: s.visitDate })),
    );
    toScore.push(...earlier.filter((s) => !kept.has(s.id)).map((s) => s.id));
    // Written first: if this send is lost, importing the same rows again sends it.
    if (toScore.length > 0) await deps.queues.responsesUpdated(toScore);
    await countImportedReturns(deps, surveys);
  }
  return summary;
}
