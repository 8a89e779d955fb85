import { describe, expect, it } from 'vitest';
import {
  answeredSurvey,
  api,
  e164,
  outbox,
  postVisit,
  reply,
  scores,
  tokens,
  visit,
  visitDay,
  waitFor,
  waitForTexts,
} from './helpers.ts';

const today = visitDay;
const range = () => `from=${today().slice(0, 8)}01&to=${today()}`;

async function monthBucket(query: string) {
  const { body } = await scores(`${query}&${range()}&granularity=month`);
  return body.buckets[0];
}

describe('a service visit, end to end', () => {
  it('texts the survey in Chinese, scores the answer and raises one routed, delivered alert for a detractor', async () => {
    const body = visit({ storeId: 'sh-minhang', advisorId: 'A-it-1' });
    const phone = body.customer.phone;

    const ingested = await postVisit(body);
    expect(ingested.status).toBe(202);
    expect(ingested.body).toMatchObject({ eventId: body.eventId, survey: { status: 'scheduled' } });

    const [question] = await waitForTexts(phone, 1);
    expect(question?.to).toBe(e164(phone));
    expect(question?.body).toContain('【星途服务】');
    expect(question?.body).toContain('闵行服务中心');
    expect(question?.body).toContain('回T退订');

    expect((await reply(phone, '3分')).body.reply).toContain('原因');
    expect((await reply(phone, '等了三个小时，车还没修好')).body.reply).toContain('抱歉');

    const alerts = await waitFor(async () => {
      const { body: list } = await api(`/v1/alerts`, { token: tokens.cx });
      const mine = list.alerts.filter((a: { surveyId: string }) => a.surveyId === ingested.body.survey.id);
      return mine.length === 2 ? mine : undefined;
    }, 'two routed alerts');
    expect(alerts.map((a: { departmentId: string }) => a.departmentId).sort()).toEqual(['service-advisors', 'workshop']);
    expect(alerts[0]).toMatchObject({ status: 'open', score: 3, comment: '等了三个小时，车还没修好', storeId: 'sh-minhang' });
    expect(JSON.stringify(alerts)).not.toContain(phone);

    const delivery = await waitFor(async () => {
      const { body: received } = await api('/dev/webhooks');
      return received.deliveries.find(
        (d: { departmentId: string; payload: { data: { alert: { id: string } } } }) =>
          d.departmentId === 'workshop' && alerts.some((a: { id: string }) => a.id === d.payload.data.alert.id),
      );
    }, 'a verified webhook delivery to the workshop');
    expect(delivery.payload.data.alert).toMatchObject({
      departmentId: 'workshop',
      score: 3,
      storeId: 'sh-minhang',
      advisorId: 'A-it-1',
    });
    expect(delivery.payload.data.alert.phone).toMatch(/^\+86 139\*+\d{4}$/);
    expect(delivery.payload.data.links.act).toMatch(/\/v1\/alerts\/al_.+\/actions$/);
  });

  it('counts an answer in its store, advisor and month, once', async () => {
    const query = 'metric=nps&groupBy=advisor&advisorId=A-it-2';
    expect((await scores(`${query}&${range()}`)).body.buckets).toEqual([]);

    await answeredSurvey('10', 'very good', { advisorId: 'A-it-2' });
    await answeredSurvey('8', undefined, { advisorId: 'A-it-2' });
    await answeredSurvey('2', 'rude staff', { advisorId: 'A-it-2' });

    const bucket = await waitFor(async () => {
      const b = await monthBucket(query);
      return b?.responses === 3 ? b : undefined;
    }, 'three answers in the rollup');
    expect(bucket).toMatchObject({ group: 'A-it-2', responses: 3, promoters: 1, passives: 1, detractors: 1, score: 0 });
    expect(bucket.marginOfError).toBeCloseTo(1.96 * 100 * Math.sqrt((1 / 3 + 1 / 3 - 0) / 3), 1);
    expect(bucket.period).toBe(today().slice(0, 7));
  });

  it('texts English customers in English, in one GSM-7 segment, and scores CSAT', async () => {
    const phone = `07911 1${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    const body = visit(
      { storeId: 'uk-reading', serviceType: 'repair', advisorId: 'A-uk-1' },
      { phone, locale: 'en', name: 'Sam' },
    );
    expect((await postVisit(body)).body.survey.status).toBe('scheduled');
    const [question] = await waitForTexts(body.customer.phone, 1);
    expect(question?.to).toMatch(/^\+447911/);
    expect(question?.body).toContain('Reading Service Centre');
    expect(question?.body).toContain('STOP');
    expect(question?.body.length).toBeLessThanOrEqual(160);
    expect((await reply(question?.to ?? '', '5/5')).body.reply).toContain('reason');
    const bucket = await waitFor(async () => {
      const b = await monthBucket('metric=csat&groupBy=advisor&advisorId=A-uk-1');
      return b?.responses === 1 ? b : undefined;
    }, 'the CSAT answer in the rollup');
    expect(bucket).toMatchObject({ satisfied: 1, score: 100 });
  });

  it('closes a detractor conversation when the why-question goes unanswered, and still raises the alert', async () => {
    const { surveyId } = await answeredSurvey('1', undefined, { advisorId: 'A-it-3' });
    const alert = await waitFor(async () => {
      const { body } = await api('/v1/alerts?departmentId=customer-care', { token: tokens.cx });
      return body.alerts.find((a: { surveyId: string }) => a.surveyId === surveyId);
    }, 'an alert for the default department after the reason wait');
    expect(alert).toMatchObject({ departmentId: 'customer-care', score: 1, status: 'open' });
    expect(alert.comment).toBeUndefined();
  });

  it('answers the same eventId again with the first result and sends one survey', async () => {
    const body = visit();
    const first = await postVisit(body);
    const second = await postVisit({ ...body, storeId: 'sh-minhang' });
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    await waitForTexts(body.customer.phone, 1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await outbox(body.customer.phone)).toHaveLength(1);
  });

  it('suppresses a second survey for the same customer within the throttle window, at another store', async () => {
    const first = visit();
    await postVisit(first);
    const again = await postVisit(visit({ storeId: 'bj-chaoyang' }, { phone: first.customer.phone }));
    expect(again.body.survey).toEqual({ status: 'suppressed', reason: 'throttled' });
  });

  it('records why a visit was not surveyed', async () => {
    expect((await postVisit(visit({ serviceType: 'car_wash' }))).body.survey).toEqual({
      status: 'suppressed',
      reason: 'no_plan',
    });
    expect((await postVisit(visit({}, { phone: '12345' }))).body.survey).toEqual({
      status: 'suppressed',
      reason: 'invalid_phone',
    });
  });

  it('opts a number out everywhere with one confirmation and never texts it again', async () => {
    const first = visit();
    const phone = first.customer.phone;
    await postVisit(first);
    await waitForTexts(phone, 1);
    expect((await reply(phone, 'TD')).body.reply).toContain('退订');
    expect((await reply(phone, '退订')).body.reply).toBeNull();
    const later = await postVisit(visit({ storeId: 'bj-chaoyang', occurredAt: new Date().toISOString() }, { phone }));
    expect(later.body.survey).toEqual({ status: 'suppressed', reason: 'opted_out' });
    expect((await reply(phone, '9')).body.reply).toBeNull();
    expect(await outbox(phone)).toHaveLength(2);
  });
});
