import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.ts';
import { type ServiceEvent, scheduleSurvey, serviceEventSchema } from '#shared/use-cases/schedule-survey.ts';
import { configWith, createFakes, fakeVault } from './fakes.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;

/** A visit at the Pudong store (Asia/Shanghai, UTC+8), as the DMS would post it. */
const visit = (overrides: Partial<ServiceEvent> & { phone?: string } = {}): ServiceEvent => {
  const { phone = '13800138000', ...fields } = overrides;
  return serviceEventSchema.parse({
    eventId: 'RO-2026-000123',
    occurredAt: '2026-11-20T09:30:00+08:00',
    storeId: 'sh-pudong',
    serviceType: 'first_service',
    customer: { id: 'C-1001', phone, name: '王先生' },
    advisorId: 'A-17',
    technicianId: 'T-3',
    ...fields,
  });
};

describe('scheduleSurvey', () => {
  it('schedules the survey delayMinutes after the visit', async () => {
    // now is 10:00 in Shanghai; the visit was 09:30 and first_service waits 120 minutes
    const fakes = createFakes({ now: '2026-11-20T02:00:00.000Z' });

    const result = await scheduleSurvey(fakes, visit());

    expect(result).toEqual({
      eventId: 'RO-2026-000123',
      survey: { id: expect.stringMatching(/^sv_/), status: 'scheduled', sendAt: '2026-11-20T03:30:00.000Z' },
    });
  });

  it("keeps the customer's own quiet hours when the visit gives their time zone", async () => {
    // 11:30 in Shanghai is 03:30 in London: quiet there until 08:00 London (08:00 UTC in November)
    const fakes = createFakes({ now: '2026-11-20T02:00:00.000Z' });
    const event = visit();

    const result = await scheduleSurvey(fakes, { ...event, customer: { ...event.customer, timezone: 'Europe/London' } });

    expect(result.survey).toMatchObject({ status: 'scheduled', sendAt: '2026-11-20T08:00:00.000Z' });
    expect((await fakes.surveys.get(result.survey.id ?? ''))?.timezone).toBe('Europe/London');
  });

  it('refuses a customer time zone that does not exist', () => {
    expect(() => visit({ customer: { phone: '13800138000', timezone: 'Mars/Olympus' } } as never)).toThrow();
  });

  it('uses the delay of the service type’s plan (warranty: 240 minutes)', async () => {
    const fakes = createFakes({ now: '2026-11-20T02:00:00.000Z' });

    const result = await scheduleSurvey(fakes, visit({ serviceType: 'warranty' }));

    expect(result.survey).toMatchObject({ sendAt: '2026-11-20T05:30:00.000Z' });
    expect((await fakes.surveys.get(result.survey.id ?? ''))?.surveyType).toBe('ces');
  });

  it('stores the survey with its plan, department, locale and a send timer', async () => {
    const fakes = createFakes({ now: '2026-11-20T02:00:00.000Z' });

    const result = await scheduleSurvey(fakes, visit());

    const survey = await fakes.surveys.get(result.survey.id ?? '');
    expect(survey).toMatchObject({
      eventId: 'RO-2026-000123',
      surveyType: 'nps',
      status: 'scheduled',
      storeId: 'sh-pudong',
      serviceType: 'first_service',
      departmentId: 'workshop',
      advisorId: 'A-17',
      technicianId: 'T-3',
      customerId: 'C-1001',
      customerName: '王先生',
      locale: 'zh-CN',
      visitAt: '2026-11-20T01:30:00.000Z',
      visitDate: '2026-11-20',
      createdAt: '2026-11-20T02:00:00.000Z',
      timer: { action: 'send', at: '2026-11-20T03:30:00.000Z' },
    });
  });

  it('keeps the phone only as a hash, a ciphertext and a masked form, normalised to E.164', async () => {
    const fakes = createFakes();

    const result = await scheduleSurvey(fakes, visit({ phone: '138 0013 8000' }));

    const survey = await fakes.surveys.get(result.survey.id ?? '');
    expect(survey?.phoneHash).toBe(fakeVault.hash('+8613800138000'));
    expect(fakeVault.decrypt(survey?.phoneCipher ?? '')).toBe('+8613800138000');
    expect(survey?.phoneMasked).toBe('+86 138****8000');
    expect(JSON.stringify(survey)).not.toContain('13800138000');
  });

  it('normalises a phone with the store’s own country', async () => {
    const fakes = createFakes({ now: '2026-11-20T10:00:00.000Z' });

    const result = await scheduleSurvey(
      fakes,
      visit({
        storeId: 'uk-reading',
        phone: '07911 123456',
        occurredAt: '2026-11-20T09:30:00Z',
        customer: { phone: '07911 123456', locale: 'en' },
      }),
    );

    const survey = await fakes.surveys.get(result.survey.id ?? '');
    expect(survey?.phoneHash).toBe(fakeVault.hash('+447911123456'));
    expect(survey?.locale).toBe('en');
  });

  it('counts the visit on its date in the store’s time zone, not in UTC', async () => {
    const fakes = createFakes({ now: '2026-11-20T17:00:00.000Z' });

    const result = await scheduleSurvey(fakes, visit({ occurredAt: '2026-11-21T01:00:00+08:00' }));

    expect((await fakes.surveys.get(result.survey.id ?? ''))?.visitDate).toBe('2026-11-21');
  });

  it('moves a send time in quiet hours to the end of quiet hours in the store’s time zone', async () => {
    // a 20:00 visit + 120 minutes is 22:00 in Shanghai: quiet until 08:00 the next day (00:00 UTC)
    const fakes = createFakes({ now: '2026-11-20T12:00:00.000Z' });

    const result = await scheduleSurvey(fakes, visit({ occurredAt: '2026-11-20T20:00:00+08:00' }));

    expect(result.survey).toMatchObject({ status: 'scheduled', sendAt: '2026-11-21T00:00:00.000Z' });
  });

  it('uses each store’s own quiet hours: 22:00 UTC is quiet in London in winter', async () => {
    const fakes = createFakes({ now: '2026-11-20T20:00:00.000Z' });

    const result = await scheduleSurvey(
      fakes,
      visit({ storeId: 'uk-reading', occurredAt: '2026-11-20T20:00:00Z', customer: { phone: '07911 123456' } }),
    );

    expect(result.survey).toMatchObject({ status: 'scheduled', sendAt: '2026-11-21T08:00:00.000Z' });
  });

  it('does not enqueue a survey whose send time is in the future (the sweeper will)', async () => {
    const fakes = createFakes({ now: '2026-11-20T02:00:00.000Z' });

    await scheduleSurvey(fakes, visit());

    expect(fakes.queues.surveyTimers).toEqual([]);
  });

  it('sends at once a survey that is already due, and enqueues its send timer', async () => {
    // the visit was 5 hours ago: visit + 120 minutes has passed, so it is due now
    const fakes = createFakes({ now: '2026-11-20T06:30:00.000Z' });

    const result = await scheduleSurvey(fakes, visit());

    expect(result.survey).toMatchObject({ status: 'scheduled', sendAt: '2026-11-20T06:30:00.000Z' });
    expect(fakes.queues.surveyTimers).toEqual([{ surveyId: result.survey.id, action: 'send', at: '2026-11-20T06:30:00.000Z' }]);
  });

  it('creates a due survey with its timer leased, so the sweeper leaves it to the queue for a while', async () => {
    const fakes = createFakes({ now: '2026-11-20T06:30:00.000Z' });

    const result = await scheduleSurvey(fakes, visit());

    const lease = fakes.surveys.leases.get(result.survey.id ?? '');
    expect(lease && Date.parse(lease)).toBeGreaterThan(Date.parse('2026-11-20T06:30:00.000Z'));
  });

  it('answers the same eventId a second time with the first result and creates nothing new', async () => {
    const fakes = createFakes({ now: '2026-11-20T06:30:00.000Z' });
    const first = await scheduleSurvey(fakes, visit());
    fakes.clock.advance(HOUR);

    const second = await scheduleSurvey(fakes, visit({ phone: '13900139000', serviceType: 'repair' }));

    expect(second).toEqual(first);
    expect(fakes.surveys.surveys.size).toBe(1);
    expect(fakes.queues.surveyTimers).toHaveLength(1);
  });

  it('queues a due send again when the same visit comes back within the lease (a retry after a 5xx)', async () => {
    const fakes = createFakes({ now: '2026-11-20T06:30:00.000Z' });
    const first = await scheduleSurvey(fakes, visit());
    fakes.clock.advance(MINUTE);

    await scheduleSurvey(fakes, visit());

    expect(fakes.queues.surveyTimers).toEqual([
      { surveyId: first.survey.id, action: 'send', at: '2026-11-20T06:30:00.000Z' },
      { surveyId: first.survey.id, action: 'send', at: '2026-11-20T06:30:00.000Z' },
    ]);
  });

  it('suppresses a visit whose service type has no survey plan, and records why', async () => {
    const fakes = createFakes();

    const result = await scheduleSurvey(fakes, visit({ serviceType: 'car_wash' }));

    expect(result).toEqual({ eventId: 'RO-2026-000123', survey: { status: 'suppressed', reason: 'no_plan' } });
    expect(fakes.surveys.surveys.size).toBe(0);
    expect(fakes.surveys.suppressions).toEqual([
      {
        eventId: 'RO-2026-000123',
        result,
        context: {
          storeId: 'sh-pudong',
          advisorId: 'A-17',
          serviceType: 'car_wash',
          departmentId: undefined,
          visitDate: '2026-11-20',
          at: '2026-11-20T02:00:00.000Z',
        },
      },
    ]);
  });

  it('suppresses a visit with a phone that is not a phone number', async () => {
    const fakes = createFakes();

    const result = await scheduleSurvey(fakes, visit({ phone: '12345' }));

    expect(result.survey).toEqual({ status: 'suppressed', reason: 'invalid_phone' });
    expect(fakes.surveys.surveys.size).toBe(0);
    expect(fakes.surveys.suppressions).toHaveLength(1);
  });

  it('suppresses a visit from a customer who opted out', async () => {
    const fakes = createFakes();
    await fakes.surveys.setOptOut(fakeVault.hash('+8613800138000'), true, '2026-10-01T00:00:00.000Z');

    const result = await scheduleSurvey(fakes, visit());

    expect(result.survey).toEqual({ status: 'suppressed', reason: 'opted_out' });
    expect(fakes.surveys.surveys.size).toBe(0);
    expect(fakes.queues.surveyTimers).toEqual([]);
  });

  it('suppresses a second survey to the same phone within throttleDays, even from another store', async () => {
    const fakes = createFakes();
    await scheduleSurvey(fakes, visit({ eventId: 'RO-1', storeId: 'sh-pudong' }));
    fakes.clock.advance(10 * DAY);

    const result = await scheduleSurvey(
      fakes,
      visit({ eventId: 'RO-2', storeId: 'sh-minhang', occurredAt: '2026-11-30T09:30:00+08:00', phone: '+86 138 0013 8000' }),
    );

    expect(result.survey).toEqual({ status: 'suppressed', reason: 'throttled' });
    expect(fakes.surveys.surveys.size).toBe(1);
    expect(fakes.surveys.suppressions[0]?.context.storeId).toBe('sh-minhang');
  });

  it('surveys the same phone again once throttleDays have passed', async () => {
    const fakes = createFakes();
    await scheduleSurvey(fakes, visit({ eventId: 'RO-1' }));
    fakes.clock.advance(31 * DAY);

    const result = await scheduleSurvey(fakes, visit({ eventId: 'RO-2', occurredAt: '2026-12-21T09:30:00+08:00' }));

    expect(result.survey.status).toBe('scheduled');
  });

  it('does not throttle another phone', async () => {
    const fakes = createFakes();
    await scheduleSurvey(fakes, visit({ eventId: 'RO-1' }));

    const result = await scheduleSurvey(fakes, visit({ eventId: 'RO-2', phone: '13900139000' }));

    expect(result.survey.status).toBe('scheduled');
  });

  it('does not throttle at all with throttleDays 0', async () => {
    const fakes = createFakes({ config: configWith({ throttleDays: 0 }) });
    await scheduleSurvey(fakes, visit({ eventId: 'RO-1' }));
    fakes.clock.advance(1000);

    const result = await scheduleSurvey(fakes, visit({ eventId: 'RO-2' }));

    expect(result.survey.status).toBe('scheduled');
  });

  it('answers a suppressed eventId again with the same suppression', async () => {
    const fakes = createFakes();
    const first = await scheduleSurvey(fakes, visit({ serviceType: 'car_wash' }));

    const second = await scheduleSurvey(fakes, visit());

    expect(second).toEqual(first);
    expect(fakes.surveys.surveys.size).toBe(0);
  });

  it('rejects a visit at an unknown store as a validation error on storeId', async () => {
    const fakes = createFakes();

    const attempt = scheduleSurvey(fakes, visit({ storeId: 'sh-nowhere' }));

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ status: 400, fields: { storeId: expect.any(String) } });
    expect(fakes.surveys.events.size).toBe(0);
  });
});

