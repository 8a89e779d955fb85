import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.ts';
import { atRiskAt, returnAfter } from '#shared/domain/rfm.ts';
import { closedLoopMetrics } from '#shared/use-cases/closed-loop-metrics.ts';
import type { Identity } from '#shared/use-cases/identity.ts';
import { actOnAlert } from '#shared/use-cases/manage-alerts.ts';
import { raiseRetentionTask, retentionTaskIdFor } from '#shared/use-cases/retention-tasks.ts';
import { scheduleSurvey } from '#shared/use-cases/schedule-survey.ts';
import { reviewSegment } from '#shared/use-cases/track-retention.ts';
import { sweepTimers } from '#shared/use-cases/sweep-timers.ts';
import { createFakes, type Fakes, fakeVault } from './fakes.ts';

const DAY = 86_400_000;
const cuts = { recencyDays: [45, 120, 240, 400], visits: [2, 3, 5, 8], spend: [1500, 4000, 10_000, 25_000] } as const;
const T0 = Date.parse('2026-01-05T02:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const care: Identity = { role: 'department', departmentId: 'customer-care', sub: 'u-zhou', name: '周敏' };

describe('atRiskAt', () => {
  it('is atRiskAfterDays after the last visit for a loyal customer (F ≥ 3 and M ≥ 3)', () => {
    expect(atRiskAt({ visits: 3, spend: 4000, lastVisitAt: iso(T0) }, cuts, 180)).toBe(iso(T0 + 180 * DAY));
  });

  it('is nothing for a customer who is not frequent or not valuable enough, or has no visit', () => {
    expect(atRiskAt({ visits: 2, spend: 50_000, lastVisitAt: iso(T0) }, cuts, 180)).toBeUndefined();
    expect(atRiskAt({ visits: 9, spend: 3999, lastVisitAt: iso(T0) }, cuts, 180)).toBeUndefined();
    expect(atRiskAt({ visits: 3, spend: 4000 }, cuts, 180)).toBeUndefined();
  });
});

describe('returnAfter', () => {
  const raisedAt = iso(T0);
  it('takes the first visit after the task, won back up to wonBackDays and not a day later', () => {
    expect(returnAfter([iso(T0 - DAY), iso(T0 + 90 * DAY), iso(T0 + 10 * DAY)], raisedAt, 90)).toEqual({
      visitAt: iso(T0 + 10 * DAY),
      wonBack: true,
    });
    expect(returnAfter([iso(T0 + 90 * DAY)], raisedAt, 90)?.wonBack).toBe(true);
    expect(returnAfter([iso(T0 + 90 * DAY + 1)], raisedAt, 90)?.wonBack).toBe(false);
    expect(returnAfter([iso(T0 - DAY), raisedAt], raisedAt, 90)).toBeUndefined();
  });
});

const PHONE = '+8613912345678';
let events = 0;
/** A visit of the customer at `at`, taken in three hours later (the clock moves there). */
async function visit(fakes: Fakes, at: number, amount = 2000, phone = PHONE) {
  fakes.clock.set(iso(at + 3 * 3_600_000));
  return scheduleSurvey(fakes, {
    eventId: `RO-${++events}`,
    occurredAt: iso(at),
    storeId: 'sh-pudong',
    serviceType: 'maintenance',
    customer: { id: 'C-1', phone, name: '王先生' },
    amount,
  });
}
const hash = fakeVault.hash(PHONE);

/** A loyal customer: three visits of 2,000 (F3, M3), the last at T0 + 60 days. */
async function loyalCustomer() {
  const fakes = createFakes();
  await visit(fakes, T0);
  await visit(fakes, T0 + 30 * DAY);
  await visit(fakes, T0 + 60 * DAY);
  return fakes;
}
const LAST = T0 + 60 * DAY;
const DUE = iso(LAST + 180 * DAY);

/**
 * The customer's timers fire in turn on the fake clock up to `until`, as the sweeper and the
 * timer queue would run them: recency reviews move the segment, the at-risk one raises the task.
 */
async function silenceUntil(fakes: Fakes, until: number) {
  const outcomes: string[] = [];
  for (let timer = fakes.retention.timers.get(hash); timer && timer.at <= iso(until); timer = fakes.retention.timers.get(hash)) {
    fakes.clock.set(timer.at);
    const { action, at } = timer;
    outcomes.push(
      `${action}:${action === 'at_risk' ? await raiseRetentionTask(fakes, { phoneHash: hash, action, at }) : await reviewSegment(fakes, { phoneHash: hash, action, at })}`,
    );
  }
  fakes.clock.set(iso(until));
  return outcomes;
}
const segmentNow = () => fakes0?.retention.segmentOf.get(hash);
let fakes0: Fakes | undefined;

describe('the customer timer', () => {
  it('starts again at every visit: the next recency cut point, then, for a loyal customer, the silence that raises a task', async () => {
    const fakes = createFakes();
    await visit(fakes, T0);
    await visit(fakes, T0 + 30 * DAY);
    expect(fakes.retention.timers.get(hash)).toEqual({ action: 'recency', at: iso(T0 + 75 * DAY + 1) });
    await visit(fakes, LAST);
    expect(fakes.retention.timers.get(hash)).toEqual({ action: 'recency', at: iso(LAST + 45 * DAY + 1) });
    await visit(fakes, T0 + 100 * DAY);
    expect(fakes.retention.timers.get(hash)).toEqual({ action: 'recency', at: iso(T0 + 145 * DAY + 1) });
  });

  it('keeps a quiet customer’s segment true as their silence passes each cut point, and raises one task at 180 days', async () => {
    const fakes = await loyalCustomer();
    fakes0 = fakes;
    expect(segmentNow()).toBe('loyal');
    expect(await silenceUntil(fakes, LAST + 179 * DAY)).toEqual(['recency:moved', 'recency:moved']);
    expect(fakes.retention.timers.get(hash)).toEqual({ action: 'at_risk', at: DUE });
    expect(fakes.alerts.alerts.size).toBe(0);
    // Fired early (a redelivery ahead of its time) it waits.
    expect(await raiseRetentionTask(fakes, { phoneHash: hash, action: 'at_risk', at: DUE })).toBe('deferred');

    expect(await silenceUntil(fakes, LAST + 180 * DAY + 60_000)).toEqual(['at_risk:raised']);
    // The segment goes on moving while the task is worked: R2 at 240 days is at risk.
    expect(await silenceUntil(fakes, LAST + 400 * DAY + 1)).toEqual(['recency:moved', 'recency:moved']);
    expect(segmentNow()).toBe('at_risk');
    expect(fakes.retention.timers.has(hash)).toBe(false);
    expect(fakes.alerts.alerts.size).toBe(1);
    // The dashboard's month of moves: loyal out, at risk in (the first visit's `new` came in before).
    const month = iso(LAST + 240 * DAY + 1).slice(0, 7);
    const rows = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fakes.rollups.read({
          family: 'retention',
          granularity: 'month',
          view: `segment-moves-${i}`,
          partitions: [month.slice(0, 4)],
          fromPeriod: month,
          toPeriod: month,
        }),
      ),
    );
    expect(rows.flat().map((r) => r.counters)).toEqual([{ in_at_risk: 1, out_loyal: 1 }]);
  });

  it('raises a task that carries the customer, for customer care, due in 72 hours', async () => {
    const fakes = await loyalCustomer();
    await silenceUntil(fakes, LAST + 180 * DAY + 60_000);
    const task = fakes.alerts.alerts.get(retentionTaskIdFor(hash, DUE));
    expect(task).toMatchObject({
      kind: 'retention',
      departmentId: 'customer-care',
      status: 'open',
      // 180 days is still R3 by the default cut points (≤ 240 days): the segment is loyal, a high-value one.
      segment: 'loyal',
      priority: 'high',
      storeId: 'sh-pudong',
      serviceType: 'maintenance',
      customerName: '王先生',
      phoneMasked: '+86 139****5678',
      categories: [],
      retention: { phoneHash: hash, lastVisitAt: iso(LAST), visits: 3, spend: 6000, daysSinceVisit: 180 },
    });
    expect(task?.score).toBeUndefined();
    // The 72-hour playbook, whatever the department's own SLA for detractors (customer care: 4 h).
    expect(task?.createdAt).toBe(DUE);
    expect(task?.dueAt).toBe(iso(LAST + 180 * DAY + 72 * 3_600_000));
    expect(fakes.queues.alertDeliveries).toEqual([
      { departmentId: 'customer-care', message: { alertId: task?.id, round: 'new', at: task?.createdAt } },
    ]);
    expect(fakes.retention.openTasks.get(hash)).toBe(task?.id);
  });

  it('raises the task once however often its timer is redelivered, and nothing for a stale one', async () => {
    const fakes = await loyalCustomer();
    await silenceUntil(fakes, LAST + 181 * DAY);
    expect(await raiseRetentionTask(fakes, { phoneHash: hash, action: 'at_risk', at: DUE })).toBe('raised');
    expect(fakes.alerts.alerts.size).toBe(1);
    expect(await raiseRetentionTask(fakes, { phoneHash: hash, action: 'at_risk', at: iso(LAST + 100 * DAY) })).toBe('stale');
    expect(await reviewSegment(fakes, { phoneHash: hash, action: 'recency', at: iso(LAST + 45 * DAY + 1) })).toBe('stale');
    expect(fakes.alerts.alerts.size).toBe(1);
  });

  it('gives a customer no second task for the same silence, even once the first is closed', async () => {
    const fakes = await loyalCustomer();
    await silenceUntil(fakes, LAST + 181 * DAY);
    await actOnAlert(fakes, care, retentionTaskIdFor(hash, DUE), { action: 'resolved', outcome: 'lost' });
    expect(await silenceUntil(fakes, LAST + 700 * DAY)).toEqual(['recency:moved', 'recency:moved']);
    expect(fakes.alerts.alerts.size).toBe(1);
  });

  it('never raises one for a customer who is not loyal', async () => {
    const fakes = createFakes();
    await visit(fakes, T0, 500);
    await visit(fakes, T0 + 30 * DAY, 500);
    await visit(fakes, LAST, 500);
    expect(await silenceUntil(fakes, LAST + 500 * DAY)).toEqual(Array(4).fill('recency:moved'));
    expect(fakes.alerts.alerts.size).toBe(0);
  });

  it('is handed from the sweeper to the timer queue by the customer’s key', async () => {
    const fakes = await loyalCustomer();
    const timers = {
      due: async () => [
        { entity: 'customer' as const, id: hash, action: 'at_risk', at: DUE, leaseKey: `${DUE}#customer#${hash}` },
      ],
      lease: async () => true,
    };
    await sweepTimers({ ...fakes, timers });
    expect(fakes.queues.customerTimers).toEqual([{ phoneHash: hash, action: 'at_risk', at: DUE }]);
  });
});

