import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScheduleTimer } from '#local/event-sources.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the local schedule (EventBridge rate, locally)', () => {
  it('tells the function to re-drive in-flight work until a tick has succeeded, and never after', async () => {
    const details: unknown[] = [];
    let failures = 1;
    const timer = new ScheduleTimer(
      'sweep-timers',
      async (event) => {
        details.push((event as { detail: unknown }).detail);
        if (failures-- > 0) throw new Error('DynamoDB Local is still starting');
      },
      1_000,
      () => {},
    );

    timer.start();
    await vi.advanceTimersByTimeAsync(3_500);
    await timer.stop();

    expect(details).toEqual([{ redriveInFlight: true }, { redriveInFlight: true }, {}, {}]);
  });
});
