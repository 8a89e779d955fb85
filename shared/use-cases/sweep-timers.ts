import type { SurveyTimerAction } from '#shared/domain/records.ts';
import type { CustomerTimerAction } from '#shared/ports.ts';
import { addMs, type Deps, TIMER_LEASE_MS } from './deps.ts';

/**
 * Hands every due timer to its queue. The timer stays in the index with its next look
 * pushed past a lease; the handler that runs it removes or replaces it. So a lost queue
 * message, or a crash anywhere, only delays work by one lease.
 */
export async function sweepTimers(
  deps: Pick<Deps, 'clock' | 'timers' | 'queues'>,
  options: { limit: number; redriveInFlight?: boolean } = { limit: 500 },
) {
  const now = deps.clock.now().toISOString();
  // After a restart, work fired before it may have been lost with the queue: fire it again.
  const due = await deps.timers.due(now, options.limit, options.redriveInFlight ? addMs(now, TIMER_LEASE_MS) : undefined);
  let fired = 0;
  for (const timer of due) {
    if (!(await deps.timers.lease(timer, addMs(now, TIMER_LEASE_MS)))) continue;
    if (timer.entity === 'survey') {
      const action = timer.action as SurveyTimerAction;
      await deps.queues.surveyTimer({ surveyId: timer.id, action, at: timer.at });
    } else if (timer.entity === 'customer') {
      const action = timer.action as CustomerTimerAction;
      await deps.queues.customerTimer({ phoneHash: timer.id, action, at: timer.at });
    } else if (timer.departmentId) {
      const round = timer.action === 'escalate' ? 'escalation' : 'new';
      await deps.queues.alertDelivery(timer.departmentId, { alertId: timer.id, round, at: timer.at });
    }
    fired++;
  }
  return { due: due.length, fired };
}