describe('working a retention task', () => {
  async function openTask() {
    const fakes = await loyalCustomer();
    await silenceUntil(fakes, LAST + 181 * DAY);
    return { fakes, id: retentionTaskIdFor(hash, DUE) };
  }

  it('is closed with an outcome, not a root cause, and the customer may get another later', async () => {
    const { fakes, id } = await openTask();
    await expect(actOnAlert(fakes, care, id, { action: 'resolved' })).rejects.toBeInstanceOf(ValidationError);
    expect(fakes.alerts.alerts.get(id)?.status).toBe('open');

    fakes.clock.advance(3_600_000);
    const closed = await actOnAlert(fakes, care, id, { action: 'resolved', outcome: 'booked', note: '约了下周保养' });
    expect(closed).toMatchObject({ status: 'resolved', outcome: 'booked', kind: 'retention' });
    expect(closed.retention).not.toHaveProperty('phoneHash');
    expect(closed.firstContactAt).toBe(fakes.clock.now().toISOString());
    expect(fakes.alerts.alerts.get(id)?.actions.at(-1)).toMatchObject({
      action: 'resolved',
      outcome: 'booked',
      by: { name: '周敏' },
    });
    expect(fakes.retention.openTasks.has(hash)).toBe(false);
    // No re-survey: a retention task has no survey to follow up.
    expect(fakes.queues.surveyTimers.filter((t) => t.action === 'resurvey')).toEqual([]);
  });

  it('counts a visit within 90 days as won back, closing a task still open as returned', async () => {
    const { fakes, id } = await openTask();
    await visit(fakes, LAST + 200 * DAY);
    const task = fakes.alerts.alerts.get(id);
    expect(task).toMatchObject({ status: 'resolved', outcome: 'returned' });
    expect(task?.retention?.wonBackAt).toBe(iso(LAST + 200 * DAY));
    expect(task?.actions.at(-1)).toMatchObject({ action: 'resolved', outcome: 'returned', by: { sub: 'closedloop' } });
    // Their clock runs again from this visit.
    expect(fakes.retention.timers.get(hash)).toEqual({ action: 'recency', at: iso(LAST + 245 * DAY + 1) });
  });

  it('closes the task but counts no win-back for a visit more than 90 days after it', async () => {
    const { fakes, id } = await openTask();
    await visit(fakes, LAST + 181 * DAY + 91 * DAY);
    expect(fakes.alerts.alerts.get(id)).toMatchObject({ status: 'resolved', outcome: 'returned' });
    expect(fakes.alerts.alerts.get(id)?.retention?.wonBackAt).toBeUndefined();
  });

  it('keeps its own outcome when the customer comes back after it was closed, and is won back all the same', async () => {
    const { fakes, id } = await openTask();
    await actOnAlert(fakes, care, id, { action: 'resolved', outcome: 'reached' });
    await visit(fakes, LAST + 190 * DAY);
    expect(fakes.alerts.alerts.get(id)).toMatchObject({ outcome: 'reached', retention: { wonBackAt: iso(LAST + 190 * DAY) } });
  });

  it('is reported in GET /v1/closed-loop beside the detractors’ alerts, never mixed into them', async () => {
    const { fakes, id } = await openTask();
    fakes.clock.advance(2 * 3_600_000);
    await actOnAlert(fakes, care, id, { action: 'contacted' });
    await visit(fakes, LAST + 190 * DAY);
    const date = DUE.slice(0, 10);
    const figures = await closedLoopMetrics(
      fakes,
      { role: 'cx', sub: 'c', name: 'c' },
      { from: date, to: date, groupBy: 'none', granularity: 'none' },
    );
    expect(figures.overall.raised).toBe(0);
    expect(figures.overall.retentionTasks).toEqual({
      raised: 1,
      open: 0,
      escalated: 0,
      contactedWithinSla: 1,
      contactedWithinSlaRate: 100,
      closed: 1,
      byOutcome: { returned: 1 },
      wonBack: 1,
      wonBackRate: 100,
    });
  });
});
