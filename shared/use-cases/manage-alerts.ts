import * as z from '#shared/zod.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { type Alert, type AlertActionRecord, type AlertStatus, retentionOutcomes } from '#shared/domain/records.ts';
import type { AlertChanges } from '#shared/ports.ts';
import { alertCase, publicAlert } from './alert-case.ts';
import { addMs, type Deps, HOUR } from './deps.ts';

export { publicAlert };
import { planResurvey } from './recovery.ts';
import { actorOf, type Identity, requireRole } from './identity.ts';

const alertStatuses = ['open', 'acknowledged', 'contacted', 'resolved', 'unreachable', 'reopened'] as const;

export const listAlertsQuerySchema = z.object({
  status: z.optional(z.enum(alertStatuses)),
  kind: z.optional(z.enum(['detractor', 'retention'])),
  departmentId: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50),
});

export const alertActionSchema = z.object({
  action: z.enum(['acknowledge', 'contacted', 'resolved', 'unreachable', 'reassign']),
  note: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
  departmentId: z
    .optional(z.string().check(z.minLength(1), z.maxLength(40)))
    .check(z.meta({ description: 'reassign: the department to hand it to' })),
  rootCause: z
    .optional(z.string().check(z.minLength(1), z.maxLength(40)))
    .check(z.meta({ description: 'resolved: one of closure.rootCauses' })),
  resolution: z
    .optional(z.string().check(z.minLength(1), z.maxLength(40)))
    .check(z.meta({ description: "resolved: one of closure.resolutions' ids" })),
  outcome: z
    .optional(z.enum(retentionOutcomes))
    .check(z.meta({ description: 'resolved, for a retention task: reached, booked, not_reachable or lost' })),
});
export type AlertActionInput = z.infer<typeof alertActionSchema>;

/** Which states each action may start from; a reopened case is worked like a new one. */
const allowedFrom: Record<AlertActionInput['action'], AlertStatus[]> = {
  acknowledge: ['open', 'reopened'],
  contacted: ['open', 'acknowledged', 'unreachable', 'reopened'],
  unreachable: ['open', 'acknowledged', 'contacted', 'reopened'],
  resolved: ['open', 'acknowledged', 'contacted', 'unreachable', 'reopened'],
  reassign: ['open', 'acknowledged', 'contacted', 'unreachable', 'reopened'],
};
const resultingStatus = {
  acknowledge: 'acknowledged',
  contacted: 'contacted',
  unreachable: 'unreachable',
  resolved: 'resolved',
} as const;

type ReadDeps = Pick<Deps, 'config' | 'alerts'>;
type CaseDeps = Pick<Deps, 'config' | 'clock' | 'alerts' | 'surveys'>;
type AlertDeps = Pick<Deps, 'config' | 'clock' | 'alerts' | 'queues' | 'surveys' | 'retention'>;

export async function listAlerts(deps: ReadDeps, identity: Identity, query: z.infer<typeof listAlertsQuerySchema>) {
  requireRole(identity, 'cx', 'department');
  if (query.departmentId && !deps.config.departments.some((d) => d.id === query.departmentId)) {
    throw new ValidationError('unknown department', { departmentId: 'not a configured department' });
  }
  if (identity.role === 'department' && query.departmentId && query.departmentId !== identity.departmentId) {
    throw new ForbiddenError("a department token sees its own department's alerts only");
  }
  const departments =
    identity.role === 'department'
      ? [identity.departmentId]
      : query.departmentId
        ? [query.departmentId]
        : deps.config.departments.map((d) => d.id);
  // Reopened cases come first, however old: they are read from their own list, not found among the newest.
  const withReopened = query.status === undefined && query.kind !== 'retention';
  const lists = await Promise.all(
    departments.flatMap((d) => [
      deps.alerts.listByDepartment(d, { status: query.status, limit: query.limit }),
      ...(withReopened ? [deps.alerts.listByDepartment(d, { status: 'reopened', limit: query.limit })] : []),
    ]),
  );
  const alerts = [...new Map(lists.flat().map((a) => [a.id, a])).values()]
    .filter((a) => !query.kind || (a.kind ?? 'detractor') === query.kind)
    .sort((a, b) => {
      const reopened = Number(b.status === 'reopened') - Number(a.status === 'reopened');
      if (reopened || a.status !== 'reopened') return reopened || b.createdAt.localeCompare(a.createdAt);
      return (b.reopened?.at ?? '').localeCompare(a.reopened?.at ?? '');
    })
    .slice(0, query.limit);
  return { alerts: alerts.map(publicAlert) };
}

