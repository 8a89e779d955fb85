/**
 * At-risk customers, worked like alerts: a loyal customer's silence raises one retention task,
 * delivered, escalated and worked in the inbox like a detractor's alert; a visit soon after it
 * counts the customer won back. The clock is a timer on the customer's history item, started
 * again by every visit: no scan finds the quiet ones.
 */
import { createHash } from 'node:crypto';
import * as z from '#shared/zod.ts';
import { localDate } from '#shared/domain/quiet-hours.ts';
import { type Alert, CLOSEDLOOP } from '#shared/domain/records.ts';
import { atRiskAt, nextRecencyChange, returnAfter, rfmOf, segmentOf } from '#shared/domain/rfm.ts';
import type { AlertChanges, CustomerHistory, CustomerTimerMessage } from '#shared/ports.ts';
import { addMs, type Deps, HOUR, TIMER_LEASE_MS } from './deps.ts';

export const customerTimerMessageSchema = z.object({
  phoneHash: z.string().check(z.minLength(1), z.maxLength(200)),
  action: z.enum(['recency', 'at_risk']),
  at: z.iso.datetime(),
}) satisfies z.ZodMiniType<CustomerTimerMessage>;

type TaskDeps = Pick<Deps, 'config' | 'clock' | 'retention' | 'alerts' | 'queues'>;

const DAY_MS = 86_400_000;

/** One task per silence: the same timer, fired twice, raises the same task. */
export const retentionTaskIdFor = (phoneHash: string, at: string) =>
  `al_${createHash('sha256').update(`retention/${phoneHash}/${at}`).digest('base64url').slice(0, 22)}`;

export const retentionDepartment = (config: Deps['config']) => config.retention.departmentId ?? config.defaultDepartment;

/**
 * After each visit: a task raised before it is closed (the customer came back) and counts them
 * won back when the visit is soon enough; then the customer's timer is set again from their
 * latest visit.
 */
export async function watchCustomer(deps: TaskDeps, phoneHash: string, history: CustomerHistory) {
  const task = history.lastTask;
  const back = task && returnAfter(history.visits, task.raisedAt, deps.config.retention.wonBackDays);
  let openTaskId = history.openTaskId;
  if (task && back) {
    await closeReturned(deps, task.id, back);
    if (openTaskId === task.id) {
      await deps.retention.closeTask(phoneHash, task.id);
      openTaskId = undefined;
    }
  }
  await keepCustomerTimer(deps, phoneHash, { ...history, openTaskId });
}

/**
 * One timer per customer, at whichever comes first: their silence passing the next recency cut
 * point (their segment is due again), or, for a loyal customer with no task raised since their
 * last visit, the silence that raises one. Nothing scans the customers for either.
 */
export function customerTimer(config: Deps['config'], history: CustomerHistory, now: Date) {
  const { lastVisitAt } = history.value;
  if (!lastVisitAt) return undefined;
  const { rfm, atRiskAfterDays } = config.retention;
  const raisedSince = history.lastTask !== undefined && history.lastTask.raisedAt > lastVisitAt;
  const atRisk = history.openTaskId || raisedSince ? undefined : atRiskAt(history.value, rfm, atRiskAfterDays);
  const recency = nextRecencyChange(lastVisitAt, now, rfm);
  // Past due (a history imported late): the task is raised at once.
  if (atRisk && (!recency || atRisk <= recency)) return { action: 'at_risk' as const, at: atRisk };
  return recency ? { action: 'recency' as const, at: recency } : undefined;
}

/** The timer the customer's history calls for, when it is not the one they have (null: none now). */
export function timerChange(config: Deps['config'], history: CustomerHistory, now: Date) {
  const next = customerTimer(config, history, now);
  if (next?.at === history.timer?.at && next?.action === history.timer?.action) return undefined;
  return next ?? null;
}

export async function keepCustomerTimer(deps: TaskDeps, phoneHash: string, history: CustomerHistory) {
  const change = timerChange(deps.config, history, deps.clock.now());
  if (change !== undefined) await deps.retention.setTimer(phoneHash, change);
}

/** Whether a visit finds the customer back after their latest retention task (watchCustomer closes it). */
export const isBackAfterTask = (config: Deps['config'], history: CustomerHistory) =>
  history.lastTask !== undefined &&
  returnAfter(history.visits, history.lastTask.raisedAt, config.retention.wonBackDays) !== undefined;

