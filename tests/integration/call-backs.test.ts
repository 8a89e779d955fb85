/**
 * Call-backs (电话回访) through the local runtime, on a stack of this file's own: Pudong reaches by
 * text, then by call once the text expires unanswered (within seconds here); Chaoyang by call
 * only. A caller of the call-back department (customer care) signs in, lists the tasks, reveals the
 * number and records each call; an answer is scored with channel `call` and raises its alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseTestConfig, type StackProcess, startStackProcess } from '#local/stack-process.ts';
import { e164, stackClient, visit, visitDay, waitFor } from './helpers.ts';

const EXPIRY_HOURS = 0.003; // 10.8 s after the question
let running: StackProcess | undefined;
const target = {
  get url() {
    return running?.url ?? '';
  },
  get dynamodb() {
    return running?.dynamodb ?? '';
  },
};
const { api, postVisit, outbox, scanTable, surveyItem, token } = stackClient(target);

beforeAll(async () => {
  running = await startStackProcess({
    config: (port) => {
      const config = baseTestConfig(port);
      config.expiryHours = EXPIRY_HOURS;
      config.reminder = { afterHours: 1 };
      config.throttleDays = 0;
      config.callbacks = { departmentId: 'customer-care', slaHours: 72, attempts: 3 };
      const store = (id: string) => config.stores.find((s: { id: string }) => s.id === id);
      store('sh-pudong').reach = ['sms', 'call'];
      store('bj-chaoyang').reach = ['call'];
      return config;
    },
  });
}, 120_000);
afterAll(async () => {
  await running?.dispose();
});

type Task = { id: string; surveyId: string; status: string; attempts: number; [key: string]: unknown };
const callbacks = async (query = '') =>
  (await api<{ callbacks: Task[] }>(`/v1/callbacks${query}`, { token: await token('care') })).body.callbacks;
const taskOf = (surveyId: string, query = '') =>
  waitFor(async () => (await callbacks(query)).find((t) => t.surveyId === surveyId), `the call task of ${surveyId}`, 30_000);
const outcome = async (taskId: string, body: unknown, who: 'care' | 'cx' | 'workshop' = 'care') =>
  api(`/v1/callbacks/${taskId}/outcome`, { token: await token(who), json: body });

describe('a call-back', () => {
  it('opens when a text expires unanswered; the caller reveals the number and takes a detractor’s answer, scored with channel call, alerting its department', async () => {
    const body = visit({ storeId: 'sh-pudong', advisorId: 'A-call-1' });
    const phone = (body.customer as { phone: string }).phone;
    const { body: ingested } = await postVisit(body);
    const surveyId: string = ingested.survey.id;
    await waitFor(async () => (await outbox(phone)).length === 1 || undefined, 'the question text');

    const task = await taskOf(surveyId);

    expect(task).toMatchObject({
      status: 'open',
      storeId: 'sh-pudong',
      departmentId: 'customer-care',
      attempts: 0,
      maxAttempts: 3,
      visit: { date: visitDay(), serviceType: 'first_service', advisorId: 'A-call-1' },
    });
    expect(JSON.stringify(task)).not.toContain(phone);
    expect(await surveyItem(surveyId)).toMatchObject({ status: 'awaiting_score', reach: 'call', movedFrom: 'sms' });

    const page = await api(`/v1/callbacks/${task.id}`, { token: await token('care') });
    expect(page.body.script).toMatchObject({ question: '您有多大可能向亲友推荐我们？', scale: { min: 0, max: 10 } });

    const revealed = await api(`/v1/callbacks/${task.id}/contact`, { method: 'POST', token: await token('care') });
    expect(revealed).toMatchObject({ status: 200, body: { phone: e164(phone) } });

    const answered = await outcome(task.id, { outcome: 'answered', score: 3, comment: '等太久了，没人理' });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'done', outcome: 'answered', score: 3, attempts: 1 });
    expect(answered.body.log.map((e: { action: string; by: { name: string } }) => [e.action, e.by.name])).toEqual([
      ['phone_revealed', '周敏'],
      ['answered', '周敏'],
    ]);

    // Scored like any answer: kept with its channel and caller, and its alert raised to the routed department.
    const response = await waitFor(
      async () => (await scanTable('closedloop-scores')).find((i) => i.type === 'response' && i.surveyId === surveyId),
      'the scored answer',
    );
    expect(response).toMatchObject({ score: 3, channel: 'call', caller: { name: '周敏' }, comment: '等太久了，没人理' });
    const alert = await waitFor(async () => {
      const { body: list } = await api('/v1/alerts', { token: await token('cx') });
      return list.alerts.find((a: { surveyId: string }) => a.surveyId === surveyId);
    }, 'its alert');
    expect(alert).toMatchObject({ departmentId: 'service-advisors', score: 3 });
    expect((await callbacks('?status=done')).map((t) => t.id)).toContain(task.id);

    // A second outcome for the finished task is a conflict.
    expect((await outcome(task.id, { outcome: 'refused' })).status).toBe(409);
  }, 90_000);

  it('calls a landline at once: a store that texts first reaches it by call-back, and no text goes out', async () => {
    const landline = `021${String(Date.now()).slice(-8)}`;
    const { body: ingested } = await postVisit(visit({ storeId: 'sh-pudong' }, { phone: landline }));
    const surveyId: string = ingested.survey.id;

    const task = await taskOf(surveyId);

    expect(task).toMatchObject({ status: 'open', storeId: 'sh-pudong', attempts: 0 });
    expect(await surveyItem(surveyId)).toMatchObject({ status: 'awaiting_score', reach: 'call', landline: true });
    expect(await outbox(`+86${landline}`)).toEqual([]);
  }, 60_000);

  it('closes after three calls that did not reach the customer, and the survey expires', async () => {
    const body = visit({ storeId: 'bj-chaoyang' });
    const { body: ingested } = await postVisit(body);
    const surveyId: string = ingested.survey.id;
    const task = await taskOf(surveyId, '?storeId=bj-chaoyang');
    expect((await outbox((body.customer as { phone: string }).phone)).length).toBe(0);

    const first = await outcome(task.id, { outcome: 'not_reachable', note: '无人接听' });
    expect(first.body).toMatchObject({ status: 'open', attempts: 1 });
    expect(first.body.retryAt).toBeDefined();
    expect((await outcome(task.id, { outcome: 'not_reachable' })).body).toMatchObject({ status: 'open', attempts: 2 });
    expect((await outcome(task.id, { outcome: 'not_reachable' }, 'cx')).body).toMatchObject({
      status: 'done',
      outcome: 'not_reachable',
      attempts: 3,
    });

    expect(await surveyItem(surveyId)).toMatchObject({ status: 'expired' });
    expect((await callbacks('?storeId=bj-chaoyang')).map((t) => t.id)).not.toContain(task.id);
    expect((await outcome(task.id, { outcome: 'not_reachable' })).status).toBe(409);
  }, 60_000);

  it('refuses an answer without its score or off the scale (400, nothing recorded), and anyone outside the call-back team (403, before the body is read)', async () => {
    const { body: ingested } = await postVisit(visit({ storeId: 'bj-chaoyang' }));
    const task = await taskOf(ingested.survey.id, '?storeId=bj-chaoyang');

    const noScore = await outcome(task.id, { outcome: 'answered', comment: '还行' });
    const offScale = await outcome(task.id, { outcome: 'answered', score: 11 });
    const unknown = await outcome(task.id, { outcome: 'hung_up' });
    expect([noScore.status, offScale.status, unknown.status]).toEqual([400, 400, 400]);
    expect(noScore.body.error.fields).toHaveProperty('score');
    expect(offScale.body.error.fields).toEqual({ score: '0 to 10' });
    expect((await api(`/v1/callbacks/${task.id}`, { token: await token('care') })).body).toMatchObject({
      status: 'open',
      attempts: 0,
      log: [],
    });

    // A workshop head: 403 on every call-back route, even with a body that is not JSON.
    const workshop = await token('workshop');
    expect((await api('/v1/callbacks?status=nonsense', { token: workshop })).status).toBe(403);
    expect((await api(`/v1/callbacks/${task.id}`, { token: workshop })).status).toBe(403);
    expect(
      (
        await api(`/v1/callbacks/${task.id}/outcome`, {
          token: workshop,
          body: 'not json',
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(403);
    expect((await api(`/v1/callbacks/${task.id}/contact`, { method: 'POST', token: workshop })).status).toBe(403);
    expect((await api('/v1/callbacks')).status).toBe(401);
    expect((await api('/v1/callbacks?status=nonsense', { token: await token('care') })).status).toBe(400);
  }, 60_000);
});
