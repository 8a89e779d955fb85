import { describe, expect, it } from 'vitest';
import type { Survey } from '#shared/domain/records.ts';
import { alertIdFor, recordAnswer, SurveyNotFound } from '#shared/use-cases/record-answer.ts';
import { aSurvey, configWith, createFakes } from './fakes.ts';

const NOW = '2026-11-20T03:00:00.000Z';

/** A scored survey: awaiting the reason, or completed with it. */
const arrange = (survey: Partial<Survey>) => {
  const fakes = createFakes({ now: NOW });
  const seeded = fakes.surveys.seed(
    aSurvey({
      status: 'awaiting_reason',
      score: 3,
      scoredAt: '2026-11-20T02:00:00.000Z',
      timer: { action: 'close', at: '2026-11-20T02:30:00.000Z' },
      ...survey,
    }),
  );
  return { fakes, survey: seeded };
};

const completed = (reason: string | undefined, score = 3): Partial<Survey> => ({
  status: 'completed',
  score,
  reason,
  endedAt: '2026-11-20T02:10:00.000Z',
  timer: { action: 'close', at: '2026-11-20T02:10:00.000Z' },
});

describe('recordAnswer', () => {
  it('records a scored answer in the responses and every rollup view', async () => {
    const { fakes, survey } = arrange({ score: 9 });

    const result = await recordAnswer(fakes, survey.id);

    expect(result).toEqual({ recorded: true, alerts: 0 });
    expect(fakes.responses.responses.get(survey.id)).toMatchObject({
      surveyType: 'nps',
      score: 9,
      storeId: 'sh-pudong',
      departmentId: 'workshop',
      advisorId: 'A-17',
      visitDate: '2026-11-19',
      answeredAt: '2026-11-20T02:00:00.000Z',
      channel: 'sms',
    });
    expect(await fakes.rollups.bucket('nps', 'day', 'all', '2026-11-19', 'all')).toEqual({
      responses: 1,
      promoters: 1,
      passives: 0,
      detractors: 0,
      scoreSum: 9,
    });
    expect((await fakes.rollups.bucket('nps', 'month', 'store+advisor', '2026-11', 'sh-pudong|A-17'))?.responses).toBe(1);
    expect((await fakes.rollups.bucket('nps', 'week', 'department', '2026-W47', 'workshop'))?.responses).toBe(1);
  });

  it("records a web answer to a WeChat notice under the survey's reach, in that channel's views", async () => {
    const { fakes, survey } = arrange({ score: 9, channel: 'web', reach: 'wechat' });

    await recordAnswer(fakes, survey.id);

    expect(fakes.responses.responses.get(survey.id)).toMatchObject({ channel: 'web', reach: 'wechat' });
    expect((await fakes.rollups.bucket('nps', 'month', 'channel', '2026-11', 'wechat'))?.responses).toBe(1);
    expect(await fakes.rollups.bucket('nps', 'month', 'channel', '2026-11', 'link')).toBeUndefined();
  });

  it('hands the answer to the rollups once, through the response change', async () => {
    const { fakes, survey } = arrange({ score: 9 });

    await recordAnswer(fakes, survey.id);
    await recordAnswer(fakes, survey.id);

    expect(fakes.responses.stream).toHaveLength(1);
  });

  it('records an answer once when it runs twice', async () => {
    const { fakes, survey } = arrange({ score: 9 });
    await recordAnswer(fakes, survey.id);

    const second = await recordAnswer(fakes, survey.id);

    expect(second.recorded).toBe(false);
    expect((await fakes.rollups.bucket('nps', 'day', 'all', '2026-11-19', 'all'))?.responses).toBe(1);
  });

  it('records an answer once when two runs race', async () => {
    const { fakes, survey } = arrange({ score: 9 });

    const results = await Promise.all([recordAnswer(fakes, survey.id), recordAnswer(fakes, survey.id)]);

    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect((await fakes.rollups.bucket('nps', 'month', 'all', '2026-11', 'all'))?.responses).toBe(1);
  });

  it('raises no alert while a detractor may still give a reason', async () => {
    const { fakes, survey } = arrange({ score: 3 });

    const result = await recordAnswer(fakes, survey.id);

    expect(result).toEqual({ recorded: true, alerts: 0 });
    expect(fakes.alerts.alerts.size).toBe(0);
    expect(fakes.queues.alertDeliveries).toEqual([]);
  });

  it('raises one alert per routed department when a detractor’s conversation is completed', async () => {
    const { fakes, survey } = arrange(completed('等了三个小时，价格也太贵'));

    const result = await recordAnswer(fakes, survey.id);

    expect(result.alerts).toBe(2);
    expect([...fakes.alerts.alerts.values()].map((a) => a.departmentId).sort()).toEqual(['billing', 'service-advisors']);
    expect(fakes.queues.alertDeliveries).toEqual([
      {
        departmentId: 'service-advisors',
        message: { alertId: alertIdFor(survey.id, 'service-advisors'), round: 'new', at: NOW },
      },
      { departmentId: 'billing', message: { alertId: alertIdFor(survey.id, 'billing'), round: 'new', at: NOW } },
    ]);
  });

  it('gives an alert the customer’s words, its categories and a due time from the department’s SLA', async () => {
    const { fakes, survey } = arrange(completed('服务顾问态度很差'));

    await recordAnswer(fakes, survey.id);

    const alert = await fakes.alerts.get(alertIdFor(survey.id, 'service-advisors'));
    expect(alert).toMatchObject({
      surveyId: survey.id,
      departmentId: 'service-advisors',
      status: 'open',
      surveyType: 'nps',
      score: 3,
      comment: '服务顾问态度很差',
      categories: ['staff_attitude'],
      storeId: 'sh-pudong',
      advisorId: 'A-17',
      phoneMasked: '+86 138****8000',
      createdAt: NOW,
      dueAt: '2026-11-20T11:00:00.000Z', // service-advisors: slaHours 8
      escalated: false,
      round: 'new',
      timer: { action: 'deliver', at: NOW },
    });
    expect(JSON.stringify(alert)).not.toContain('13800138000');
  });

  it('routes a detractor who gave no reason to the default department', async () => {
    const { fakes, survey } = arrange(completed(undefined, 2));

    const result = await recordAnswer(fakes, survey.id);

    expect(result.alerts).toBe(1);
    expect(await fakes.alerts.get(alertIdFor(survey.id, 'customer-care'))).toMatchObject({ departmentId: 'customer-care' });
  });

  it('raises alerts for a CSAT detractor (1–2) too', async () => {
    const { fakes, survey } = arrange({ ...completed('配件缺货', 2), surveyType: 'csat', serviceType: 'repair' });

    const result = await recordAnswer(fakes, survey.id);

    expect(result.alerts).toBe(1);
    expect(await fakes.alerts.get(alertIdFor(survey.id, 'parts'))).toBeDefined();
  });

  it('raises the alerts once when it runs again', async () => {
    const { fakes, survey } = arrange(completed('等了三个小时'));
    await recordAnswer(fakes, survey.id);

    const second = await recordAnswer(fakes, survey.id);

    expect(second.alerts).toBe(0);
    expect(fakes.alerts.alerts.size).toBe(1);
    expect(fakes.queues.alertDeliveries).toHaveLength(1);
  });

  it('marks the alerts raised and clears the survey’s timer', async () => {
    const { fakes, survey } = arrange(completed('等了三个小时'));

    await recordAnswer(fakes, survey.id);

    const stored = await fakes.surveys.get(survey.id);
    expect(stored?.alertsRaisedAt).toBe(NOW);
    expect(stored?.timer).toBeUndefined();
  });

  it('makes alert ids deterministic per survey and department', () => {
    expect(alertIdFor('sv_1', 'workshop')).toBe(alertIdFor('sv_1', 'workshop'));
    expect(alertIdFor('sv_1', 'workshop')).not.toBe(alertIdFor('sv_1', 'billing'));
    expect(alertIdFor('sv_1', 'workshop')).not.toBe(alertIdFor('sv_2', 'workshop'));
    expect(alertIdFor('sv_1', 'workshop')).toMatch(/^al_[A-Za-z0-9_-]{22}$/);
  });

  it('gives the alert of a survey the same id in two independent runs (a retry cannot duplicate it)', async () => {
    const first = arrange(completed('等了三个小时'));
    const second = arrange(completed('等了三个小时'));

    await recordAnswer(first.fakes, first.survey.id);
    await recordAnswer(second.fakes, second.survey.id);

    expect([...first.fakes.alerts.alerts.keys()]).toEqual([...second.fakes.alerts.alerts.keys()]);
  });

  it.each([9, 10])('never raises an alert for a promoter (%i), whatever they wrote', async (score) => {
    const { fakes, survey } = arrange(completed('等了一会儿，但价格公道', score));

    const result = await recordAnswer(fakes, survey.id);

    expect(result.alerts).toBe(0);
    expect(fakes.alerts.alerts.size).toBe(0);
  });

  it('never raises an alert for a passive', async () => {
    const { fakes, survey } = arrange(completed('有点慢', 7));

    expect((await recordAnswer(fakes, survey.id)).alerts).toBe(0);
  });

  it('puts the reason on a response recorded before the reason arrived', async () => {
    const { fakes, survey } = arrange({ score: 3 });
    await recordAnswer(fakes, survey.id);
    await fakes.surveys.update(
      survey.id,
      { status: 'completed', reason: '等了三个小时', endedAt: NOW, timer: { action: 'close', at: NOW } },
      { status: 'awaiting_reason' },
    );

    const result = await recordAnswer(fakes, survey.id);

    expect(result).toEqual({ recorded: false, alerts: 1 });
    expect(fakes.responses.responses.get(survey.id)?.comment).toBe('等了三个小时');
    expect((await fakes.rollups.bucket('nps', 'day', 'all', '2026-11-19', 'all'))?.responses).toBe(1);
  });

  it('records a completed answer with its comment and its streak place in one write when it is seen for the first time', async () => {
    const { fakes, survey } = arrange(completed('车被刮花了'));
    const writes: string[] = [];
    const { record, setComment } = fakes.responses;
    fakes.responses.record = async (response, place) => {
      writes.push(place ? `record, placed in ${place.streak}` : 'record');
      return record.call(fakes.responses, response, place);
    };
    fakes.responses.setComment = async (response, comment) => {
      writes.push('setComment');
      return setComment.call(fakes.responses, response, comment);
    };

    await recordAnswer(fakes, survey.id);

    expect(fakes.responses.responses.get(survey.id)?.comment).toBe('车被刮花了');
    expect(writes).toEqual(['record, placed in sh-pudong|A-17']);
    expect([...fakes.streaks.answers.values()].map((a) => a.response.surveyId)).toEqual([survey.id]);
  });

  it('places a redelivered answer kept before its streak place was written with it, once', async () => {
    const { fakes, survey } = arrange(completed('车被刮花了'));
    const stored = await fakes.surveys.get(survey.id);
    // Kept by a scorer that wrote the answer alone.
    await fakes.responses.record({
      surveyId: survey.id,
      surveyType: 'nps',
      score: 3,
      storeId: 'sh-pudong',
      departmentId: 'workshop',
      advisorId: 'A-17',
      serviceType: stored?.serviceType ?? '',
      visitDate: stored?.visitDate ?? '',
      answeredAt: stored?.scoredAt ?? '',
      channel: 'sms',
    });

    expect((await recordAnswer(fakes, survey.id)).recorded).toBe(false);
    await recordAnswer(fakes, survey.id);

    expect([...fakes.streaks.answers.values()].map((a) => a.response.surveyId)).toEqual([survey.id]);
    expect(fakes.responses.responses.get(survey.id)?.comment).toBe('车被刮花了');
  });

  it('does nothing for a survey without a score', async () => {
    const { fakes, survey } = arrange({ status: 'awaiting_score', score: undefined });

    const result = await recordAnswer(fakes, survey.id);

    expect(result).toEqual({ recorded: false, alerts: 0 });
    expect(fakes.responses.responses.size).toBe(0);
  });

  it('fails for a survey that does not exist', async () => {
    const fakes = createFakes({ now: NOW });

    await expect(recordAnswer(fakes, 'sv_missing')).rejects.toBeInstanceOf(SurveyNotFound);
  });
});

