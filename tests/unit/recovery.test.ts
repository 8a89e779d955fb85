import { describe, expect, it } from 'vitest';
import type { Alert, Survey } from '#shared/domain/records.ts';
import { actOnAlert } from '#shared/use-cases/manage-alerts.ts';
import { recordAnswer } from '#shared/use-cases/record-answer.ts';
import { runSurveyTimer } from '#shared/use-cases/run-survey-timer.ts';
import { aSurvey, createFakes, type Fakes } from './fakes.ts';

const NOW = '2026-11-20T03:00:00.000Z';
const HOUR = 3_600_000;

/** A detractor whose alert (to the workshop) has been raised and, unless told otherwise, resolved. */
async function detractorWithAlert(fakes: Fakes, resolved = true) {
  const detractor = fakes.surveys.seed(
    aSurvey({
      id: 'sv_detractor',
      status: 'completed',
      score: 2,
      scoredAt: '2026-11-19T04:00:00.000Z',
      reason: '车还是有异响',
      endedAt: '2026-11-19T04:05:00.000Z',
      createdAt: '2026-11-19T01:30:01.000Z',
      timer: { action: 'close', at: '2026-11-19T04:05:00.000Z' },
    }),
  );
  await recordAnswer(fakes, detractor.id);
  const [alert] = [...fakes.alerts.alerts.values()] as Alert[];
  if (!alert) throw new Error('no alert raised');
  if (resolved)
    await actOnAlert(fakes, { role: 'cx', sub: 'chen.cx', name: '陈静' }, alert.id, {
      action: 'resolved',
      note: 'repaired again, free of charge',
      rootCause: 'repair_quality',
      resolution: 'redo_repair',
    });
  return { detractor, alert };
}

/** The customer's next answer, completed and ready for the scorer. */
function nextAnswer(fakes: Fakes, score: number, overrides: Partial<Survey> = {}) {
  return fakes.surveys.seed(
    aSurvey({
      id: 'sv_next',
      eventId: 'RO-next',
      status: 'completed',
      score,
      scoredAt: '2026-11-20T05:00:00.000Z',
      endedAt: '2026-11-20T05:05:00.000Z',
      createdAt: '2026-11-20T04:00:00.000Z',
      timer: { action: 'close', at: '2026-11-20T05:05:00.000Z' },
      ...overrides,
    }),
  );
}

describe('after an alert is resolved', () => {
  it('plans a re-survey of the customer recovery.resurveyAfterHours later', async () => {
    const fakes = createFakes({ now: NOW });
    const { detractor } = await detractorWithAlert(fakes);
    expect((await fakes.surveys.get(detractor.id))?.timer).toEqual({
      action: 'resurvey',
      at: new Date(Date.parse(NOW) + 72 * HOUR).toISOString(),
    });
  });

  it('sends the re-survey when it is due: same type, store and customer, marked as a recovery survey', async () => {
    const fakes = createFakes({ now: NOW });
    const { detractor } = await detractorWithAlert(fakes);
    const timer = (await fakes.surveys.get(detractor.id))?.timer;
    fakes.clock.set(timer?.at ?? NOW);

    await runSurveyTimer(fakes, { surveyId: detractor.id, action: 'resurvey', at: timer?.at ?? '' });

    const follow = [...fakes.surveys.surveys.values()].find((s) => s.recoveryOf === detractor.id);
    expect(follow).toMatchObject({
      status: 'scheduled',
      surveyType: 'nps',
      storeId: 'sh-pudong',
      phoneHash: detractor.phoneHash,
    });
    expect(fakes.queues.surveyTimers).toEqual([{ surveyId: follow?.id, action: 'send', at: follow?.sendAt }]);
    expect((await fakes.surveys.get(detractor.id))?.timer).toBeUndefined();
  });

  it('waits a day and tries again while the customer is throttled', async () => {
    const fakes = createFakes({ now: NOW });
    const { detractor } = await detractorWithAlert(fakes);
    fakes.surveys.throttle.set(detractor.phoneHash, NOW);
    const timer = (await fakes.surveys.get(detractor.id))?.timer;
    fakes.clock.set(timer?.at ?? NOW);

    await runSurveyTimer(fakes, { surveyId: detractor.id, action: 'resurvey', at: timer?.at ?? '' });

    expect((await fakes.surveys.get(detractor.id))?.timer).toEqual({
      action: 'resurvey',
      at: new Date(Date.parse(timer?.at ?? NOW) + 24 * HOUR).toISOString(),
    });
  });

  it('counts the detractor as recovered when the next answer is 7 or more', async () => {
    const fakes = createFakes({ now: NOW });
    const { alert } = await detractorWithAlert(fakes);
    const next = nextAnswer(fakes, 8);

    await recordAnswer(fakes, next.id);

    expect(await fakes.alerts.get(alert.id)).toMatchObject({ recovered: true, recoverySurveyId: next.id });
  });

  it('counts the detractor as not recovered when the next answer is below 7, and decides only once', async () => {
    const fakes = createFakes({ now: NOW });
    const { alert } = await detractorWithAlert(fakes);
    await recordAnswer(fakes, nextAnswer(fakes, 5).id);
    await recordAnswer(
      fakes,
      nextAnswer(fakes, 10, { id: 'sv_later', eventId: 'RO-later', createdAt: '2026-11-20T04:30:00.000Z' }).id,
    );

    expect(await fakes.alerts.get(alert.id)).toMatchObject({ recovered: false, recoverySurveyId: 'sv_next' });
  });

  it('decides nothing while the alert is not resolved', async () => {
    const fakes = createFakes({ now: NOW });
    const { alert, detractor } = await detractorWithAlert(fakes, false);
    await recordAnswer(fakes, nextAnswer(fakes, 9).id);

    expect((await fakes.alerts.get(alert.id))?.recovered).toBeUndefined();
    expect((await fakes.surveys.get(detractor.id))?.recoveryDecidedAt).toBeUndefined();
  });

  it('keeps a re-survey answer out of the score rollups (the visit is already counted)', async () => {
    const fakes = createFakes({ now: NOW });
    const { detractor } = await detractorWithAlert(fakes);
    const before = (await fakes.rollups.bucket('nps', 'day', 'all', '2026-11-19', 'all'))?.responses;
    await recordAnswer(fakes, nextAnswer(fakes, 9, { recoveryOf: detractor.id }).id);

    expect((await fakes.rollups.bucket('nps', 'day', 'all', '2026-11-19', 'all'))?.responses).toBe(before);
    expect(fakes.responses.responses.has('sv_next')).toBe(true);
  });
});
