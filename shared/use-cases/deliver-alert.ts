import * as z from '#shared/zod.ts';
import type { Alert } from '#shared/domain/records.ts';
import type { AlertDeliveryMessage, AlertPayload } from '#shared/ports.ts';
import type { Deps } from './deps.ts';

export const alertDeliveryMessageSchema = z.object({
  alertId: z.string().check(z.minLength(1)),
  round: z.string().check(z.regex(/^(new|escalation|reassign-\d+|reopen-\d+)$/)),
  at: z.optional(z.iso.datetime()),
});

export class AlertNotFound extends Error {
  override name = 'AlertNotFound';
}

type DeliverDeps = Pick<Deps, 'config' | 'clock' | 'alerts' | 'channels' | 'publicBaseUrl'>;

/**
 * Delivers one round of an alert to its department's channels. Each channel that answered
 * 2xx is recorded, so a retry only re-sends to the channels that failed. `delivered`: the
 * channels this call reached; `escalated`: this call flagged the alert escalated (once per alert).
 */
export async function deliverAlert(deps: DeliverDeps, message: AlertDeliveryMessage) {
  const alert = await deps.alerts.get(message.alertId);
  if (!alert) throw new AlertNotFound(`alert ${message.alertId} does not exist`);
  const now = deps.clock.now().toISOString();
  // A timer fired by the sweeper does not know the round; the alert does.
  const round = message.round === 'escalation' ? 'escalation' : alert.round;
  let escalated = false;

  if (message.round === 'escalation') {
    if (alert.status !== 'open' || alert.timer?.action !== 'escalate') return { delivered: 0, escalated: false };
    escalated = !alert.escalated;
    await deps.alerts.update(alert.id, { escalated: true }, { timerAt: alert.timer.at });
    alert.escalated = true;
  }
  // An escalation also reaches the default department, the owner of last resort; so does a reopened
  // case, whose recovery failed: the loop its department closed is open again.
  const escalates = message.round === 'escalation' || isReopenRound(round);
  const departmentIds = escalates ? [...new Set([alert.departmentId, deps.config.defaultDepartment])] : [alert.departmentId];
  let delivered = 0;
  for (const departmentId of departmentIds) {
    const department = deps.config.departments.find((d) => d.id === departmentId);
    for (const [index, channel] of (department?.channels ?? []).entries()) {
      const key = `${round}:${departmentId}:${index}`;
      if (alert.deliveries[key]) continue;
      await deps.channels.deliver(channel, payloadOf(deps, alert, round), `${alert.id}:${key}`);
      await deps.alerts.markDelivered(alert.id, key, now);
      delivered++;
    }
  }

  // Next: wait for the SLA; an alert nobody acknowledged by then is escalated once.
  if (alert.timer && (alert.timer.action === 'deliver' || round === 'escalation')) {
    const next = round !== 'escalation' && alert.status === 'open' ? { action: 'escalate' as const, at: alert.dueAt } : null;
    await deps.alerts.update(alert.id, { timer: next }, { timerAt: alert.timer.at });
  }
  return { delivered, escalated };
}

const isReopenRound = (round: string) => round.startsWith('reopen-');

export function payloadOf(deps: Pick<Deps, 'config' | 'publicBaseUrl'>, alert: Alert, round: string): AlertPayload {
  const base = (deps.publicBaseUrl ?? '').replace(/\/$/, '');
  const department = deps.config.departments.find((d) => d.id === alert.departmentId);
  const store = deps.config.stores.find((s) => s.id === alert.storeId);
  const family = alert.kind === 'retention' ? 'retention' : 'alert';
  const step = round === 'escalation' ? 'escalated' : round.startsWith('reassign') ? 'reassigned' : 'raised';
  const facts = alert.retention;
  const reopened = alert.reopened;
  return {
    // Only a detractor's case reopens (on its re-survey); a retention task never does.
    type: family === 'alert' && isReopenRound(round) ? 'alert.reopened' : `${family}.${step}`,
    alert: {
      id: alert.id,
      kind: alert.kind ?? 'detractor',
      departmentId: alert.departmentId,
      departmentName: department?.name ?? alert.departmentId,
      priority: alert.priority,
      segment: alert.segment ?? null,
      surveyType: alert.surveyType ?? null,
      score: alert.score ?? null,
      comment: alert.comment ?? null,
      categories: alert.categories,
      storeId: alert.storeId,
      storeName: store?.name ?? alert.storeId,
      advisorId: alert.advisorId ?? null,
      serviceType: alert.serviceType,
      customerName: alert.customerName ?? null,
      phone: alert.phoneMasked,
      dueAt: alert.dueAt,
      escalated: alert.escalated,
      createdAt: alert.createdAt,
      retention: facts
        ? { lastVisitAt: facts.lastVisitAt, visits: facts.visits, spend: facts.spend, daysSinceVisit: facts.daysSinceVisit }
        : null,
      reopened: reopened ? { at: reopened.at, score: reopened.score, comment: reopened.comment ?? null } : null,
    },
    // `view` opens the case page (sign-in first when needed); `api` and `act` are the JSON routes.
    links: {
      view: `${base}/inbox/alerts/${alert.id}`,
      api: `${base}/v1/alerts/${alert.id}`,
      act: `${base}/v1/alerts/${alert.id}/actions`,
    },
  };
}
