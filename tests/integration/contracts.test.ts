import { describe, expect, it } from 'vitest';
import {
  alertOfSurvey,
  answeredSurvey,
  api,
  countItems,
  e164,
  heads,
  postVisit,
  tokens,
  twilioRequest,
  visit,
  waitForTexts,
} from './helpers.ts';

const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

describe('POST /v1/service-events input', () => {
  it.each([
    ['an empty body', ''],
    ['broken JSON', '{"eventId": '],
    ['a JSON array', '[]'],
    ['a missing customer', JSON.stringify({ ...visit(), customer: undefined })],
    ['a bad occurredAt', JSON.stringify(visit({ occurredAt: 'yesterday' }))],
    ['a numeric eventId', JSON.stringify(visit({ eventId: 42 }))],
    ['an unknown store', JSON.stringify(visit({ storeId: 'mars-base' }))],
    ['a negative amount', JSON.stringify(visit({ amount: -5 }))],
  ])('answers 400 to %s and writes nothing', async (_, body) => {
    const before = await countItems();
    const response = await api('/v1/service-events', {
      token: tokens.ingest,
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject(errorShape);
    expect(await countItems()).toBe(before);
  });

  it('names the bad fields', async () => {
    const response = await postVisit(visit({ occurredAt: 'yesterday', storeId: 7 }));
    expect(response.body.error.fields).toHaveProperty('occurredAt');
    expect(response.body.error.fields).toHaveProperty('storeId');
  });

  it('answers 415 to a body that is not JSON', async () => {
    const response = await api('/v1/service-events', {
      token: tokens.ingest,
      body: 'eventId=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
  });

  it('answers 413 to a body over the limit', async () => {
    const response = await postVisit(visit({}, { name: 'x'.repeat(70_000) }));
    expect(response.status).toBe(413);
  });
});

describe('authorization', () => {
  it.each([
    ['no token', 401, undefined],
    ['an unknown token', 401, 'not-a-real-token'],
    ['a cx token', 403, tokens.cx],
    ['a department token', 403, tokens.workshop],
  ])('POST /v1/service-events with %s is %i and writes nothing', async (_, status, token) => {
    const before = await countItems();
    const response = await api('/v1/service-events', { token, json: visit() });
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject(errorShape);
    expect(await countItems()).toBe(before);
  });

  it('keeps the ingest role away from scores and alerts', async () => {
    expect((await api('/v1/scores?metric=nps&from=2026-01-01&to=2026-01-31', { token: tokens.ingest })).status).toBe(403);
    expect((await api('/v1/alerts', { token: tokens.ingest })).status).toBe(403);
  });

  it("limits a department token to its own department's scores", async () => {
    const own = await api('/v1/scores?metric=nps&from=2026-01-01&to=2026-01-31&departmentId=workshop', {
      token: tokens.workshop,
    });
    expect(own.status).toBe(200);
    const other = await api('/v1/scores?metric=nps&from=2026-01-01&to=2026-01-31&departmentId=parts', { token: tokens.workshop });
    expect(other.status).toBe(403);
  });
});

describe('GET /v1/scores parameters', () => {
  it.each([
    ['metric=xyz&from=2026-01-01&to=2026-01-31', 'metric'],
    ['metric=nps&from=2026-13-01&to=2026-01-31', 'from'],
    ['metric=nps&from=2026-02-01&to=2026-01-31', 'to'],
    ['metric=nps&from=2026-01-01&to=2026-01-31&granularity=hour', 'granularity'],
    ['metric=nps&from=2026-01-01&to=2026-01-31&groupBy=color', 'groupBy'],
    ['metric=nps&from=2026-01-01&to=2026-01-31&groupBy=advisor&serviceType=repair', 'groupBy'],
  ])('answers 400 to %s, naming %s', async (query, field) => {
    const response = await api(`/v1/scores?${query}`, { token: tokens.cx });
    expect(response.status).toBe(400);
    expect(response.body.error.fields).toHaveProperty(field);
  });
});

describe('POST /v1/sms/twilio', () => {
  async function surveyedPhone() {
    const body = visit();
    await postVisit(body);
    await waitForTexts(body.customer.phone, 1);
    return e164(body.customer.phone);
  }
  const sid = () => `SM${crypto.randomUUID().replaceAll('-', '')}`;

  it('takes a signed reply and answers in TwiML', async () => {
    const from = await surveyedPhone();
    const response = await twilioRequest({
      MessageSid: sid(),
      From: from,
      To: '+8610690000',
      Body: '9',
      AccountSid: 'AC123',
      NumMedia: '0',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/xml');
    expect(response.text).toMatch(/^<\?xml.*<Response><Message>【星途服务】.*原因.*<\/Message><\/Response>$/s);
  });

  it.each([
    ['a forged signature', 'bm90IGEgcmVhbCBzaWduYXR1cmU='],
    ['no signature', null],
  ])('refuses %s with 403 and changes nothing', async (_, signature) => {
    const from = await surveyedPhone();
    const before = await countItems();
    const response = await twilioRequest({ MessageSid: sid(), From: from, To: '+8610690000', Body: '9' }, { signature });
    expect(response.status).toBe(403);
    expect(await countItems()).toBe(before);
  });

  it('refuses a body signed with another auth token', async () => {
    const from = await surveyedPhone();
    const response = await twilioRequest({ MessageSid: sid(), From: from, Body: '9' }, { token: 'some-other-token' });
    expect(response.status).toBe(403);
  });

  it('processes a repeated MessageSid once and answers it the same way', async () => {
    const from = await surveyedPhone();
    // A promoter: a detractor's alert would appear when the why-question times out, mid-count.
    const params = { MessageSid: sid(), From: from, To: '+8610690000', Body: '9' };
    const first = await twilioRequest(params);
    const before = await countItems();
    const again = await twilioRequest(params);
    expect(again.text).toBe(first.text);
    expect(await countItems()).toBe(before);
  });
});

describe('alerts API', () => {
  async function detractorAlert(reason: string) {
    const { surveyId } = await answeredSurvey('2', reason);
    return alertOfSurvey(surveyId);
  }

  it('lets a department see and act on its own alerts only', async () => {
    const alert = await detractorAlert('the car still makes the same noise, not fixed');
    expect(alert.departmentId).toBe('workshop');

    const own = await api('/v1/alerts', { token: tokens.workshop });
    expect(own.body.alerts.every((a: { departmentId: string }) => a.departmentId === 'workshop')).toBe(true);
    expect((await api(`/v1/alerts/${alert.id}`, { token: tokens.workshop })).status).toBe(200);
    expect((await api(`/v1/alerts/${alert.id}`, { token: tokens.advisors })).status).toBe(403);
    expect((await api('/v1/alerts?departmentId=workshop', { token: tokens.advisors })).status).toBe(403);

    const before = await countItems();
    const denied = await api(`/v1/alerts/${alert.id}/actions`, { token: tokens.advisors, json: { action: 'acknowledge' } });
    expect(denied.status).toBe(403);
    expect((await api(`/v1/alerts/${alert.id}`, { token: tokens.cx })).body.status).toBe('open');
    expect(await countItems()).toBe(before);

    const acknowledged = await api(`/v1/alerts/${alert.id}/actions`, {
      token: tokens.workshop,
      json: { action: 'acknowledge', note: '已致电客户' },
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({
      status: 'acknowledged',
      actions: [{ action: 'acknowledge', by: { sub: heads.workshop.username, name: heads.workshop.name }, note: '已致电客户' }],
    });
    const contacted = await api(`/v1/alerts/${alert.id}/actions`, { token: tokens.workshop, json: { action: 'contacted' } });
    expect(contacted.body.firstContactAt).toEqual(expect.any(String));
    // Closing the loop names the root cause and the resolution from the config; without them nothing changes.
    const unexplained = await api(`/v1/alerts/${alert.id}/actions`, { token: tokens.workshop, json: { action: 'resolved' } });
    expect(unexplained.status).toBe(400);
    expect(Object.keys(unexplained.body.error.fields).sort()).toEqual(['resolution', 'rootCause']);
    expect((await api(`/v1/alerts/${alert.id}`, { token: tokens.workshop })).body.status).toBe('contacted');
    const resolved = await api(`/v1/alerts/${alert.id}/actions`, {
      token: tokens.workshop,
      json: { action: 'resolved', rootCause: 'repair_quality', resolution: 'redo_repair' },
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', rootCause: 'repair_quality', resolution: 'redo_repair' });
    expect(
      (await api(`/v1/alerts/${alert.id}/actions`, { token: tokens.workshop, json: { action: 'acknowledge' } })).status,
    ).toBe(409);
  });

  it('reassigns an alert to another department, which then owns it', async () => {
    const alert = await detractorAlert('no one called me back');
    const moved = await api(`/v1/alerts/${alert.id}/actions`, {
      token: tokens.cx,
      json: { action: 'reassign', departmentId: 'customer-care', note: 'care team follows up' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ departmentId: 'customer-care', status: 'open' });
    expect((await api(`/v1/alerts/${alert.id}`, { token: tokens.care })).status).toBe(200);
    expect((await api(`/v1/alerts/${alert.id}`, { token: tokens.advisors })).status).toBe(403);
  });

  it('answers 404 for an unknown alert and 400 for an unknown action', async () => {
    expect((await api('/v1/alerts/al_nope', { token: tokens.cx })).status).toBe(404);
    const alert = await detractorAlert('too expensive');
    const bad = await api(`/v1/alerts/${alert.id}/actions`, { token: tokens.cx, json: { action: 'delete' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('action');
  });
});

describe('unknown routes', () => {
  it('answers 404 in the error shape', async () => {
    const response = await api('/v1/nothing-here', { token: tokens.cx });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject(errorShape);
  });
});