describe('recordAnswer for a high-value customer', () => {
  it('raises a high-priority alert for a Champion, with the SLA shortened by priority.slaFactor', async () => {
    const { fakes, survey } = arrange(completed('车还是有异响'));
    fakes.surveys.customers.set(survey.phoneHash, { visits: 6, spend: 12_000 });

    await recordAnswer(fakes, survey.id);

    // workshop's SLA is 24 h; the factor 0.5 makes it 12 h
    const alert = await fakes.alerts.get(alertIdFor(survey.id, 'workshop'));
    expect(alert).toMatchObject({ priority: 'high', segment: 'champions', dueAt: '2026-11-20T15:00:00.000Z' });
  });

  it('keeps normal priority and the full SLA for a customer of few visits and little spend', async () => {
    const { fakes, survey } = arrange(completed('车还是有异响'));
    fakes.surveys.customers.set(survey.phoneHash, { visits: 2, spend: 800 });

    await recordAnswer(fakes, survey.id);

    const alert = await fakes.alerts.get(alertIdFor(survey.id, 'workshop'));
    expect(alert).toMatchObject({ priority: 'normal', segment: 'potential_loyalists', dueAt: '2026-11-21T03:00:00.000Z' });
  });

  it('still gives high priority by visits where the config sets priority.minVisits, as before segments', async () => {
    const fakes = createFakes({ now: NOW, config: configWith({ priority: { minVisits: 5, slaFactor: 0.5 } }) });
    const survey = fakes.surveys.seed(aSurvey({ ...completed('车还是有异响'), scoredAt: '2026-11-20T02:00:00.000Z' }));
    fakes.surveys.customers.set(survey.phoneHash, { visits: 6, spend: 800 });

    await recordAnswer(fakes, survey.id);

    const alert = await fakes.alerts.get(alertIdFor(survey.id, 'workshop'));
    expect(alert).toMatchObject({ priority: 'high', segment: 'potential_loyalists', dueAt: '2026-11-20T15:00:00.000Z' });
  });
});
