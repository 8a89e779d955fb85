/**
 * Call-backs (电话回访): surveys asked on the phone by the call-back department. A survey whose
 * channel is `call` becomes a call task (openCallTask); a caller lists the tasks, reveals the
 * number (audited) and records how each call ended (recordCallOutcome). An answer goes to the
 * scorer like any other, with `channel: "call"` and the caller, so rollups, alerts, recovery and
 * retention all follow; the other outcomes end the survey the way the domain says.
 */
import * as z from '#shared/zod.ts';
import {
  type CallTask,
  type CallTaskEntry,
  callbackDepartmentOf,
  callOutcomes,
  callScriptOf,
} from '#shared/domain/call-tasks.ts';
import { isInScale, scales } from '#shared/domain/scoring.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import type { CustomerContact, SurveyChanges } from '#shared/ports.ts';
import { addMs, type Deps, HOUR, TIMER_LEASE_MS } from './deps.ts';
import { leaveChannel } from './leave-channel.ts';
import { actorOf, type Identity } from './identity.ts';
import { revealAudited } from './reveal-contact.ts';

import { withdrawCallTask } from './open-call-task.ts';

export { callTaskIdFor, openCallTask } from './open-call-task.ts';

/** After a call that did not reach the customer, the task asks to be tried again this much later. */
export const RETRY_AFTER_HOURS = 2;

const id = z.string().check(z.minLength(1), z.maxLength(64));

export const listCallTasksQuerySchema = z.object({
  status: z._default(z.enum(['open', 'done']), 'open'),
  storeId: z.optional(id),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 100),
});

export const callOutcomeSchema = z.object({
  outcome: z.enum(callOutcomes),
  score: z.optional(z.int()).check(z.meta({ description: "answered: the customer's score, on the survey's own scale" })),
  comment: z
    .optional(z.string().check(z.trim(), z.maxLength(1600)))
    .check(z.meta({ description: "answered: the customer's words, as the caller took them down" })),
  note: z.optional(z.string().check(z.trim(), z.maxLength(2000))).check(z.meta({ description: "the caller's own note" })),
});
export type CallOutcomeInput = z.infer<typeof callOutcomeSchema>;

type ReadDeps = Pick<Deps, 'config' | 'calls'>;
type OutcomeDeps = Pick<Deps, 'config' | 'clock' | 'surveys' | 'calls' | 'queues'>;

/** A person of the call-back department, or cx: checked before anything of the request is read. */
export function requireCaller(config: Deps['config'], identity: Identity): void {
  if (identity.role === 'cx') return;
  if (identity.role === 'department' && identity.departmentId === callbackDepartmentOf(config)) return;
  throw new ForbiddenError('call-backs are worked by the call-back department (or cx)');
}

async function visibleTask(deps: ReadDeps, identity: Identity, taskId: string): Promise<CallTask> {
  requireCaller(deps.config, identity);
  const task = await deps.calls.get(taskId);
  if (!task) throw new NotFoundError('no such call task');
  if (identity.role === 'department' && identity.departmentId !== task.departmentId) {
    throw new ForbiddenError("this call task is another department's");
  }
  return task;
}

/** A task as the API shows it: never the number, only its mask. */
function publicTask(config: ReadDeps['config'], task: CallTask) {
  const { log, ...fields } = task;
  return { ...fields, maxAttempts: Math.max(config.callbacks.attempts, task.attempts) };
}

export async function listCallTasks(deps: ReadDeps, identity: Identity, query: z.infer<typeof listCallTasksQuerySchema>) {
  requireCaller(deps.config, identity);
  if (query.storeId && !deps.config.stores.some((s) => s.id === query.storeId)) {
    throw new ValidationError('unknown store', { storeId: 'not a configured store' });
  }
  const tasks = await deps.calls.list(callbackDepartmentOf(deps.config), {
    status: query.status,
    storeId: query.storeId,
    limit: query.limit,
  });
  return { callbacks: tasks.map((task) => publicTask(deps.config, task)) };
}

/** One task with its script (the customer's language, the survey's own question and scale) and its log. */
export async function getCallTask(deps: ReadDeps, identity: Identity, taskId: string) {
  const task = await visibleTask(deps, identity, taskId);
  return { ...publicTask(deps.config, task), script: callScriptOf(deps.config, task), log: task.log };
}

/** The customer's number for the caller, recorded in the task's log before it is handed out. */
export async function revealCallContact(
  deps: ReadDeps & Pick<Deps, 'clock' | 'surveys'> & { contact: CustomerContact },
  identity: Identity,
  taskId: string,
) {
  const task = await visibleTask(deps, identity, taskId);
  if (task.status !== 'open') throw new ConflictError('this call task is done');
  await closeIfSurveyEnded(deps, task);
  return revealAudited(deps, task, actorOf(identity), (reveal) =>
    deps.calls.update(task.id, {}, { status: 'open' }, { action: 'phone_revealed', ...reveal }),
  );
}

/**
 * An open task whose survey no longer waits for this call (the customer answered the text or the
 * web survey meanwhile, or opted out of every store) is closed, and the caller told so: no one is
 * called who said no, and no answer is recorded that would never be scored.
 */
