import { createHash } from 'node:crypto';
import * as z from '#shared/zod.ts';
import { categorize } from '#shared/domain/classifier.ts';
import { answerContactFlags, type IntegrityFlag, sortFlags } from '#shared/domain/integrity.ts';
import type { Alert, ScoredResponse, Survey } from '#shared/domain/records.ts';
import { rfmOf, segmentOf } from '#shared/domain/rfm.ts';
import { routeDetractor } from '#shared/domain/routing.ts';
import { isDetractor } from '#shared/domain/scoring.ts';
import { addMs, type Deps, HOUR, TIMER_LEASE_MS } from './deps.ts';
import { decideRecovery } from './recovery.ts';
import { joinCohort, joinCohorts } from './track-retention.ts';
import { joinStreak, streakPlaceOf } from './track-streaks.ts';

export const responseUpdatedSchema = z.object({ surveyId: z.string().check(z.minLength(1)) });

export class SurveyNotFound extends Error {
  override name = 'SurveyNotFound';
}

type RecordDeps = Pick<Deps, 'config' | 'clock' | 'surveys' | 'responses' | 'streaks' | 'alerts' | 'queues' | 'retention'>;

/**
 * Brings one survey's answer up to date: the response and its rollups exactly once, the
 * customer's words on it, and, when a detractor's conversation has ended, one alert per
 * routed department. Safe to run any number of times for the same survey.
 */
export async function recordAnswer(deps: RecordDeps, surveyId: string) {
  const survey = await deps.surveys.get(surveyId);
  if (!survey) throw new SurveyNotFound(`survey ${surveyId} does not exist`);
  const { score } = survey;
  if (score === undefined) return { recorded: false, alerts: 0 };
  const scored = { ...survey, score };

  // The response's change feeds the rollups (aggregateRollups), which count each response once.
  // A streak of top scores is decided later, by answer time, where the stream batches an advisor's answers.
  const response = responseOf(scored, deps.clock.now().toISOString(), flagsOf(survey));
  const comment = survey.status === 'completed' ? survey.reason : undefined;
  // Kept with its words and its place in the advisor's streak in one write; an answer kept already
  // (a redelivery, or words that came after the score) has the words put on it, and is placed
  // again in case it was kept before its place was written with it (placing is idempotent).
  const recorded = (await deps.responses.record(response, streakPlaceOf(response))) === 'recorded';
  if (!recorded && comment !== undefined) await deps.responses.setComment(response, comment);
  if (!recorded) await joinStreak(deps, response);
  await joinCohort(deps, scored);

  if (survey.status !== 'completed') return { recorded, alerts: 0 };
  if (survey.alertsRaisedAt) return { recorded, alerts: 0 };
  await decideRecovery(deps, scored);
  // A re-survey raises no case of its own: a detractor's answer there reopens the case it follows up.
  const alertIds = isDetractor(survey.surveyType, score) && !survey.recoveryOf ? await raiseAlerts(deps, scored) : [];
  await deps.surveys.update(
    survey.id,
    {
      alertsRaisedAt: deps.clock.now().toISOString(),
      alertIds: alertIds.length ? alertIds : undefined,
      timer: survey.timer?.action === 'close' ? null : undefined,
    },
    { status: 'completed', timerAt: survey.timer?.at },
  );
  return { recorded, alerts: alertIds.length };
}

/**
 * recordAnswer for a queue batch's plain answers, together: an answer not kept yet whose
 * conversation is over and whose alerts are settled (an imported history's), not a re-survey.
 * Their surveys in one read, the answers with their streak places in one write, their cohorts in a
 * few (joinCohorts). Answers the outcomes of the surveys it did; every other one (not plain, kept
 * meanwhile, or anything unusual) is left to recordAnswer, which is safe after a part of this.
 */
export async function recordAnswers(deps: RecordDeps, surveyIds: readonly string[]) {
  const surveys = await deps.surveys.getMany([...new Set(surveyIds)]);
  const now = deps.clock.now().toISOString();
  const answers = [...surveys.values()].flatMap((survey) => {
    const { score } = survey;
    if (score === undefined || survey.status !== 'completed' || !survey.alertsRaisedAt || survey.recoveryOf) return [];
    const response = responseOf({ ...survey, score }, now, flagsOf(survey));
    return [{ survey: { ...survey, score }, response, place: streakPlaceOf(response) }];
  });
  const kept = await deps.responses.recordMany(answers);
  const recorded = answers.filter(({ survey }) => kept.has(survey.id)).map(({ survey }) => survey);
  await joinCohorts(deps, recorded);
  return new Map(recorded.map((survey) => [survey.id, { recorded: true, alerts: 0 }]));
}

