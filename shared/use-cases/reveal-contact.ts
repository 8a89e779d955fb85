import { ConflictError } from '#shared/errors.ts';
import type { AlertActionRecord } from '#shared/domain/records.ts';
import type { CustomerContact } from '#shared/ports.ts';
import type { Deps } from './deps.ts';
import { actorOf, type Identity } from './identity.ts';
import { visibleAlert } from './manage-alerts.ts';

type ContactDeps = Pick<Deps, 'config' | 'clock' | 'alerts'> & { contact: CustomerContact };

/**
 * The number to call an alert's customer on, for a person of its department (or cx). The
 * reveal is recorded in the alert's actions before the number is handed out, and the number
 * itself goes nowhere else: not into the alert, a log line or a message.
 */
export async function revealContact(deps: ContactDeps, identity: Identity, alertId: string) {
  const alert = await visibleAlert(deps, identity, alertId);
  const by = actorOf(identity);
  const { phone } = await deps.contact.reveal(alert, by);
  const record: AlertActionRecord = { action: 'phone_revealed', at: deps.clock.now().toISOString(), by };
  // Still this department's: a reassignment in the meantime takes the right to see the number with it.
  const recorded = await deps.alerts.update(alert.id, {}, { departmentId: alert.departmentId }, record);
  if (!recorded) throw new ConflictError('the alert changed meanwhile; reload and try again');
  return { phone };
}
