import { describe, expect, it } from 'vitest';
import type { ScoredResponse } from '#shared/domain/records.ts';
import {
  dimensions,
  type Filters,
  filterDimensions,
  type GroupDimension,
  planView,
  reachOfAnswer,
  rollupViewsOf,
  viewNames,
} from '#shared/domain/rollups.ts';

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

  it('adds what went out by a channel to the channel views, alone and within its store', () => {
    const views = rollupViewsOf({ ...response(), reach: 'wechat' });

    expect(views.slice(-2)).toEqual([
      { view: 'channel', group: 'wechat' },
      { view: 'store+channel', group: 'sh-pudong|wechat' },
    ]);
  });

  it('leaves a visit before any channel out of the channel views', () => {
    const views = rollupViewsOf({ storeId: 'sh-pudong', visitDate: '2026-11-20' });

    expect(views.map((v) => v.view)).toEqual(['all', 'store']);
  });

  it('only writes views that are named in viewNames', () => {
    for (const { view } of rollupViewsOf({ ...response(), reach: 'sms' })) expect(viewNames).toContain(view);
  });
});

describe('reachOfAnswer', () => {
  it("counts an answer under its survey's reach, whatever it came back by", () => {
    expect(reachOfAnswer({ reach: 'link', channel: 'web' })).toBe('link');
    expect(reachOfAnswer({ reach: 'wechat', channel: 'web' })).toBe('wechat');
    expect(reachOfAnswer({ reach: 'call', channel: 'sms' })).toBe('call');
  });

  it('counts an answer without a reach (imported history) by its own channel, a web answer under link', () => {
    expect(reachOfAnswer({ channel: 'sms' })).toBe('sms');
    expect(reachOfAnswer({ channel: 'web' })).toBe('link');
    expect(reachOfAnswer({ channel: 'call' })).toBe('call');
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

  it('answers the channel alone, filtered or grouped, from the channel view', () => {
    expect(planView('channel', {})).toEqual({ view: 'channel', parts: ['channel'] });
    expect(planView('none', { channel: 'sms' })).toEqual({ view: 'channel', parts: ['channel'] });
  });

  it('answers the channel within a store from the store+channel view, either way round', () => {
    expect(planView('channel', { store: 'sh-minhang' })).toEqual({ view: 'store+channel', parts: ['store', 'channel'] });
    expect(planView('store', { channel: 'wechat' })).toEqual({ view: 'store+channel', parts: ['store', 'channel'] });
  });

  it('has no view for the channel with another dimension than the store', () => {
    expect(planView('channel', { advisor: 'A-17' })).toBeUndefined();
    expect(planView('department', { channel: 'sms' })).toBeUndefined();
    expect(planView('channel', { store: 'sh-minhang', department: 'workshop' })).toBeUndefined();
  });

  it('only ever plans a view that rollupViewsOf writes', () => {
    const written = new Set(rollupViewsOf({ ...response(), reach: 'sms' }).map((v) => v.view));
    const groupBys: (GroupDimension | 'none')[] = ['none', ...dimensions, 'channel'];
    const filterSets: Filters[] = Array.from({ length: 1 << filterDimensions.length }, (_, mask) =>
      Object.fromEntries(filterDimensions.filter((_d, i) => mask & (1 << i)).map((d) => [d, 'x'])),
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
