import { createHash, randomBytes } from 'node:crypto';
import * as z from '#shared/zod.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { type AnswerFlag, webAnswerFlagsOf } from '#shared/domain/integrity.ts';
import { networkMatcher } from '#shared/domain/networks.ts';
import type { Survey } from '#shared/domain/records.ts';
import type { PhoneVault } from '#shared/ports.ts';
import { isDetractor, scales } from '#shared/domain/scoring.ts';
import { addMs, type Deps, HOUR, TIMER_LEASE_MS } from './deps.ts';

/** 128 random bits, URL-safe: unguessable, and short enough for a text. */
export const newWebSurveyToken = () => randomBytes(16).toString('base64url');
/** Only the token's hash is stored, so the table never holds a working link. */
export const hashWebSurveyToken = (token: string) => createHash('sha256').update(token).digest('base64url');
export const webSurveyTokenSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/));

/** A survey's single-use web survey link (`/s/<token>` on the public URL), for a text or a WeChat message. */
export function webSurveyLink(
  deps: { vault: Pick<PhoneVault, 'decrypt'>; publicBaseUrl?: string | undefined },
  survey: Pick<Survey, 'webTokenCipher'>,
): string | undefined {
  if (!survey.webTokenCipher || !deps.publicBaseUrl) return undefined;
  return `${deps.publicBaseUrl.replace(/\/$/, '')}/s/${deps.vault.decrypt(survey.webTokenCipher)}`;
}

export class SurveyClosedError extends AppError {
  readonly status = 410;
  readonly code = 'survey_closed';
}

export const webAnswerSchema = z.object({
  score: z.coerce.number().check(z.int()),
  reason: z.optional(z.string().check(z.trim(), z.maxLength(1600))),
});

type OpenDeps = Pick<Deps, 'config' | 'clock' | 'surveys'>;
type WebDeps = OpenDeps & Pick<Deps, 'queues' | 'vault'>;

/** Where a web answer came from, as API Gateway saw it: used for flags, never stored. */
export interface WebOrigin {
  sourceIp: string;
  userAgent: string;
}

export interface WebSurveyView {
  survey: Pick<Survey, 'id' | 'surveyType' | 'locale' | 'customerName'>;
  storeName: string;
  scale: { min: number; max: number };
}

async function surveyOf(deps: OpenDeps, token: string): Promise<Survey> {
  const parsed = webSurveyTokenSchema.safeParse(token);
  const survey = parsed.success ? await deps.surveys.findByWebToken(hashWebSurveyToken(parsed.data)) : undefined;
  if (!survey) throw new NotFoundError('this survey link is not valid');
  if (survey.score !== undefined) throw new ConflictError('this survey has already been answered');
  const expiresAt = addMs(survey.sentAt ?? survey.sendAt, deps.config.expiryHours * HOUR);
  if (survey.status === 'expired' || survey.status === 'opted_out' || deps.clock.now().toISOString() > expiresAt) {
    throw new SurveyClosedError('this survey has closed');
  }
  return survey;
}

/** What the web form needs to show: the survey type and scale, in the customer's locale. */
export async function openWebSurvey(deps: OpenDeps, token: string): Promise<WebSurveyView> {
  const survey = await surveyOf(deps, token);
  return {
    survey: { id: survey.id, surveyType: survey.surveyType, locale: survey.locale, customerName: survey.customerName },
    storeName: deps.config.stores.find((s) => s.id === survey.storeId)?.name ?? '',
    scale: scales[survey.surveyType],
  };
}

const ATTEMPTS = 3;

/**
 * The one answer a token takes: score and reason together end the conversation, and the
 * scorer records it like an SMS answer. A second submit is a conflict.
 */
export async function submitWebSurvey(deps: WebDeps, token: string, answer: z.infer<typeof webAnswerSchema>, origin: WebOrigin) {
  // A survey that changes under the write (its text just marked sent) is read again; one
  // answered or closed meanwhile is refused by surveyOf.
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const taken = await takeAnswer(deps, token, answer, origin);
    if (taken) return taken;
  }
  throw new ConflictError('this survey has already been answered');
}

async function takeAnswer(deps: WebDeps, token: string, answer: z.infer<typeof webAnswerSchema>, origin: WebOrigin) {
  const survey = await surveyOf(deps, token);
  const { min, max } = scales[survey.surveyType];
  if (answer.score < min || answer.score > max) {
    throw new ValidationError(`the score is ${min} to ${max}`, { score: `${min}–${max}` });
  }
  const now = deps.clock.now().toISOString();
  const answerFlags = await webAnswerFlags(deps, survey, origin, now);
  const applied = await deps.surveys.update(
    survey.id,
    {
      status: 'completed',
      score: answer.score,
      scoredAt: now,
      reason: answer.reason || undefined,
      endedAt: now,
      channel: 'web',
      answerFlags: answerFlags.length ? answerFlags : undefined,
      timer: { action: 'close', at: now },
    },
    { status: survey.status, leaseUntil: addMs(now, TIMER_LEASE_MS) },
  );
  if (!applied) return undefined;
  await deps.queues.responseUpdated(survey.id);
  return { surveyType: survey.surveyType, locale: survey.locale, detractor: isDetractor(survey.surveyType, answer.score) };
}

/**
 * Timing and origin: soon after the visit, from the store's own network, or from a device
 * other customers answered from. The device is a keyed hash of address and user agent; the
 * address itself is neither stored nor logged.
 */
async function webAnswerFlags(deps: WebDeps, survey: Survey, origin: WebOrigin, now: string): Promise<AnswerFlag[]> {
  const networks = deps.config.stores.find((s) => s.id === survey.storeId)?.networks ?? [];
  const device = deps.vault.deviceHash(`${origin.sourceIp}\n${origin.userAgent}`);
  const before = await deps.surveys.recordDevice(device, survey.phoneHash, now);
  return webAnswerFlagsOf({
    visitAt: survey.visitAt,
    answeredAt: now,
    fastAnswerMinutes: deps.config.integrity.fastAnswerMinutes,
    fromStoreNetwork: networkMatcher(networks)(origin.sourceIp),
    otherCustomersOnDevice: before.filter((customer) => customer !== survey.phoneHash).length,
  });
}