describe('scheduleSurvey contact quality', () => {
  const contactOf = async (fakes: ReturnType<typeof createFakes>, result: { survey: { id?: string } }) =>
    (await fakes.surveys.get(result.survey.id ?? ''))?.contactFlags;

  it('takes a visit with no phone in as a suppressed visit flagged no_phone', async () => {
    const fakes = createFakes();
    const event = visit();

    const result = await scheduleSurvey(fakes, { ...event, customer: { id: 'C-1001' } });

    expect(result.survey).toMatchObject({ status: 'suppressed', reason: 'invalid_phone' });
    expect(fakes.surveys.suppressions[0]?.context.contactFlags).toEqual(['no_phone']);
  });

  it('flags an invalid phone on the suppressed visit', async () => {
    const fakes = createFakes();
    await scheduleSurvey(fakes, visit({ phone: '12345' }));
    expect(fakes.surveys.suppressions[0]?.context.contactFlags).toEqual(['invalid_phone']);
  });

  it("flags a number already on another customer's visit as shared, not the customer's own again", async () => {
    const fakes = createFakes({ config: configWith({ throttleDays: 0 }) });
    const first = await scheduleSurvey(fakes, visit({ eventId: 'RO-1' }));
    const again = await scheduleSurvey(fakes, visit({ eventId: 'RO-2' }));
    const event = visit({ eventId: 'RO-3' });
    const other = await scheduleSurvey(fakes, { ...event, customer: { ...event.customer, id: 'C-2002' } });

    expect(await contactOf(fakes, first)).toBeUndefined();
    expect(await contactOf(fakes, again)).toBeUndefined();
    expect(await contactOf(fakes, other)).toEqual(['shared_phone']);
  });

  it('flags a number listed in integrity.staffPhones, however it was typed', async () => {
    const config = configWith({ integrity: { staffPhones: ['+86 138 0013 8000'] } });
    const fakes = createFakes({ config });

    const result = await scheduleSurvey(fakes, visit({ phone: '13800138000' }));

    expect(result.survey.status).toBe('scheduled');
    expect(await contactOf(fakes, result)).toEqual(['staff_phone']);
  });
});
