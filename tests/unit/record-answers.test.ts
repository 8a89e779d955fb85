import { describe, expect, it } from 'vitest';
import { recordAnswer, recordAnswers } from '#shared/use-cases/record-answer.ts';
import { scheduleSurvey } from '#shared/use-cases/schedule-survey.ts';
import { createFakes, type Fakes } from './fakes.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-05T02:00:00.000Z');

/**
 * An imported history: visits of a few customers (some of them back later, one answering twice),
 * each answered visit's survey completed with its alerts settled, as the import leaves it.
 */
async function history(fakes: Fakes) {
  const visits: [phone: string, day: number, score?: number][] = [
    ['13800000101', 0, 10],
    ['13800000101', 40],
    ['13800000102', 1, 3],
    ['13800000102', 200],
    ['13800000103', 2, 8],
    ['13800000104', 3, 9],
    ['13800000104', 50, 6],
    ['13800000105', 4],
  ];
  const answered: string[] = [];
  for (const [n, [phone, day, score]] of visits.entries()) {
    fakes.clock.set(new Date(T0 + day * DAY + 3 * HOUR).toISOString());
    const { survey } = await scheduleSurvey(fakes, {
      eventId: `RO-${n}`,
      occurredAt: new Date(T0 + day * DAY).toISOString(),
      storeId: 'sh-pudong',
      serviceType: 'first_service',
      customer: { id: `C-${phone}`, phone },
      advisorId: 'A-17',
      amount: 800,
    });
    const scheduled = survey.id ? fakes.surveys.surveys.get(survey.id) : undefined;
    if (score === undefined || !scheduled) continue;
    const at = fakes.clock.now().toISOString();
    fakes.surveys.surveys.set(scheduled.id, {
      ...scheduled,
      status: 'completed',
      score,
      reason: score < 7 ? '等太久了' : undefined,
      scoredAt: at,
      alertsRaisedAt: at,
      timer: undefined,
    });
    answered.push(scheduled.id);
  }
  fakes.clock.set('2026-12-01T00:00:00.000Z');
  return answered;
}

/** What the scorer's consumer does with a batch: the plain answers together, every other on its own. */
async function scoreBatch(fakes: Fakes, surveyIds: string[]) {
  const together = await recordAnswers(fakes, surveyIds);
  return Promise.all(surveyIds.map(async (id) => together.get(id) ?? recordAnswer(fakes, id)));
}

/**
 * Everything an answer leaves behind (responses, streak places, cohorts, returns and every counter),
 * each entry with the survey ids by their place in the history: two fakes' ids differ.
 */
async function kept(fakes: Fakes, ids: string[]) {
  await fakes.rollups.drain();
  const rename = (json: string) => ids.reduce((renamed, id, i) => renamed.replaceAll(id, `survey-${i}`), json);
  // Maps and sets in an order of their renamed entries: the fakes' insertion orders may differ.
  const inOrder = (_: string, value: unknown) =>
    value instanceof Map || value instanceof Set
      ? [...(value instanceof Map ? value.entries() : value)].map((v) => rename(JSON.stringify(v, inOrder))).sort()
      : value;
  const entries = (m: Map<string, unknown>) => [...m.entries()].map((entry) => rename(JSON.stringify(entry, inOrder))).sort();
  return {
    responses: entries(new Map([...fakes.responses.responses].map(([id, r]) => [id, { ...r, answeredAt: undefined }]))),
    streaks: entries(new Map([...fakes.streaks.answers.keys()].map((key) => [key, true]))),
    customers: entries(fakes.retention.customers),
    counters: entries(fakes.rollups.rollups),
  };
}

