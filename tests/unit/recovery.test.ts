import { describe, expect, it } from 'vitest';
import type { Channel } from '#shared/config/schema.ts';
import { type Alert, CLOSEDLOOP, type Survey } from '#shared/domain/records.ts';
import type { AlertChannelSender, AlertPayload } from '#shared/ports.ts';
import { deliverAlert } from '#shared/use-cases/deliver-alert.ts';
import type { Identity } from '#shared/use-cases/identity.ts';
import { actOnAlert, getAlert, listAlerts } from '#shared/use-cases/manage-alerts.ts';
import { recordAnswer } from '#shared/use-cases/record-answer.ts';
import { decideRecovery, reopenCase } from '#shared/use-cases/recovery.ts';
import { runSurveyTimer } from '#shared/use-cases/run-survey-timer.ts';
import { aSurvey, createFakes, type Fakes } from './fakes.ts';

const NOW = '2026-11-20T03:00:00.000Z';
const HOUR = 3_600_000;

/** A detractor whose alert (to the workshop) has been raised and, unless told otherwise, resolved. */
async function detractorWithAlert(fakes: Fakes, resolved = true, surveyType: Survey['surveyType'] = 'nps') {
  const detractor = fakes.surveys.seed(
    aSurvey({
      id: 'sv_detractor',
      surveyType,
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

const workshopHead: Identity = { role: 'department', departmentId: 'workshop', sub: 'li.ming', name: '李明' };

/** The customer's re-survey of the detractor, answered (score and words) and ready for the scorer. */
const reSurveyAnswer = (fakes: Fakes, detractor: Survey, score: number, reason?: string) =>
  nextAnswer(fakes, score, {
    id: 'sv_resurvey',
    eventId: `${detractor.eventId}#recovery`,
    surveyType: detractor.surveyType,
    recoveryOf: detractor.id,
    reason,
  });

/** Records what each channel was sent: the round's key and the payload. */
class RecordingChannels implements AlertChannelSender {
  readonly sent: { key: string; payload: AlertPayload }[] = [];
  async deliver(_channel: Channel, payload: AlertPayload, idempotencyKey: string): Promise<void> {
    this.sent.push({ key: idempotencyKey.split(':').slice(1).join(':'), payload });
  }
}

describe('a failed recovery', () => {
  it("reopens the case when the re-survey is a detractor's answer again, with a new SLA and the new answer beside the first", async () => {
    const fakes = createFakes({ now: NOW });
    const { detractor, alert } = await detractorWithAlert(fakes);
    const answer = reSurveyAnswer(fakes, detractor, 3, '换了零件还是响');

    await recordAnswer(fakes, answer.id);

    const reopened = await fakes.alerts.get(alert.id);
    expect(reopened).toMatchObject({
      status: 'reopened',
      recovered: false,
      recoverySurveyId: answer.id,
      reopened: { at: NOW, surveyId: answer.id, score: 3, comment: '换了零件还是响' },
      // The case keeps the first answer's score and words.
      score: 2,
      comment: '车还是有异响',
      round: 'reopen-1',
      dueAt: new Date(Date.parse(NOW) + 24 * HOUR).toISOString(),
      timer: { action: 'deliver', at: NOW },
    });
    expect(reopened?.actions.map((a) => [a.action, a.by.sub])).toEqual([
      ['resolved', 'chen.cx'],
      ['reopened', CLOSEDLOOP.sub],
    ]);
    expect(fakes.queues.alertDeliveries.at(-1)).toEqual({
      departmentId: 'workshop',
      message: { alertId: alert.id, round: 'reopen-1', at: NOW },
    });
    // The re-survey raises no case of its own, and the detractor's recovery is decided.
    expect([...fakes.alerts.alerts.keys()]).toEqual([alert.id]);
    expect((await fakes.surveys.get(detractor.id))?.recoveryDecidedAt).toBe(NOW);
  });

  it('delivers the reopened case to its department and, as an escalation, to the default department: alert.reopened', async () => {
    const fakes = createFakes({ now: NOW });
    const { detractor, alert } = await detractorWithAlert(fakes);
    await recordAnswer(fakes, reSurveyAnswer(fakes, detractor, 4, '还是响').id);
    const channels = new RecordingChannels();

    await deliverAlert({ ...fakes, channels, publicBaseUrl: undefined }, { alertId: alert.id, round: 'new', at: NOW });

    // Workshop: one webhook; customer care: a webhook and an email.
    expect(channels.sent.map((s) => s.key)).toEqual([
      'reopen-1:workshop:0',
      'reopen-1:customer-care:0',
      'reopen-1:customer-care:1',
    ]);
    expect(channels.sent.map((s) => s.payload.type)).toEqual(['alert.reopened', 'alert.reopened', 'alert.reopened']);
    expect(channels.sent[0]?.payload.alert).toMatchObject({
      score: 2,
      dueAt: new Date(Date.parse(NOW) + 24 * HOUR).toISOString(),
      reopened: { at: NOW, score: 4, comment: '还是响' },
    });
    // Already with the default department: no SLA escalation waits behind it.
    expect((await fakes.alerts.get(alert.id))?.timer).toBeUndefined();
    const timeline = (await getAlert(fakes, workshopHead, alert.id)).timeline;
    expect(timeline.filter((e) => e.kind !== 'action' && 'round' in e && e.round === 'reopen-1')).toMatchObject([
      { kind: 'delivered', departmentId: 'workshop' },
      { kind: 'escalated', departmentId: 'customer-care' },
    ]);
  });

  it('is worked and resolved again like any case, keeps its whole timeline, and is not re-surveyed again', async () => {
    const fakes = createFakes({ now: NOW });
    const { detractor, alert } = await detractorWithAlert(fakes);
    // The re-survey goes out when due, and the customer answers it 1, "nobody cares".
    const plan = (await fakes.surveys.get(detractor.id))?.timer;
    fakes.clock.set(plan?.at ?? NOW);
    await runSurveyTimer(fakes, { surveyId: detractor.id, action: 'resurvey', at: plan?.at ?? '' });
    const follow = [...fakes.surveys.surveys.values()].find((s) => s.recoveryOf === detractor.id);
    if (!follow) throw new Error('no re-survey');
    const answeredAt = fakes.clock.now().toISOString();
    fakes.surveys.seed({ ...follow, status: 'completed', score: 1, reason: '没人管', scoredAt: answeredAt, timer: undefined });
    await recordAnswer(fakes, follow.id);
    expect((await fakes.alerts.get(alert.id))?.status).toBe('reopened');
    fakes.clock.advance(HOUR);

    const acknowledged = await actOnAlert(fakes, workshopHead, alert.id, { action: 'acknowledge' });
    expect(acknowledged.status).toBe('acknowledged');
    // The new SLA asked for a response since the reopening, and got one in time.
    expect(acknowledged.sla).toMatchObject({ state: 'met', respondedAt: fakes.clock.now().toISOString() });
    await actOnAlert(fakes, workshopHead, alert.id, { action: 'contacted', note: '上门检查' });
    const resolved = await actOnAlert(fakes, workshopHead, alert.id, {
      action: 'resolved',
      rootCause: 'parts',
      resolution: 'redo_repair',
    });

    expect(resolved).toMatchObject({ status: 'resolved', rootCause: 'parts', recovered: false, reopened: { score: 1 } });
    expect(resolved.timeline.filter((e) => e.kind === 'action').map((e) => 'action' in e && e.action)).toEqual([
      'resolved',
      'reopened',
      'acknowledge',
      'contacted',
      'resolved',
    ]);
    expect((await fakes.surveys.get(detractor.id))?.timer).toBeUndefined();
  });

  it('does not reopen on an answer that is not the re-survey, nor on a re-survey that is not a detractor', async () => {
    const fakes = createFakes({ now: NOW });
    const { alert } = await detractorWithAlert(fakes);
    // The customer's next visit, answered 5: not recovered, and a case of its own (as any detractor).
    await recordAnswer(fakes, nextAnswer(fakes, 5, { reason: '等太久' }).id);
    expect(await fakes.alerts.get(alert.id)).toMatchObject({ status: 'resolved', recovered: false });

    const csat = createFakes({ now: NOW });
    const csatCase = await detractorWithAlert(csat, true, 'csat');
    // CSAT 3: not recovered (4+), not a detractor (1-2) either.
    await recordAnswer(csat, reSurveyAnswer(csat, csatCase.detractor, 3, '一般').id);
    expect(await csat.alerts.get(csatCase.alert.id)).toMatchObject({ status: 'resolved', recovered: false });
  });

  it('reopens once when the decision is taken again after a crash, and still decides the recovery', async () => {
    const fakes = createFakes({ now: NOW });
    const { detractor, alert } = await detractorWithAlert(fakes);
    const answer = reSurveyAnswer(fakes, detractor, 2, '还是不行');
    const scored = { ...answer, score: 2 };
    // The case was reopened, then the scorer crashed before the detractor's decision was kept.
    const resolved = await fakes.alerts.get(alert.id);
    if (!resolved) throw new Error('no alert');
    await reopenCase(fakes, resolved, scored);

    expect(await decideRecovery(fakes, scored)).toBe(1);

    const reopened = await fakes.alerts.get(alert.id);
    expect(reopened?.actions.filter((a) => a.action === 'reopened')).toHaveLength(1);
    expect(fakes.queues.alertDeliveries.filter((d) => d.message.round === 'reopen-1')).toHaveLength(1);
    expect((await fakes.surveys.get(detractor.id))?.recoveryDecidedAt).toBe(NOW);
  });

  it('does not reopen again when the case was resolved again before the decision was retried', async () => {
    const fakes = createFakes({ now: NOW });
    const { detractor, alert } = await detractorWithAlert(fakes);
    const answer = reSurveyAnswer(fakes, detractor, 2, '还是不行');
    const scored = { ...answer, score: 2 };
    // Reopened, the scorer crashed, and the department resolved the case again before the retry.
    const resolved = await fakes.alerts.get(alert.id);
    if (!resolved) throw new Error('no alert');
    await reopenCase(fakes, resolved, scored);
    await actOnAlert(fakes, workshopHead, alert.id, { action: 'resolved', rootCause: 'parts', resolution: 'redo_repair' });

    expect(await decideRecovery(fakes, scored)).toBe(1);

    const after = await fakes.alerts.get(alert.id);
    expect(after?.status).toBe('resolved');
    expect(after?.actions.filter((a) => a.action === 'reopened')).toHaveLength(1);
    expect(fakes.queues.alertDeliveries.filter((d) => d.message.round.startsWith('reopen-'))).toHaveLength(1);
  });

  it('lists reopened cases first, however old, and by status=reopened', async () => {
    const fakes = createFakes({ now: NOW });
    const { detractor, alert } = await detractorWithAlert(fakes);
    await recordAnswer(fakes, reSurveyAnswer(fakes, detractor, 3, '还是响').id);
    // A newer case of the same department.
    fakes.clock.advance(HOUR);
    fakes.surveys.seed(
      aSurvey({
        id: 'sv_newer',
        eventId: 'RO-newer',
        phone: '+8613900000001',
        status: 'completed',
        score: 1,
        reason: '车还是有异响',
        createdAt: '2026-11-20T04:00:00.000Z',
      }),
    );
    await recordAnswer(fakes, 'sv_newer');

    const all = await listAlerts(fakes, workshopHead, { limit: 1 });
    const reopenedOnly = await listAlerts(fakes, workshopHead, { status: 'reopened', limit: 50 });

    expect(all.alerts.map((a) => a.id)).toEqual([alert.id]);
    expect((await listAlerts(fakes, workshopHead, { limit: 50 })).alerts).toHaveLength(2);
    expect(reopenedOnly.alerts).toMatchObject([{ id: alert.id, status: 'reopened', reopened: { score: 3 } }]);
  });
});
