import { ConflictError } from '#shared/errors.ts';
import type { Actor, AlertActionRecord } from '#shared/domain/records.ts';
import type { ContactSubject, CustomerContact } from '#shared/ports.ts';
import type { Deps } from './deps.ts';
import { actorOf, type Identity } from './identity.ts';
import { visibleAlert } from './manage-alerts.ts';

type ContactDeps = Pick<Deps, 'config' | 'clock' | 'alerts'> & { contact: CustomerContact };

/**
 * The number to call a customer on, recorded before it is handed out: `record` writes who asked
 * and when into the trail of the case or task it belongs to (false: it changed meanwhile, and the
 * number is not given). The number itself goes nowhere else: not into a record, a log line or a
 * message. Every kind of work that calls customers (alerts, call-backs) reveals through this.
 */
export async function revealAudited(
  deps: Pick<Deps, 'clock'> & { contact: CustomerContact },
  subject: ContactSubject,
  by: Actor,
  record: (reveal: { at: string; by: Actor }) => Promise<boolean>,
) {
  const { phone } = await deps.contact.reveal(subject, by);
  const recorded = await record({ at: deps.clock.now().toISOString(), by });
  if (!recorded) throw new ConflictError('it changed meanwhile; reload and try again');
  return { phone };
}

/** The number to call an alert's customer on, for a person of its department (or cx), recorded in its actions. */
export async function revealContact(deps: ContactDeps, identity: Identity, alertId: string) {
  const alert = await visibleAlert(deps, identity, alertId);
  return revealAudited(deps, alert, actorOf(identity), (reveal) => {
    const action: AlertActionRecord = { action: 'phone_revealed', ...reveal };
    // Still this department's: a reassignment in the meantime takes the right to see the number with it.
    return deps.alerts.update(alert.id, {}, { departmentId: alert.departmentId }, action);
  });
}
