import { instantOfWallClock, localDate } from '#shared/domain/quiet-hours.ts';
import type { TextQuota } from '#shared/ports.ts';
import type { Deps } from './deps.ts';

export type QuotaDeps = Pick<Deps, 'config' | 'clock'> & { quota: TextQuota };

/** May a text go to this number now: `allowed`, or the number's day is used up until `nextDay` (its local midnight). */
export type TextAllowance = { allowed: true } | { allowed: false; nextDay: Date };

/**
 * Every text to a customer asks here first: with `sms.maxPerNumberPerDay` set, it counts against
 * the number's texts of the customer's local day (`timeZone`), and one over the cap is not sent.
 */
export async function allowText(deps: QuotaDeps, phoneHash: string, timeZone: string): Promise<TextAllowance> {
  const limit = deps.config.sms.maxPerNumberPerDay;
  if (limit === undefined) return { allowed: true };
  const now = deps.clock.now();
  const day = localDate(now, timeZone);
  const nextDay = instantOfWallClock(dayAfter(day), 0, timeZone);
  // Kept a day past its own so that no sender whose clock is a little behind finds the day fresh.
  const expiresAt = new Date(nextDay.getTime() + 86_400_000).toISOString();
  return (await deps.quota.take(phoneHash, day, limit, expiresAt)) ? { allowed: true } : { allowed: false, nextDay };
}

function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