async function closeIfSurveyEnded(deps: Pick<Deps, 'clock' | 'calls' | 'surveys'>, task: CallTask) {
  const survey = await deps.surveys.get(task.surveyId);
  const waiting = survey?.status === 'awaiting_score' && survey.reach === 'call';
  if (waiting && !(await deps.surveys.isOptedOut(survey.phoneHash))) return;
  await withdrawCallTask(deps, task.surveyId);
  throw new ConflictError(
    'this survey has ended without the call (answered another way, moved on to its next channel, or the customer opted out)',
  );
}

/** Who may touch the task is decided first (before the body is read); the handler calls this, then parses. */
export const checkCallTaskAccess = (deps: ReadDeps, identity: Identity, taskId: string) => visibleTask(deps, identity, taskId);

/**
 * Records how a call ended. `answered` needs a score on the survey's scale (else 400, nothing
 * recorded); a task already done answers 409. `not_reachable` keeps the task open to be tried
 * again later until `callbacks.attempts` calls were made, then closes it and the survey expires;
 * `refused` ends the survey as suppressed `refused`; `wrong_number` flags the visit's contact.
 */
export async function recordCallOutcome(deps: OutcomeDeps, identity: Identity, taskId: string, input: CallOutcomeInput) {
  const task = await visibleTask(deps, identity, taskId);
  if (task.status !== 'open') {
    // A finished task whose survey was not settled (a crash between the two writes) is settled now.
    await settleSurvey(deps, task);
    throw new ConflictError('this call task is already done');
  }
  const comment = input.comment || undefined;
  if (input.outcome === 'answered') {
    const scale = scales[task.surveyType];
    if (input.score === undefined)
      throw new ValidationError('an answered call needs the score', { score: `required: ${scale.min} to ${scale.max}` });
    if (!isInScale(task.surveyType, input.score))
      throw new ValidationError('the score is off the survey’s scale', { score: `${scale.min} to ${scale.max}` });
  } else {
    if (input.score !== undefined)
      throw new ValidationError('only an answered call has a score', { score: 'only with answered' });
    if (comment) throw new ValidationError('only an answered call has the customer’s words', { comment: 'use note' });
  }

  await closeIfSurveyEnded(deps, task);
  const now = deps.clock.now().toISOString();
  const by = actorOf(identity);
  const attempts = task.attempts + 1;
  const entry: CallTaskEntry = { action: input.outcome, at: now, by, note: input.note || undefined, score: input.score };
  const finished =
    input.outcome !== 'not_reachable' || attempts >= Math.max(deps.config.callbacks.attempts, 1)
      ? { status: 'done' as const, outcome: input.outcome, closedAt: now, retryAt: null }
      : { retryAt: addMs(now, RETRY_AFTER_HOURS * HOUR) };
  const changes = { attempts, ...finished, score: input.score, comment };
  const updated = await deps.calls.update(task.id, changes, { status: 'open', attempts: task.attempts }, entry);
  if (!updated) throw new ConflictError('this call task changed meanwhile (another call was recorded); reload it');
  const next: CallTask = {
    ...task,
    ...changes,
    retryAt: 'retryAt' in finished ? (finished.retryAt ?? undefined) : undefined,
    log: [...task.log, entry],
  };
  await settleSurvey(deps, next);
  return getCallTask(deps, identity, task.id);
}

/**
 * Brings the task's survey in line with the task: the first call counts as the survey sent; an
 * answer completes it with the caller and goes to the scorer; a customer the calls never reached
 * moves to the store's next channel once (a text, say); the other endings expire it. Runs again
 * harmlessly: each write expects the survey still waiting for its call.
 */
async function settleSurvey(deps: OutcomeDeps, task: CallTask) {
  const survey = await deps.surveys.get(task.surveyId);
  if (survey?.status !== 'awaiting_score' || survey.reach !== 'call') return;
  const now = deps.clock.now().toISOString();
  const last = task.log.filter((e) => e.action !== 'phone_revealed').at(-1);
  if (!last) return;
  const sent = { sentAt: survey.sentAt ?? task.log.find((e) => e.action !== 'phone_revealed')?.at ?? now };
  let changes: SurveyChanges;
  if (task.status === 'open') {
    if (survey.sentAt) return;
    changes = sent;
  } else if (task.outcome === 'answered' && task.score !== undefined) {
    changes = {
      ...sent,
      status: 'completed',
      score: task.score,
      scoredAt: last.at,
      reason: task.comment,
      endedAt: last.at,
      channel: 'call',
      caller: last.by,
      // The scorer's safety net: if the queue send below is lost, the sweeper hands it over again.
      timer: { action: 'close', at: now },
    };
  } else if (task.outcome === 'refused') {
    changes = { ...sent, status: 'expired', suppressedAs: 'refused', endedAt: last.at, timer: null };
  } else if (task.outcome === 'wrong_number') {
    const contactFlags = [...new Set([...(survey.contactFlags ?? []), 'wrong_number' as const])];
    changes = { ...sent, status: 'expired', contactFlags, endedAt: last.at, timer: null };
  } else {
    // Not reached on any attempt: the sent mark stays (the calls were made), and the survey moves on.
    if (!survey.sentAt) await deps.surveys.update(survey.id, sent, { status: 'awaiting_score' });
    await leaveChannel(deps, { ...survey, ...sent }, 'call', 'expired', { status: 'awaiting_score' });
    return;
  }
  const settled = await deps.surveys.update(survey.id, changes, {
    status: 'awaiting_score',
    ...(changes.timer ? { leaseUntil: addMs(now, TIMER_LEASE_MS) } : {}),
  });
  if (settled && changes.status === 'completed') await deps.queues.responseUpdated(survey.id);
}
