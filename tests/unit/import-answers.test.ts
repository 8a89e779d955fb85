import { describe, expect, it } from 'vitest';
import type { ImportRecord } from '#shared/domain/import-records.ts';
import { PayloadTooLargeError, ValidationError } from '#shared/errors.ts';
import { type ImportRow, importAnswers, readImportRequest, validateImportRows } from '#shared/use-cases/import-answers.ts';
import { recordAnswer } from '#shared/use-cases/record-answer.ts';
import { scheduleSurvey } from '#shared/use-cases/schedule-survey.ts';
import { createFakes, type Fakes, fakeVault, localConfig } from './fakes.ts';

const NOW = '2026-11-20T03:00:00.000Z';
const config = localConfig();

const visit = (fields: Record<string, unknown> = {}) => ({
  eventId: 'RO-1',
  occurredAt: '2026-11-10T10:00:00+08:00',
  storeId: 'sh-pudong',
  serviceType: 'maintenance',
  ...fields,
});
/** Records as a file gives them, one per line from line 2 (a CSV's first row). */
const records = (...rows: Record<string, unknown>[]): ImportRecord[] =>
  rows.map((fields, i) => ({ line: i + 2, fields, end: 0 }));
const validate = (...rows: Record<string, unknown>[]) => validateImportRows(records(...rows), config, new Date(NOW));
const validRows = (...rows: Record<string, unknown>[]): ImportRow[] => {
  const result = validate(...rows);
  expect(result.errors).toEqual({});
  return result.rows;
};

describe('validateImportRows', () => {
  it('works out what a row leaves to the configuration: survey, department, send and answer time', () => {
    const [row] = validRows(visit({ serviceType: 'repair', score: 4 }));

    expect(row).toMatchObject({
      line: 2,
      surveyType: 'csat',
      departmentId: 'workshop',
      channel: 'sms',
      visitAt: '2026-11-10T02:00:00.000Z',
      // The plan's 120 minutes after the visit; answered then, for want of a time.
      sentAt: '2026-11-10T04:00:00.000Z',
      answer: { score: 4, answeredAt: '2026-11-10T04:00:00.000Z' },
    });
  });

  it('sends, when no sentAt is given, in the morning a text that the plan would have sent in quiet hours', () => {
    const [row] = validRows(visit({ occurredAt: '2026-11-10T20:00:00+08:00' }));

    expect(row?.sentAt).toBe('2026-11-11T00:00:00.000Z');
    expect(row?.answer).toBeUndefined();
  });

  it("takes the row's survey, department, channel and times when it gives them", () => {
    const [row] = validRows(
      visit({
        survey: 'ces',
        departmentId: 'parts',
        channel: 'web',
        sentAt: '2026-11-10T12:00:00+08:00',
        score: 6,
        answeredAt: '2026-11-10T13:30:00+08:00',
        comment: '  很方便  ',
      }),
    );

    expect(row).toMatchObject({
      surveyType: 'ces',
      departmentId: 'parts',
      channel: 'web',
      sentAt: '2026-11-10T04:00:00.000Z',
      answer: { score: 6, answeredAt: '2026-11-10T05:30:00.000Z', comment: '很方便' },
    });
  });

  it("normalises a phone to E.164 with the store's country", () => {
    expect(validRows(visit({ phone: '138 0013 8000' }))[0]?.phone).toBe('+8613800138000');
    expect(validRows(visit({ storeId: 'uk-reading', phone: '07911 123456' }))[0]?.phone).toBe('+447911123456');
  });

  it('names every problem by "<line>.<field>" and returns no row for an invalid one', () => {
    const { rows, errors } = validate(
      visit({ eventId: 'A', score: 11 }),
      visit({ eventId: 'B', serviceType: 'repair', score: 6 }),
      visit({ eventId: 'C', storeId: 'sh-nowhere', serviceType: 'detailing' }),
      visit({ eventId: 'D', score: 3, answeredAt: '2026-11-10T09:00:00+08:00' }),
      visit({ eventId: 'E', occurredAt: '2026-11-21T10:00:00+08:00' }),
      visit({ eventId: 'F', comment: 'no score', answeredAt: '2026-11-10T12:00:00+08:00' }),
      visit({ eventId: 'G', phone: '12345', departmentId: 'marketing' }),
      visit({ eventId: 'A' }),
      visit({ eventId: '', occurredAt: '2026-11-10 10:00', score: 'nine' }),
      visit({ eventId: 'H', score: 7.5 }),
      visit({ eventId: 'I', occurredAt: '2024-11-10T10:00:00+08:00' }),
      visit({ eventId: 'J', sentAt: '2026-11-10T09:00:00+08:00', score: 8, answeredAt: '2026-11-10T09:30:00+08:00' }),
    );

    expect(rows).toEqual([]);
    expect(errors).toEqual({
      '2.score': 'a whole number from 0 to 10 for nps',
      '3.score': 'a whole number from 1 to 5 for csat',
      '4.storeId': 'not a configured store (sh-pudong, sh-minhang, bj-chaoyang, sz-futian, sg-jurong, uk-reading, gz-tianhe)',
      '4.serviceType': 'no survey plan for this service type (first_service, maintenance, repair, warranty)',
      '5.answeredAt': 'before occurredAt',
      '6.occurredAt': 'in the future',
      '7.answeredAt': 'only with a score',
      '7.comment': 'only with a score',
      '8.phone': 'not a valid phone number (CN when it has no country code)',
      '8.departmentId': 'not a configured department (workshop, service-advisors, parts, billing, customer-care)',
      '9.eventId': 'the same eventId as line 2',
      '10.eventId': 'must not be empty',
      '10.occurredAt': 'an ISO 8601 time with its offset, e.g. 2026-05-01T09:30:00+08:00',
      '10.score': 'a number',
      '11.score': 'a whole number from 0 to 10 for nps',
      '12.occurredAt': 'older than the retention time (730 days)',
      '13.sentAt': 'before occurredAt',
      '13.answeredAt': 'before occurredAt',
    });
  });

  it('refuses an unanswered visit whose text the plan would not have sent yet', () => {
    expect(validate(visit({ occurredAt: '2026-11-20T10:30:00+08:00' })).errors).toEqual({
      '2.sentAt': "needed: the plan's send time for this visit has not come yet",
    });
  });
});

