import { describe, expect, it } from 'vitest';
import type { Alert, AlertActionRecord } from '#shared/domain/records.ts';
import { closedLoopFigures, closedLoopMetrics } from '#shared/use-cases/closed-loop-metrics.ts';
import { createFakes } from './fakes.ts';

const action = (kind: AlertActionRecord['action'], at: string): AlertActionRecord => ({
  action: kind,
  at,
  by: { sub: 'li.ming', name: '李明' },
});

function anAlert(id: string, overrides: Partial<Alert> = {}): Alert {
  return {
    id,
    surveyId: `sv_${id}`,
    departmentId: 'workshop',
    status: 'open',
    priority: 'normal',
    surveyType: 'nps',
    score: 3,
    categories: [],
    storeId: 'sh-pudong',
    serviceType: 'repair',
    phoneMasked: '+86 138****8000',
    visitDate: '2026-11-19',
    createdAt: '2026-11-20T02:00:00.000Z',
    dueAt: '2026-11-21T02:00:00.000Z',
    escalated: false,
    round: 'new',
    deliveries: {},
    actions: [],
    ...overrides,
  };
}

const contactedAfter = (minutes: number) => new Date(Date.parse('2026-11-20T02:00:00.000Z') + minutes * 60_000).toISOString();

describe('closedLoopFigures', () => {
  const alerts = [
    anAlert('a', {
      status: 'resolved',
      firstContactAt: contactedAfter(30),
      resolvedAt: contactedAfter(60),
      recovered: true,
      actions: [action('contacted', contactedAfter(30)), action('resolved', contactedAfter(60))],
    }),
    anAlert('b', {
      status: 'resolved',
      firstContactAt: contactedAfter(90),
      resolvedAt: contactedAfter(120),
      recovered: false,
      actions: [action('contacted', contactedAfter(90))],
    }),
    anAlert('c', {
      status: 'contacted',
      firstContactAt: contactedAfter(2000),
      actions: [action('contacted', contactedAfter(2000))],
    }),
    anAlert('d', { status: 'unreachable', actions: [action('unreachable', contactedAfter(10))] }),
    anAlert('e', { status: 'open', escalated: true }),
  ];

  it('counts follow-up (contacted, unreachable or resolved) and closed loops against alerts raised', () => {
    expect(closedLoopFigures(alerts)).toMatchObject({
      raised: 5,
      followedUp: 4,
      resolved: 2,
      open: 1,
      followUpRate: 80,
      closedLoopRate: 40,
    });
  });

  it('takes the median time to first contact over the contacted alerts, in minutes', () => {
    expect(closedLoopFigures(alerts).medianMinutesToFirstContact).toBe(90);
  });

  it('counts a first response after the due time as outside the SLA', () => {
    expect(closedLoopFigures(alerts).withinSlaRate).toBe(60);
  });

  it('reports escalations and the recovery rate among decided resolved alerts', () => {
    expect(closedLoopFigures(alerts)).toMatchObject({ escalated: 1, recoveryDecided: 2, recovered: 1, recoveryRate: 50 });
  });

  it('counts the cases a failed recovery reopened, and the recovery rate by who closed each case, with n', () => {
    const by = (sub: string, name: string) => ({ sub, name });
    const resolvedBy = (who: { sub: string; name: string }, at: string): AlertActionRecord => ({
      ...action('resolved', at),
      by: who,
    });
    const li = by('li.ming', '李明');
    const wang = by('wang.fang', '王芳');
    const reopening = { at: contactedAfter(5000), surveyId: 'sv_re', score: 3 };
    const figures = closedLoopFigures([
      anAlert('recovered', { status: 'resolved', recovered: true, actions: [resolvedBy(li, contactedAfter(60))] }),
      // Reopened and not worked yet: decided (not recovered), no longer resolved.
      anAlert('reopened', {
        status: 'reopened',
        recovered: false,
        reopened: reopening,
        actions: [
          resolvedBy(wang, contactedAfter(60)),
          { ...action('reopened', reopening.at), by: by('closedloop', 'ClosedLoop') },
        ],
      }),
      // Reopened, then resolved again by someone else: still counted for who closed it first.
      anAlert('again', {
        status: 'resolved',
        recovered: false,
        reopened: reopening,
        actions: [
          resolvedBy(li, contactedAfter(60)),
          { ...action('reopened', reopening.at), by: by('closedloop', 'ClosedLoop') },
          resolvedBy(wang, contactedAfter(6000)),
        ],
      }),
      anAlert('undecided', { status: 'resolved', actions: [resolvedBy(wang, contactedAfter(60))] }),
    ]);

    expect(figures).toMatchObject({
      resolved: 3,
      recoveryDecided: 3,
      recovered: 1,
      recoveryRate: 33.3,
      reopened: 2,
      reopenedUnresolved: 1,
      reopenRate: 66.7,
    });
    expect(figures.recoveryByCloser).toEqual([
      { sub: 'li.ming', name: '李明', n: 2, recovered: 1, reopened: 1, recoveryRate: 50 },
      { sub: 'wang.fang', name: '王芳', n: 1, recovered: 0, reopened: 1, recoveryRate: 0 },
    ]);
  });

  it('holds a reopened case to its new SLA: the first response since it was reopened, against its new due time', () => {
    const reopenedAt = contactedAfter(5000);
    const reopened = (respondedAfter: number) =>
      anAlert(`r${respondedAfter}`, {
        status: 'acknowledged',
        recovered: false,
        reopened: { at: reopenedAt, surveyId: 'sv_re', score: 2 },
        dueAt: contactedAfter(5000 + 240),
        actions: [
          action('acknowledge', contactedAfter(10)),
          action('resolved', contactedAfter(60)),
          { ...action('reopened', reopenedAt), by: { sub: 'closedloop', name: 'ClosedLoop' } },
          action('acknowledge', contactedAfter(5000 + respondedAfter)),
        ],
      });

    expect(closedLoopFigures([reopened(30), reopened(300)]).withinSlaRate).toBe(50);
  });

  it('has no rates, not zeros, when no alert was raised', () => {
    expect(closedLoopFigures([])).toMatchObject({
      raised: 0,
      followUpRate: null,
      medianMinutesToFirstContact: null,
      recoveryRate: null,
      reopened: 0,
      reopenRate: null,
      recoveryByCloser: [],
    });
  });
});

describe('closedLoopMetrics', () => {
  it("limits a department token to its own department and counts by the store's local date", async () => {
    const fakes = createFakes();
    // 2026-11-19 23:00 UTC is already the 20th in Shanghai.
    await fakes.alerts.create(anAlert('late', { createdAt: '2026-11-19T23:00:00.000Z' }), '2026-11-19T23:05:00.000Z');
    await fakes.alerts.create(anAlert('other', { departmentId: 'parts' }), '2026-11-20T02:05:00.000Z');

    const figures = await closedLoopMetrics(
      fakes,
      { role: 'department', departmentId: 'workshop', sub: 'li.ming', name: '李明' },
      {
        from: '2026-11-20',
        to: '2026-11-20',
        groupBy: 'department',
        granularity: 'none',
      },
    );

    expect(figures.overall.raised).toBe(1);
    expect(figures.groups.map((g) => g.group)).toEqual(['workshop']);
    await expect(
      closedLoopMetrics(
        fakes,
        { role: 'department', departmentId: 'workshop', sub: 'li.ming', name: '李明' },
        { from: '2026-11-20', to: '2026-11-20', departmentId: 'parts', groupBy: 'none', granularity: 'none' },
      ),
    ).rejects.toThrow('own department');
  });
});
