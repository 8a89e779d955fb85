/**
 * What a department head needs to work one case: the alert, the visit behind it, the customer's
 * other surveys and alerts, the SLA clock and the timeline of everything that happened to it.
 */
import type { Alert, Survey } from '#shared/domain/records.ts';
import type { Deps } from './deps.ts';

/** How many of the customer's other surveys a case shows: one bounded index query, never a scan. */
export const CASE_HISTORY = 10;

type CaseDeps = Pick<Deps, 'config' | 'clock' | 'alerts' | 'surveys'>;

/** What the API shows of an alert: no internals (timers, delivery keys), never a full phone. */
export function publicAlert(alert: Alert) {
  const { timer: _timer, deliveries, retention, ...rest } = alert;
  // The customer's key stays inside: what is shown of a retention task is their numbers.
  const facts = retention ? (({ phoneHash: _key, ...shown }) => shown)(retention) : undefined;
  return { ...rest, kind: alert.kind ?? 'detractor', retention: facts, deliveredAt: Object.values(deliveries).sort()[0] ?? null };
}

const notResponses = new Set<Alert['actions'][number]['action']>(['reassign', 'phone_revealed', 'reopened']);

/**
 * The first thing a person did about the alert (a reassignment or a look at the number is not a
 * response); for a reopened case, the first since it was reopened, which its new SLA asks for.
 */
export const firstResponseAt = (alert: Alert) =>
  alert.actions.slice(alert.actions.findLastIndex((a) => a.action === 'reopened') + 1).find((a) => !notResponses.has(a.action))
    ?.at;

/**
 * The SLA clock: running until someone responds, then met or missed; overdue once due and
 * nobody has responded. A reopened case's clock starts again from its reopening.
 */
export function slaClock(alert: Alert, now: Date) {
  const responded = firstResponseAt(alert);
  const minutesLeft = Math.round((Date.parse(alert.dueAt) - now.getTime()) / 60_000);
  const state = responded ? (responded <= alert.dueAt ? 'met' : 'missed') : minutesLeft < 0 ? 'overdue' : 'running';
  return { dueAt: alert.dueAt, now: now.toISOString(), minutesLeft, respondedAt: responded ?? null, state };
}

export type TimelineEntry =
  | { at: string; kind: 'raised' }
  | { at: string; kind: 'delivered' | 'escalated'; departmentId: string; round: string }
  | ({ at: string; kind: 'action' } & Alert['actions'][number]);

/**
 * Raised, each round's first delivery per department, escalation, and every action with its
 * person's name and note. A reopening reaches the default department as an escalation does.
 */
export function timelineOf(alert: Alert, defaultDepartment?: string): TimelineEntry[] {
  const deliveries = new Map<string, { at: string; round: string; departmentId: string }>();
  for (const [key, at] of Object.entries(alert.deliveries)) {
    // Keys are `<round>:<department>:<channel index>` (older alerts: `<round>:<channel index>`).
    const [round = 'new', second = '', third] = key.split(':');
    const departmentId = third === undefined ? alert.departmentId : second;
    const group = `${round}:${departmentId}`;
    const seen = deliveries.get(group);
    if (!seen || at < seen.at) deliveries.set(group, { at, round, departmentId });
  }
  const entries: TimelineEntry[] = [
    { at: alert.createdAt, kind: 'raised' },
    ...[...deliveries.values()].map((d): TimelineEntry => {
      const reopenEscalation =
        d.round.startsWith('reopen-') &&
        d.departmentId === defaultDepartment &&
        [...deliveries.values()].some((o) => o.round === d.round && o.departmentId !== d.departmentId);
      return {
        at: d.at,
        kind: d.round === 'escalation' || reopenEscalation ? 'escalated' : 'delivered',
        departmentId: d.departmentId,
        round: d.round,
      };
    }),
    ...alert.actions.map((a): TimelineEntry => ({ ...a, kind: 'action' })),
  ];
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

function visitOf(alert: Alert, survey: Survey | undefined) {
  return {
    storeId: alert.storeId,
    advisorId: alert.advisorId ?? null,
    technicianId: survey?.technicianId ?? null,
    serviceType: alert.serviceType,
    visitDate: alert.visitDate,
    visitAt: survey?.visitAt ?? null,
    amount: survey?.amount ?? null,
    currency: survey?.currency ?? null,
  };
}

/** The customer's other surveys (same phone hash, newest first) with the alerts each raised. */
async function historyOf(deps: CaseDeps, phoneHash: string | undefined, surveyId: string | undefined) {
  if (!phoneHash) return [];
  const others = (await deps.surveys.latestForPhone(phoneHash, CASE_HISTORY + 1))
    .filter((s) => s.id !== surveyId)
    .slice(0, CASE_HISTORY);
  return Promise.all(
    others.map(async (s) => {
      const alerts = await Promise.all((s.alertIds ?? []).map((id) => deps.alerts.get(id)));
      return {
        surveyId: s.id,
        surveyType: s.surveyType,
        status: s.status,
        storeId: s.storeId,
        serviceType: s.serviceType,
        visitDate: s.visitDate,
        score: s.score ?? null,
        comment: s.reason ?? null,
        alerts: alerts.flatMap((a) =>
          a
            ? [
                {
                  id: a.id,
                  departmentId: a.departmentId,
                  status: a.status,
                  createdAt: a.createdAt,
                  rootCause: a.rootCause ?? null,
                },
              ]
            : [],
        ),
      };
    }),
  );
}

export async function alertCase(deps: CaseDeps, alert: Alert) {
  const survey = alert.surveyId ? await deps.surveys.get(alert.surveyId) : undefined;
  return {
    ...publicAlert(alert),
    visit: visitOf(alert, survey),
    // A retention task's customer has a history, perhaps without a survey of the task's own.
    history: await historyOf(deps, alert.retention?.phoneHash ?? survey?.phoneHash, survey?.id),
    sla: slaClock(alert, deps.clock.now()),
    timeline: timelineOf(alert, deps.config.defaultDepartment),
  };
}
