import * as z from '#shared/zod.ts';
import { ValidationError } from '#shared/errors.ts';
import { granularities, periodOf } from '#shared/domain/periods.ts';
import { localDate } from '#shared/domain/quiet-hours.ts';
import type { Alert } from '#shared/domain/records.ts';
import { firstResponseAt } from './alert-case.ts';
import { addMs, type Deps, HOUR } from './deps.ts';
import { type Identity, scopeToIdentity } from './identity.ts';

export const closedLoopQuerySchema = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    departmentId: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
    storeId: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
    groupBy: z._default(z.enum(['none', 'department', 'store']), 'department'),
    granularity: z._default(z.enum(['none', ...granularities]), 'none'),
  })
  .check(
    z.refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' }),
    z.refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, {
      path: ['to'],
      message: 'a range of at most a year',
    }),
  );
export type ClosedLoopQuery = z.infer<typeof closedLoopQuerySchema>;

const median = (values: number[]) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);
const minutesBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 60_000);

/**
 * The closed-loop figures of a set of alerts: did someone follow up (contacted, found
 * unreachable or resolved), was the loop closed, how fast, within the SLA, did the detractor
 * recover (or did their re-survey reopen the case), and the recovery by who closed the case.
 */
export function closedLoopFigures(alerts: Alert[]) {
  const followedUp = alerts.filter((a) => a.firstContactAt || a.status === 'resolved' || a.status === 'unreachable');
  const resolved = alerts.filter((a) => a.status === 'resolved');
  const withinSla = alerts.filter((a) => {
    const at = firstResponseAt(a);
    return at !== undefined && at <= a.dueAt;
  });
  // A reopened case was decided too (not recovered), whether or not it has been resolved again.
  const decided = alerts.filter((a) => a.recovered !== undefined);
  const recovered = decided.filter((a) => a.recovered);
  const reopened = alerts.filter((a) => a.reopened !== undefined);
  return {
    raised: alerts.length,
    open: alerts.filter((a) => a.status === 'open').length,
    followedUp: followedUp.length,
    resolved: resolved.length,
    escalated: alerts.filter((a) => a.escalated).length,
    followUpRate: rate(followedUp.length, alerts.length),
    closedLoopRate: rate(resolved.length, alerts.length),
    medianMinutesToFirstContact: median(
      alerts.flatMap((a) => (a.firstContactAt ? [minutesBetween(a.createdAt, a.firstContactAt)] : [])),
    ),
    withinSlaRate: rate(withinSla.length, alerts.length),
    recoveryDecided: decided.length,
    recovered: recovered.length,
    recoveryRate: rate(recovered.length, decided.length),
    reopened: reopened.length,
    reopenedUnresolved: reopened.filter((a) => a.status !== 'resolved').length,
    reopenRate: rate(reopened.length, decided.length),
    recoveryByCloser: recoveryByCloser(decided),
    closures: closuresOf(resolved),
  };
}

/**
 * Of the cases whose recovery was decided, by the person who closed them (the `sub` and name on
 * the resolving action the re-survey followed): how many (n), recovered, reopened, and the rate.
 * Most cases first.
 */
export function recoveryByCloser(decided: Alert[]) {
  const closers = new Map<string, { sub: string; name: string; n: number; recovered: number; reopened: number }>();
  for (const alert of decided) {
    const closer = alert.actions.find((a) => a.action === 'resolved')?.by;
    if (!closer) continue;
    const entry = closers.get(closer.sub) ?? { sub: closer.sub, name: closer.name, n: 0, recovered: 0, reopened: 0 };
    entry.n++;
    if (alert.recovered) entry.recovered++;
    if (alert.reopened) entry.reopened++;
    closers.set(closer.sub, entry);
  }
  return [...closers.values()]
    .sort((a, b) => b.n - a.n || a.sub.localeCompare(b.sub))
    .map((c) => ({ ...c, recoveryRate: rate(c.recovered, c.n) }));
}

/**
 * Retention tasks beside the detractors' alerts: raised, contacted within their SLA (a call that
 * reached the customer or booked them, or a contact logged), closed by outcome, and won back (a
 * visit within `retention.wonBackDays` of the task).
 */