describe('readImportRequest', () => {
  const deps = { config, clock: { now: () => new Date(NOW) } };
  const csv = (...lines: string[]) => Buffer.from(['eventId,occurredAt,storeId,serviceType,score', ...lines].join('\n'));

  it('reads valid CSV rows', () => {
    const rows = readImportRequest(deps, csv('RO-1,2026-11-10T10:00:00+08:00,sh-pudong,maintenance,9'), 'csv');

    expect(rows).toHaveLength(1);
    expect(rows[0]?.answer?.score).toBe(9);
  });

  it('refuses the whole request when any row is invalid, naming the line in the body', () => {
    const body = csv(
      'RO-1,2026-11-10T10:00:00+08:00,sh-pudong,maintenance,9',
      'RO-2,2026-11-10T10:00:00+08:00,sh-pudong,maintenance,12',
    );

    const error = (() => {
      try {
        readImportRequest(deps, body, 'csv');
      } catch (e) {
        return e;
      }
    })();

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual({ '3.score': 'a whole number from 0 to 10 for nps' });
  });

  it('refuses more than 1000 rows as too large', () => {
    const many = Array.from({ length: 1001 }, (_, i) => `RO-${i},2026-11-10T10:00:00+08:00,sh-pudong,maintenance,9`);

    expect(() => readImportRequest(deps, csv(...many), 'csv')).toThrow(PayloadTooLargeError);
  });

  it('refuses a body without rows', () => {
    expect(() => readImportRequest(deps, csv(), 'csv')).toThrow(ValidationError);
  });
});