/** The customer came back: their task says so, and one still being worked is closed as `returned`. */
async function closeReturned(deps: TaskDeps, taskId: string, back: { visitAt: string; wonBack: boolean }) {
  const task = await deps.alerts.get(taskId);
  if (!task?.retention) return;
  const changes: AlertChanges = {};
  if (back.wonBack && !task.retention.wonBackAt) changes.retention = { ...task.retention, wonBackAt: back.visitAt };
  const open = task.status !== 'resolved';
  const now = deps.clock.now().toISOString();
  if (open) Object.assign(changes, { status: 'resolved', outcome: 'returned', resolvedAt: now, timer: null });
  if (Object.keys(changes).length === 0) return;
  await deps.alerts.update(
    task.id,
    changes,
    { status: [task.status] },
    open ? { action: 'resolved', at: now, by: CLOSEDLOOP, outcome: 'returned', note: `visit on ${back.visitAt}` } : undefined,
  );
}

/**
 * A customer's at-risk timer fired: the customer is claimed for one task (the timer taken out,
 * the task named on them), then the task is created and handed to its department's queue. Each
 * step is safe to repeat, so a redelivered timer or a crash in between raises it exactly once.
 */
export async function raiseRetentionTask(
  deps: TaskDeps,
  message: CustomerTimerMessage & { action: 'at_risk' },
): Promise<'raised' | 'stale' | 'deferred'> {
  const { config, clock } = deps;
  const history = await deps.retention.history(message.phoneHash);
  if (!history?.contact || !history.value.lastVisitAt) return 'stale';
  const id = retentionTaskIdFor(message.phoneHash, message.at);
  const now = clock.now();
  let raisedAt = history.lastTask?.id === id ? history.lastTask.raisedAt : undefined;
  if (history.openTaskId !== id) {
    // A visit moved the clock, a task is open, or the customer is no longer loyal.
    if (history.timer?.action !== 'at_risk' || history.timer.at !== message.at || history.openTaskId) return 'stale';
    if (message.at > now.toISOString()) return 'deferred';
    raisedAt = now.toISOString();
    if (!(await deps.retention.openTask(message.phoneHash, { id, raisedAt }, message.at))) return 'stale';
  }
  raisedAt ??= now.toISOString();

  const { contact, value } = history;
  const lastVisitAt = value.lastVisitAt as string;
  const segment = segmentOf(rfmOf(value, new Date(raisedAt), config.retention.rfm));
  const store = config.stores.find((s) => s.id === contact.storeId);
  const departmentId = retentionDepartment(config);
  const task: Alert = {
    id,
    kind: 'retention',
    departmentId,
    status: 'open',
    priority: config.retention.highValueSegments.includes(segment) ? 'high' : 'normal',
    segment,
    categories: [],
    storeId: contact.storeId,
    serviceType: contact.serviceType,
    customerName: contact.customerName,
    phoneMasked: contact.phoneMasked,
    visitDate: localDate(new Date(lastVisitAt), store?.timezone ?? 'UTC'),
    createdAt: raisedAt,
    dueAt: addMs(raisedAt, config.retention.taskSlaHours * HOUR),
    escalated: false,
    round: 'new',
    deliveries: {},
    actions: [],
    retention: {
      phoneHash: message.phoneHash,
      lastVisitAt,
      visits: value.visits,
      spend: value.spend,
      daysSinceVisit: Math.floor((Date.parse(raisedAt) - Date.parse(lastVisitAt)) / DAY_MS),
    },
    timer: { action: 'deliver', at: raisedAt },
  };
  // Created with its delivery leased, as a detractor's alert is: a lost queue send is resent by the sweeper.
  await deps.alerts.create(task, addMs(raisedAt, TIMER_LEASE_MS));
  await deps.queues.alertDelivery(departmentId, { alertId: id, round: 'new', at: raisedAt });
  // Their segment still moves with their silence while the task is worked (the claim took the timer out).
  await keepCustomerTimer(deps, message.phoneHash, {
    ...history,
    openTaskId: id,
    lastTask: { id, raisedAt },
    timer: history.openTaskId === id ? history.timer : undefined,
  });
  return 'raised';
}
