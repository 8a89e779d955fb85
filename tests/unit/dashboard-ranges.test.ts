import { describe, expect, it } from 'vitest';
import { edgesArePartial, exactSegments, presetRange, rangeProblem } from '#web/dashboard/ranges.ts';
import { defaultState, stateFromHash, stateToHash } from '#web/dashboard/state.ts';

describe('exactSegments', () => {
  it('reads a range inside one month day by day', () => {
    expect(exactSegments('2026-11-03', '2026-11-20')).toEqual([{ granularity: 'day', from: '2026-11-03', to: '2026-11-20' }]);
  });

  it('reads whole months as monthly buckets and the partial months at the ends by day', () => {
    expect(exactSegments('2026-01-15', '2026-04-10')).toEqual([
      { granularity: 'day', from: '2026-01-15', to: '2026-01-31' },
      { granularity: 'month', from: '2026-02-01', to: '2026-03-31' },
      { granularity: 'day', from: '2026-04-01', to: '2026-04-10' },
    ]);
  });

  it('reads a range of whole months, across a leap February and a year end, as months only', () => {
    expect(exactSegments('2027-12-01', '2028-02-29')).toEqual([{ granularity: 'month', from: '2027-12-01', to: '2028-02-29' }]);
  });

  it('reads two partial neighbouring months in one daily read', () => {
    expect(exactSegments('2026-10-20', '2026-11-10')).toEqual([{ granularity: 'day', from: '2026-10-20', to: '2026-11-10' }]);
  });
});

describe('presetRange', () => {
  it('ends the last N days today', () => {
    expect(presetRange('7d', '2026-03-02')).toEqual({ from: '2026-02-24', to: '2026-03-02' });
    expect(presetRange('30d', '2026-03-02')).toEqual({ from: '2026-02-01', to: '2026-03-02' });
  });

  it('takes last month whole, from the first to its last day', () => {
    expect(presetRange('lastMonth', '2026-03-15')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(presetRange('lastMonth', '2026-01-05')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });
});

describe('rangeProblem', () => {
  it('accepts a range of up to a year and refuses reversed, empty or longer ones', () => {
    expect(rangeProblem('2025-11-21', '2026-11-20')).toBeUndefined();
    expect(rangeProblem('2026-11-21', '2026-11-20')).toBe('reversed');
    expect(rangeProblem('', '2026-11-20')).toBe('invalid');
    expect(rangeProblem('2024-11-01', '2026-11-20')).toBe('tooLong');
  });
});

describe('edgesArePartial', () => {
  it('says when weekly or monthly buckets reach past the range', () => {
    expect(edgesArePartial('2026-11-01', '2026-11-30', 'month')).toBe(false);
    expect(edgesArePartial('2026-11-02', '2026-11-30', 'month')).toBe(true);
    expect(edgesArePartial('2026-11-02', '2026-11-29', 'week')).toBe(false); // Monday to Sunday
    expect(edgesArePartial('2026-11-03', '2026-11-29', 'week')).toBe(true);
    expect(edgesArePartial('2026-11-03', '2026-11-29', 'day')).toBe(false);
  });
});

describe('the view state in the address', () => {
  const today = '2026-11-20';

  it('comes back the same from its hash', () => {
    const state = {
      ...defaultState(today),
      metric: 'csat' as const,
      preset: 'custom' as const,
      from: '2026-09-01',
      to: '2026-10-15',
      granularity: 'month' as const,
      filters: { store: 'sh-pudong', advisor: 'A-17' },
      breakdown: 'advisor' as const,
      drill: { dimension: 'advisor' as const, value: 'A:17' },
      sentiment: 'detractor' as const,
      withComment: false,
    };

    expect(stateFromHash(`#${stateToHash(state)}`, today)).toEqual(state);
  });

  it('keeps a preset relative to today', () => {
    expect(stateFromHash('#range=7d', today)).toMatchObject({ preset: '7d', from: '2026-11-14', to: today });
  });

  it('drops filters that cannot go together and a breakdown they do not allow', () => {
    const state = stateFromHash('#department=workshop&advisor=A-17&serviceType=repair&by=serviceType', today);

    expect(state.filters).toEqual({ department: 'workshop' });
    expect(state.breakdown).toBe('store');
  });

  it('ignores what it does not know', () => {
    expect(stateFromHash('#metric=xyz&granularity=year&from=2026-13-01&to=x&sentiment=angry', today)).toEqual(
      defaultState(today),
    );
  });
});
