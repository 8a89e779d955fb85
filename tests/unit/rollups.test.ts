import { describe, expect, it } from 'vitest';
import type { ScoredResponse } from '#shared/domain/records.ts';
import { type Dimension, dimensions, type Filters, planView, rollupViewsOf, viewNames } from '#shared/domain/rollups.ts';

const response = (overrides: Partial<ScoredResponse> = {}): ScoredResponse => ({
  surveyId: 'sv_1',
  surveyType: 'nps',
  score: 9,
  storeId: 'sh-pudong',
  departmentId: 'workshop',
  advisorId: 'A-17',
  serviceType: 'first_service',
  visitDate: '2026-11-20',
  answeredAt: '2026-11-20T05:00:00.000Z',
  channel: 'sms',
  ...overrides,
});

describe('rollupViewsOf', () => {
  it('adds an answer with every dimension to 8 views', () => {
    expect(rollupViewsOf(response())).toEqual([
      { view: 'all', group: 'all' },
      { view: 'store', group: 'sh-pudong' },
      { view: 'department', group: 'workshop' },
      { view: 'advisor', group: 'A-17' },
      { view: 'serviceType', group: 'first_service' },
      { view: 'store+department', group: 'sh-pudong|workshop' },
      { view: 'store+advisor', group: 'sh-pudong|A-17' },
      { view: 'store+serviceType', group: 'sh-pudong|first_service' },
    ]);
  });

  it('leaves out the advisor views when the visit had no advisor', () => {
    const views = rollupViewsOf(response({ advisorId: undefined }));

    expect(views).toHaveLength(6);
    expect(views.map((v) => v.view)).not.toContain('advisor');
    expect(views.map((v) => v.view)).not.toContain('store+advisor');
  });

  it('only writes views that are named in viewNames', () => {
    for (const { view } of rollupViewsOf(response())) expect(viewNames).toContain(view);
  });
});

describe('planView', () => {
  it('answers no groupBy and no filter from the all view', () => {
    expect(planView('none', {})).toEqual({ view: 'all', parts: [] });
  });

  it.each(dimensions)('answers groupBy %s alone from its own view', (d) => {
    expect(planView(d, {})).toEqual({ view: d, parts: [d] });
  });

  it('answers a filter alone from the view of that dimension', () => {
    expect(planView('none', { advisor: 'A-17' })).toEqual({ view: 'advisor', parts: ['advisor'] });
  });

  it('answers a groupBy filtered by its own dimension from that view', () => {
    expect(planView('store', { store: 'sh-pudong' })).toEqual({ view: 'store', parts: ['store'] });
  });

  it('answers a store filter with another groupBy from the store+ view, store first', () => {
    expect(planView('advisor', { store: 'sh-pudong' })).toEqual({ view: 'store+advisor', parts: ['store', 'advisor'] });
    expect(planView('store', { department: 'workshop' })).toEqual({ view: 'store+department', parts: ['store', 'department'] });
  });

  it('has no view for advisor by service type', () => {
    expect(planView('advisor', { serviceType: 'repair' })).toBeUndefined();
    expect(planView('serviceType', { advisor: 'A-17' })).toBeUndefined();
  });

  it('has no view for three dimensions, even with a store', () => {
    expect(planView('advisor', { store: 'sh-pudong', department: 'workshop' })).toBeUndefined();
  });

  it('only ever plans a view that rollupViewsOf writes', () => {
    const written = new Set(rollupViewsOf(response()).map((v) => v.view));
    const groupBys: (Dimension | 'none')[] = ['none', ...dimensions];
    const filterSets: Filters[] = Array.from({ length: 1 << dimensions.length }, (_, mask) =>
      Object.fromEntries(dimensions.filter((_d, i) => mask & (1 << i)).map((d) => [d, 'x'])),
    );

    let planned = 0;
    for (const groupBy of groupBys) {
      for (const filters of filterSets) {
        const plan = planView(groupBy, filters);
        if (!plan) continue;
        planned++;
        expect(written.has(plan.view), `${groupBy} ${JSON.stringify(filters)}`).toBe(true);
      }
    }
    expect(planned).toBeGreaterThan(10);
  });
});