export function retentionTaskFigures(tasks: Alert[]) {
  const contactedInTime = tasks.filter((t) => t.firstContactAt !== undefined && t.firstContactAt <= t.dueAt);
  const wonBack = tasks.filter((t) => t.retention?.wonBackAt !== undefined);
  return {
    raised: tasks.length,
    open: tasks.filter((t) => t.status !== 'resolved').length,
    escalated: tasks.filter((t) => t.escalated).length,
    contactedWithinSla: contactedInTime.length,
    contactedWithinSlaRate: rate(contactedInTime.length, tasks.length),
    closed: tasks.filter((t) => t.status === 'resolved').length,
    byOutcome: tally(tasks.map((t) => t.outcome)),
    wonBack: wonBack.length,
    wonBackRate: rate(wonBack.length, tasks.length),
  };
}

const isTask = (alert: Alert) => alert.kind === 'retention';
/** The closed-loop figures of detractors' alerts, and of retention tasks apart. */
const figuresOf = (alerts: Alert[]) => ({
  ...closedLoopFigures(alerts.filter((a) => !isTask(a))),
  retentionTasks: retentionTaskFigures(alerts.filter(isTask)),
});

const tally = (values: (string | undefined)[]) => {
  const counts: Record<string, number> = {};
  for (const value of values) if (value) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};

/** Resolved alerts by the root cause their head settled on and by what was done. */
export const closuresOf = (resolved: Alert[]) => ({
  byRootCause: tally(resolved.map((a) => a.rootCause)),
  byResolution: tally(resolved.map((a) => a.resolution)),
});

/**
 * The classifier measured against the heads: for each category, of the resolved alerts it put
 * in that category, the share whose head named it the root cause. `confirmedRate`: the share of
 * resolved alerts whose root cause is one of their categories at all.
 */
export function classifierPrecision(alerts: Alert[]) {
  const judged = alerts.filter((a) => a.status === 'resolved' && a.rootCause !== undefined);
  const categories = [...new Set(judged.flatMap((a) => a.categories))].sort();
  return {
    judged: judged.length,
    confirmedRate: rate(judged.filter((a) => a.rootCauseConfirmed).length, judged.length),
    byCategory: categories.map((category) => {
      const classified = judged.filter((a) => a.categories.includes(category));
      const confirmed = classified.filter((a) => a.rootCause === category).length;
      return { category, classified: classified.length, confirmed, precision: rate(confirmed, classified.length) };
    }),
  };
}

/** Closed-loop figures for alerts raised in a date range (the store's local dates), grouped as asked. */
export async function closedLoopMetrics(deps: Pick<Deps, 'config' | 'alerts'>, identity: Identity, query: ClosedLoopQuery) {
  const { config } = deps;
  query = scopeToIdentity(identity, query, 'closed-loop figures');
  if (query.departmentId && !config.departments.some((d) => d.id === query.departmentId)) {
    throw new ValidationError('unknown department', { departmentId: 'not a configured department' });
  }
  const departments = query.departmentId ? [query.departmentId] : config.departments.map((d) => d.id);
  // Local dates run up to 14 hours either side of UTC: read a little wider, then keep exact local dates.
  const fromIso = addMs(`${query.from}T00:00:00.000Z`, -14 * HOUR);
  const toIso = addMs(`${query.to}T23:59:59.999Z`, 14 * HOUR);
  const timezoneOf = (storeId: string) => config.stores.find((s) => s.id === storeId)?.timezone ?? 'UTC';
  const alerts = (await Promise.all(departments.map((d) => deps.alerts.createdBetween(d, fromIso, toIso))))
    .flat()
    .map((alert) => ({ alert, date: localDate(new Date(alert.createdAt), timezoneOf(alert.storeId)) }))
    .filter(({ alert, date }) => date >= query.from && date <= query.to && (!query.storeId || alert.storeId === query.storeId));

  const groups = new Map<string, { group: string; period: string; alerts: Alert[] }>();
  for (const { alert, date } of alerts) {
    const group = query.groupBy === 'none' ? 'all' : query.groupBy === 'store' ? alert.storeId : alert.departmentId;
    const period = query.granularity === 'none' ? `${query.from}/${query.to}` : periodOf(date, query.granularity);
    const key = `${period}\u0000${group}`;
    const entry = groups.get(key) ?? { group, period, alerts: [] };
    entry.alerts.push(alert);
    groups.set(key, entry);
  }
  return {
    from: query.from,
    to: query.to,
    groupBy: query.groupBy,
    granularity: query.granularity,
    overall: figuresOf(alerts.map((a) => a.alert)),
    classifier: classifierPrecision(alerts.map((a) => a.alert).filter((a) => !isTask(a))),
    groups: [...groups.values()]
      .sort((a, b) => a.period.localeCompare(b.period) || a.group.localeCompare(b.group))
      .map((g) => ({ period: g.period, group: g.group, ...figuresOf(g.alerts) })),
  };
}