/** One alert as its case page shows it: the alert, the visit, the customer's history, the SLA clock, the timeline. */
export async function getAlert(deps: CaseDeps, identity: Identity, alertId: string) {
  return alertCase(deps, await visibleAlert(deps, identity, alertId));
}

/** The alert if this person may see it: cx any, a department head their own department's. */
export async function visibleAlert(deps: ReadDeps, identity: Identity, alertId: string): Promise<Alert> {
  requireRole(identity, 'cx', 'department');
  const alert = await deps.alerts.get(alertId);
  if (!alert) throw new NotFoundError('no such alert');
  if (identity.role === 'department' && alert.departmentId !== identity.departmentId) {
    throw new ForbiddenError('this alert belongs to another department');
  }
  return alert;
}

/**
 * A detractor's alert is resolved with a root cause and a resolution from the config's closure
 * lists, a retention task with its outcome; nothing is written otherwise.
 */
function closureOf(deps: Pick<Deps, 'config'>, alert: Alert, input: AlertActionInput) {
  if (alert.kind === 'retention') {
    if (!input.outcome) {
      throw new ValidationError('closing a retention task needs its outcome', {
        outcome: `one of ${retentionOutcomes.join(', ')}`,
      });
    }
    return { outcome: input.outcome };
  }
  const { rootCauses, resolutions } = deps.config.closure;
  const fields: Record<string, string> = {};
  if (!input.rootCause || !rootCauses.includes(input.rootCause)) fields.rootCause = `one of ${rootCauses.join(', ')}`;
  if (!input.resolution || !resolutions.some((r) => r.id === input.resolution)) {
    fields.resolution = `one of ${resolutions.map((r) => r.id).join(', ')}`;
  }
  if (Object.keys(fields).length) throw new ValidationError('resolving needs a root cause and a resolution', fields);
  return { rootCause: input.rootCause ?? '', resolution: input.resolution ?? '' };
}

export async function actOnAlert(deps: AlertDeps, identity: Identity, alertId: string, input: AlertActionInput) {
  const alert = await visibleAlert(deps, identity, alertId);
  const closure = input.action === 'resolved' ? closureOf(deps, alert, input) : undefined;
  if (!allowedFrom[input.action].includes(alert.status)) {
    throw new ConflictError(`cannot ${input.action} an alert that is ${alert.status}`);
  }
  const now = deps.clock.now().toISOString();
  const record: AlertActionRecord = { action: input.action, at: now, by: actorOf(identity), note: input.note, ...closure };
  const expect = { status: [alert.status], departmentId: alert.departmentId };

  if (input.action === 'reassign') {
    const target = deps.config.departments.find((d) => d.id === input.departmentId);
    if (!target) throw new ValidationError('reassign needs a departmentId', { departmentId: 'a configured department' });
    if (target.id === alert.departmentId) throw new ConflictError('the alert is already with that department');
    const round = `reassign-${alert.actions.filter((a) => a.action === 'reassign').length + 1}`;
    const updated = await deps.alerts.update(
      alert.id,
      {
        departmentId: target.id,
        round,
        status: 'open',
        dueAt: addMs(now, target.slaHours * HOUR),
        timer: { action: 'deliver', at: now },
      },
      expect,
      { ...record, fromDepartmentId: alert.departmentId, toDepartmentId: target.id },
    );
    if (!updated) throw new ConflictError('the alert changed meanwhile; reload and try again');
    await deps.queues.alertDelivery(target.id, { alertId: alert.id, round, at: now });
  } else {
    const status = resultingStatus[input.action];
    const changes: AlertChanges = { status, timer: null };
    // Reaching the customer, or booking their visit, is the contact a retention task's SLA asks for.
    const reached = closure?.outcome === 'reached' || closure?.outcome === 'booked';
    if ((status === 'contacted' || reached) && !alert.firstContactAt) changes.firstContactAt = now;
    if (status === 'resolved' && closure) {
      Object.assign(
        changes,
        closure,
        { resolvedAt: now },
        closure.rootCause !== undefined ? { rootCauseConfirmed: (alert.categories as string[]).includes(closure.rootCause) } : {},
      );
    }
    const updated = await deps.alerts.update(alert.id, changes, expect, record);
    if (!updated) throw new ConflictError('the alert changed meanwhile; reload and try again');
    if (status === 'resolved' && alert.retention) await deps.retention.closeTask(alert.retention.phoneHash, alert.id);
    else if (status === 'resolved' && alert.surveyId) await planResurvey(deps, alert.surveyId);
  }
  return getAlert(
    deps,
    identity.role === 'department' && input.action === 'reassign' ? { ...identity, role: 'cx' } : identity,
    alert.id,
  );
}
