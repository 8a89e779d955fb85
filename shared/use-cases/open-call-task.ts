import { createHash } from 'node:crypto';
import { callbackDepartmentOf } from '#shared/domain/call-tasks.ts';
import type { Survey } from '#shared/domain/records.ts';
import { addMs, type Deps, HOUR } from './deps.ts';

export const callTaskIdFor = (surveyId: string) =>
  `ct_${createHash('sha256').update(`call/${surveyId}`).digest('base64url').slice(0, 22)}`;

/**
 * The `call` channel's dispatch (run-survey-timer's send step, first or as the one fallback): the
 * survey becomes a call task of the call-back department, due within `callbacks.slaHours`, with the
 * visit and what the script needs. The send step then has the survey wait for the call, with no
 * timer of its own (the task's SLA is its clock). Safe to run again: one task per survey.
 */
export async function openCallTask(deps: Pick<Deps, 'config' | 'clock' | 'calls'>, survey: Survey): Promise<'sent'> {
  const { config, clock } = deps;
  const now = clock.now().toISOString();
  await deps.calls.create({
    id: callTaskIdFor(survey.id),
    surveyId: survey.id,
    departmentId: callbackDepartmentOf(config),
    status: 'open',
    storeId: survey.storeId,
    surveyType: survey.surveyType,
    locale: survey.locale,
    customerName: survey.customerName,
    phoneMasked: survey.phoneMasked,
    visit: { date: survey.visitDate, serviceType: survey.serviceType, advisorId: survey.advisorId },
    createdAt: now,
    dueAt: addMs(now, config.callbacks.slaHours * HOUR),
    attempts: 0,
    log: [],
  });
  return 'sent';
}

/**
 * The survey no longer waits for this call (it expired unanswered by the task's SLA and moved on,
 * was answered another way, or its customer opted out): the open task is closed, so no one calls.
 */
export async function withdrawCallTask(deps: Pick<Deps, 'clock' | 'calls'>, surveyId: string): Promise<void> {
  const closedAt = deps.clock.now().toISOString();
  await deps.calls.update(
    callTaskIdFor(surveyId),
    { status: 'done', closedAt, closedBecause: 'survey_ended', retryAt: null },
    { status: 'open' },
  );
}