const flagsOf = (survey: Survey) => sortFlags([...answerContactFlags(survey.contactFlags ?? []), ...(survey.answerFlags ?? [])]);

function responseOf(survey: Survey & { score: number }, now: string, flags: IntegrityFlag[]): ScoredResponse {
  return {
    surveyId: survey.id,
    surveyType: survey.surveyType,
    score: survey.score,
    storeId: survey.storeId,
    departmentId: survey.departmentId,
    advisorId: survey.advisorId,
    serviceType: survey.serviceType,
    visitDate: survey.visitDate,
    answeredAt: survey.scoredAt ?? now,
    comment: survey.status === 'completed' ? survey.reason : undefined,
    channel: survey.channel ?? 'sms',
    // The channel it went out by: a channel's answers count where its sends do (a WeChat notice answered on the web is wechat's).
    reach: survey.reach,
    // A call-back's answer names its caller: their answers are read against other callers' for integrity.
    caller: survey.caller,
    // A re-survey measures recovery; it does not count the visit a second time in the scores.
    recoveryOf: survey.recoveryOf,
    flags: flags.length ? flags : undefined,
  };
}

export const alertIdFor = (surveyId: string, departmentId: string) =>
  `al_${createHash('sha256').update(`${surveyId}/${departmentId}`).digest('base64url').slice(0, 22)}`;

async function raiseAlerts(deps: RecordDeps, survey: Survey & { score: number }) {
  const { config, clock } = deps;
  const categories = categorize(survey.reason);
  const value = await deps.surveys.customerValue(survey.phoneHash);
  // This answer's visit is the latest one (a history from before visit logs knows no other).
  const lastVisitAt = [value.lastVisitAt, survey.visitAt]
    .filter((v) => v !== undefined)
    .sort()
    .at(-1);
  const segment = segmentOf(rfmOf({ ...value, lastVisitAt }, clock.now(), config.retention.rfm));
  // The segment decides; a config that still sets minVisits or minSpend keeps those rules as well.
  const highValue =
    config.retention.highValueSegments.includes(segment) ||
    (config.priority.minVisits !== undefined && value.visits >= config.priority.minVisits) ||
    (config.priority.minSpend !== undefined && value.spend >= config.priority.minSpend);
  const departments = routeDetractor(
    config.routing,
    {
      survey: survey.surveyType,
      score: survey.score,
      serviceType: survey.serviceType,
      storeId: survey.storeId,
      categories,
      highValue,
    },
    config.defaultDepartment,
  );
  // A high-value customer's alert is high priority and due sooner.
  const slaFactor = highValue ? config.priority.slaFactor : 1;
  const now = clock.now().toISOString();
  for (const departmentId of departments) {
    const department = config.departments.find((d) => d.id === departmentId);
    const alert: Alert = {
      id: alertIdFor(survey.id, departmentId),
      surveyId: survey.id,
      departmentId,
      status: 'open',
      priority: highValue ? 'high' : 'normal',
      segment,
      surveyType: survey.surveyType,
      score: survey.score,
      comment: survey.reason,
      categories,
      storeId: survey.storeId,
      advisorId: survey.advisorId,
      serviceType: survey.serviceType,
      customerName: survey.customerName,
      phoneMasked: survey.phoneMasked,
      visitDate: survey.visitDate,
      createdAt: now,
      dueAt: addMs(now, (department?.slaHours ?? 24) * slaFactor * HOUR),
      escalated: false,
      round: 'new',
      deliveries: {},
      actions: [],
      timer: { action: 'deliver', at: now },
    };
    // Created with its delivery timer leased: if the queue send below is lost, the sweeper resends.
    await deps.alerts.create(alert, addMs(now, TIMER_LEASE_MS));
    await deps.queues.alertDelivery(departmentId, { alertId: alert.id, round: 'new', at: now });
  }
  return departments.map((departmentId) => alertIdFor(survey.id, departmentId));
}
