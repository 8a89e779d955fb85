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

  it('has no rates, not zeros, when no alert was raised', () => {
    expect(closedLoopFigures([])).toMatchObject({
      raised: 0,
      followUpRate: null,
      medianMinutesToFirstContact: null,
      recoveryRate: null,
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