describe('recordAnswers', () => {
  it('keeps a batch as one-by-one would: the same responses, streak places, cohorts, returns and counters', async () => {
    const one = createFakes();
    const oneIds = await history(one);
    for (const id of oneIds) await recordAnswer(one, id);
    const batch = createFakes();
    const ids = await history(batch);

    const outcomes = await scoreBatch(batch, ids);

    expect(outcomes).toEqual(ids.map(() => ({ recorded: true, alerts: 0 })));
    expect(await kept(batch, ids)).toEqual(await kept(one, oneIds));
    // Both January promoters came back within 180 days (on day 40 and day 50): counted, once each.
    expect(await batch.rollups.bucket('retention', 'month', 'h180', '2026-01', 'sh-pudong|nps|promoter')).toEqual({
      surveyed: 2,
      returned: 2,
    });
  });

  it('does a batch in a few writes, not a few per answer', async () => {
    const fakes = createFakes();
    const ids = await history(fakes);
    const single = { record: 0, addCohort: 0 };
    const { record, addCohort } = { record: fakes.responses.record, addCohort: fakes.retention.addCohort };
    const recordMany = fakes.responses.recordMany.bind(fakes.responses);
    const addCohorts = fakes.retention.addCohorts.bind(fakes.retention);
    fakes.responses.recordMany = async (answers) => {
      fakes.responses.record = record;
      try {
        return await recordMany(answers);
      } finally {
        fakes.responses.record = countedRecord;
      }
    };
    fakes.retention.addCohorts = async (cohorts, horizons) => {
      fakes.retention.addCohort = addCohort;
      try {
        return await addCohorts(cohorts, horizons);
      } finally {
        fakes.retention.addCohort = countedAddCohort;
      }
    };
    const countedRecord: typeof record = (...args) => {
      single.record++;
      return record.apply(fakes.responses, args);
    };
    const countedAddCohort: typeof addCohort = (...args) => {
      single.addCohort++;
      return addCohort.apply(fakes.retention, args);
    };
    fakes.responses.record = countedRecord;
    fakes.retention.addCohort = countedAddCohort;

    await scoreBatch(fakes, ids);

    // Only the customer who answered twice in the batch joins their second cohort on their own.
    expect(single).toEqual({ record: 0, addCohort: 1 });
  });

  it('leaves an answer kept meanwhile to the single way, which counts it once', async () => {
    const one = createFakes();
    const oneIds = await history(one);
    for (const id of oneIds) await recordAnswer(one, id);
    const batch = createFakes();
    const ids = await history(batch);
    const [raced = '', ...rest] = ids;
    // Another consumer kept this answer between the batch's read and its write.
    const recordMany = batch.responses.recordMany.bind(batch.responses);
    batch.responses.recordMany = async (answers) => {
      await recordAnswer(batch, raced);
      return recordMany(answers);
    };

    const together = await recordAnswers(batch, ids);
    const outcomes = await Promise.all(ids.map(async (id) => together.get(id) ?? recordAnswer(batch, id)));

    expect(together.has(raced)).toBe(false);
    expect(rest.every((id) => together.has(id))).toBe(true);
    expect(outcomes[0]).toEqual({ recorded: false, alerts: 0 });
    expect(await kept(batch, ids)).toEqual(await kept(one, oneIds));
  });

  it('changes nothing when the batch is delivered again', async () => {
    const fakes = createFakes();
    const ids = await history(fakes);
    await scoreBatch(fakes, ids);
    const first = await kept(fakes, ids);

    const again = await scoreBatch(fakes, ids);

    expect(again).toEqual(ids.map(() => ({ recorded: false, alerts: 0 })));
    expect(await kept(fakes, ids)).toEqual(first);
  });

  it('takes a live answer, a re-survey and an unknown survey the single way, each on its own', async () => {
    const fakes = createFakes();
    const ids = await history(fakes);
    const [live = '', recovery = '', ...plain] = ids;
    const liveSurvey = fakes.surveys.surveys.get(live);
    const recoverySurvey = fakes.surveys.surveys.get(recovery);
    if (!liveSurvey || !recoverySurvey) throw new Error('no survey');
    fakes.surveys.surveys.set(live, { ...liveSurvey, status: 'awaiting_reason', alertsRaisedAt: undefined });
    fakes.surveys.surveys.set(recovery, { ...recoverySurvey, recoveryOf: 'sv_first' });

    const together = await recordAnswers(fakes, [...ids, 'sv_missing']);

    expect([...together.keys()].sort()).toEqual([...plain].sort());
  });
});