describe('importAnswers', () => {
  const arrange = () => createFakes({ now: NOW });
  /** The same customer's visit this morning, posted live to POST /v1/service-events. */
  const liveVisit = (fakes: Fakes, eventId: string) =>
    scheduleSurvey(fakes, {
      eventId,
      occurredAt: '2026-11-20T09:00:00+08:00',
      storeId: 'sh-pudong',
      serviceType: 'maintenance',
      customer: { phone: '13800138000' },
    });

  it('stores answered rows as completed surveys and unanswered ones as expired, shaped like live surveys', async () => {
    const fakes = arrange();
    const rows = validRows(
      visit({
        eventId: 'RO-1',
        occurredAt: '2026-11-10T23:30:00+08:00',
        phone: '13800138000',
        advisorId: 'A-7',
        customerName: '王先生',
        score: 3,
        answeredAt: '2026-11-11T10:00:00+08:00',
        comment: '等了三个小时',
      }),
      visit({ eventId: 'RO-2' }),
    );

    expect(await importAnswers(fakes, rows)).toEqual({ imported: 2, duplicates: 0, answered: 1 });

    const [answered, expired] = [...fakes.surveys.surveys.values()];
    expect(answered).toMatchObject({
      eventId: 'RO-1',
      status: 'completed',
      surveyType: 'nps',
      storeId: 'sh-pudong',
      departmentId: 'workshop',
      advisorId: 'A-7',
      // The visit's date in the store's own time zone: 23:30 in Shanghai.
      visitDate: '2026-11-10',
      visitAt: '2026-11-10T15:30:00.000Z',
      createdAt: '2026-11-10T15:30:00.000Z',
      sentAt: '2026-11-11T00:00:00.000Z',
      score: 3,
      scoredAt: '2026-11-11T02:00:00.000Z',
      reason: '等了三个小时',
      channel: 'sms',
      phoneHash: fakeVault.hash('+8613800138000'),
      phoneMasked: '+86 138****8000',
      alertsRaisedAt: NOW,
      importedAt: NOW,
    });
    expect(answered?.timer).toBeUndefined();
    expect(fakeVault.decrypt(answered?.phoneCipher ?? '')).toBe('+8613800138000');
    expect(JSON.stringify(answered)).not.toContain('13800138000"');
    expect(expired).toMatchObject({ eventId: 'RO-2', status: 'expired', sentAt: '2026-11-10T04:00:00.000Z' });
    expect(expired?.score).toBeUndefined();
    expect(expired?.phoneHash).toBeUndefined();
  });

  it('hands every new answer to the scorer, ten to a batch, and nothing for unanswered rows', async () => {
    const fakes = arrange();
    const rows = validRows(
      ...Array.from({ length: 25 }, (_, i) => visit({ eventId: `A-${i}`, score: 9 })),
      ...Array.from({ length: 5 }, (_, i) => visit({ eventId: `U-${i}` })),
    );

    await importAnswers(fakes, rows);

    const completed = [...fakes.surveys.surveys.values()].filter((s) => s.status === 'completed').map((s) => s.id);
    expect(fakes.queues.responseUpdates.sort()).toEqual(completed.sort());
    expect(fakes.queues.responseBatches.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('imports nothing twice: a second run finds only duplicates, and counts nothing again', async () => {
    const fakes = arrange();
    const rows = validRows(visit({ eventId: 'RO-1', score: 9 }), visit({ eventId: 'RO-2' }));
    await importAnswers(fakes, rows);
    for (const id of fakes.queues.responseUpdates.splice(0)) await recordAnswer(fakes, id);

    expect(await importAnswers(fakes, rows)).toEqual({ imported: 0, duplicates: 2, answered: 0 });
    // Its answer is kept already: a retried request does not send it to the scorer a second time.
    expect(fakes.queues.responseUpdates).toEqual([]);
    expect(fakes.surveys.surveys.size).toBe(2);
    expect(fakes.responses.responses.size).toBe(1);
  });

  it('treats an eventId already posted live as a duplicate and leaves its survey alone', async () => {
    const fakes = arrange();
    const live = await liveVisit(fakes, 'RO-1');

    const summary = await importAnswers(
      fakes,
      validRows(visit({ eventId: 'RO-1', occurredAt: '2026-11-19T09:00:00+08:00', score: 2 })),
    );

    expect(summary).toEqual({ imported: 0, duplicates: 1, answered: 0 });
    expect(fakes.surveys.surveys.size).toBe(1);
    expect(await fakes.surveys.get(live.survey.id ?? '')).toMatchObject({ status: 'scheduled' });
    expect(fakes.queues.responseUpdates).toEqual([]);
  });

  it('hands on again, when run again, an answer that an interrupted import never got to the scorer', async () => {
    const fakes = arrange();
    const rows = validRows(visit({ eventId: 'RO-1', score: 9 }));
    await importAnswers(fakes, rows);
    const [lost] = fakes.queues.responseUpdates.splice(0);

    expect(await importAnswers(fakes, rows)).toEqual({ imported: 0, duplicates: 1, answered: 0 });
    expect(fakes.queues.responseUpdates).toEqual([lost]);
  });

  it("adds each visit to the customer's history, and a recent survey takes the customer's throttle slot", async () => {
    const fakes = arrange();
    await importAnswers(
      fakes,
      validRows(
        visit({ eventId: 'RO-1', occurredAt: '2026-06-01T10:00:00+08:00', phone: '13800138000' }),
        visit({ eventId: 'RO-2', occurredAt: '2026-11-15T10:00:00+08:00', phone: '13800138000', score: 9 }),
      ),
    );

    const hash = fakeVault.hash('+8613800138000');
    expect(await fakes.surveys.customerValue(hash)).toMatchObject({ visits: 2, spend: 0 });
    expect(fakes.surveys.throttle.get(hash)).toBe('2026-11-15T04:00:00.000Z');
    const live = await liveVisit(fakes, 'RO-3');
    expect(live.survey).toMatchObject({ status: 'suppressed', reason: 'throttled' });
  });
});

describe('an imported detractor answer', () => {
  it('is scored by recordAnswer like a live answer, in its visit date, and raises no alert', async () => {
    const fakes = createFakes({ now: NOW });
    await importAnswers(
      fakes,
      validRows(visit({ eventId: 'RO-1', serviceType: 'repair', score: 1, comment: '修完又坏了，态度也很差' })),
    );
    const [surveyId] = fakes.queues.responseUpdates;

    const outcome = await recordAnswer(fakes, surveyId ?? '');

    expect(outcome).toEqual({ recorded: true, alerts: 0 });
    expect(fakes.responses.responses.get(surveyId ?? '')).toMatchObject({ score: 1, comment: '修完又坏了，态度也很差' });
    expect(await fakes.rollups.bucket('csat', 'month', 'store', '2026-11', 'sh-pudong')).toMatchObject({
      responses: 1,
      detractors: 1,
    });
    expect(fakes.alerts.alerts.size).toBe(0);
    expect(fakes.queues.alertDeliveries).toEqual([]);
  });
});
