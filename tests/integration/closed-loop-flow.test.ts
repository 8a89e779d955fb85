import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseTestConfig, type StackProcess, startStackProcess } from '#local/stack-process.ts';
import { signIn } from '../../scripts/lib/sign-in.ts';
import { heads, stackClient, visitDay, waitFor as waitForWithin } from './helpers.ts';

/**
 * One detractor from first text to recovery, and one whose recovery fails, on a stack of its own
 * whose clocks are short: workshop SLA 3.6 s, re-survey 3.6 s after resolution, no throttle.
 */
let stack: StackProcess;
/** People's tokens from this stack's own sign-in: another stack's issuer is not trusted here. */
const tokens = { ingest: 'dev-ingest-token', cx: '', workshop: '' };
const phone = `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
const client = stackClient({
  get url() {
    return stack.url;
  },
  get dynamodb() {
    return stack.dynamodb;
  },
});
const call = client.api;
/** This flow's steps wait on short clocks, each well within 30 s. */
const waitFor = <T>(probe: () => Promise<T | undefined | false>, what: string) => waitForWithin(probe, what, 30_000);

const texts = () => client.outbox(phone);
const reply = (body: string) => client.reply(phone, body);
const alertOf = async (id: string) => (await call(`/v1/alerts/${id}`, { token: await client.token('workshop') })).body;
const deliveries = async (id: string) =>
  (
    (await call('/dev/webhooks')).body.deliveries as {
      departmentId: string;
      payload: {
        type: string;
        data: { alert: { id: string; score: number; reopened: { score: number; comment: string | null } | null } };
      };
    }[]
  ).filter((d) => d.payload.data.alert.id === id);

beforeAll(async () => {
  stack = await startStackProcess({
    config: (port: number) => {
      const config = baseTestConfig(port);
      config.throttleDays = 0;
      config.reasonWaitMinutes = 0.05;
      config.recovery = { resurveyAfterHours: 0.001 };
      config.departments.find((d: { id: string }) => d.id === 'workshop').slaHours = 0.001;
      return config;
    },
  });
  tokens.cx = (await signIn(stack.url, heads.cx.username, heads.cx.password)).accessToken;
  tokens.workshop = (await signIn(stack.url, heads.workshop.username, heads.workshop.password)).accessToken;
});
afterAll(async () => {
  await stack?.dispose();
});

describe('closing the loop with one detractor', () => {
  it('routes, delivers, escalates, is acknowledged and resolved, re-surveys and counts the recovery', async () => {
    const visit = {
      eventId: `RO-loop-${phone}`,
      occurredAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
      storeId: 'sh-pudong',
      serviceType: 'first_service',
      advisorId: 'A-loop',
      customer: { phone, name: '赵先生' },
      amount: 880,
    };
    expect((await call('/v1/service-events', { token: tokens.ingest, json: visit })).status).toBe(202);
    await waitFor(async () => (await texts()).length === 1, 'the survey text');
    await reply('2');
    await reply('车还是有异响，没修好');

    // Routed by the customer's words (repair quality) to the workshop, and delivered there.
    const alert = await waitFor(
      async () => (await call('/v1/alerts', { token: await client.token('workshop') })).body.alerts[0],
      'the alert',
    );
    expect(alert).toMatchObject({ departmentId: 'workshop', score: 2, categories: ['repair_quality'], status: 'open' });
    await waitFor(async () => (await deliveries(alert.id)).some((d) => d.payload.type === 'alert.raised'), 'the delivery');

    // Nobody acknowledged it within the 3.6 s SLA: escalated, and delivered again.
    await waitFor(async () => (await alertOf(alert.id)).escalated, 'the escalation');
    await waitFor(
      async () => (await deliveries(alert.id)).some((d) => d.payload.type === 'alert.escalated'),
      'the escalation delivery',
    );

    for (const action of ['acknowledge', 'contacted', 'resolved']) {
      const acted = await call(`/v1/alerts/${alert.id}/actions`, {
        token: await client.token('workshop'),
        json: {
          action,
          note: `${action} by the workshop head`,
          ...(action === 'resolved' ? { rootCause: 'repair_quality', resolution: 'redo_repair' } : {}),
        },
      });
      expect(acted.status).toBe(200);
    }
    const resolved = await alertOf(alert.id);
    // Every action names the head who took it, as they signed in.
    expect(resolved.actions.map((a: { action: string; by: { sub: string } }) => `${a.action}/${a.by.sub}`)).toEqual([
      'acknowledge/li.ming',
      'contacted/li.ming',
      'resolved/li.ming',
    ]);

    // The re-survey arrives, the customer is happy now: recovered.
    await waitFor(async () => (await texts()).length === 4, 'the re-survey text');
    expect((await texts())[3]?.body).toContain('您有多大可能向亲友推荐我们');
    await reply('9');
    await reply('修好了，谢谢');
    await waitFor(async () => (await alertOf(alert.id)).recovered === true, 'the recovery');

    const { body: figures } = await call(
      `/v1/closed-loop?from=${visitDay('Asia/Shanghai', -1)}&to=${visitDay('Asia/Shanghai', 1)}&departmentId=workshop`,
      {
        token: await client.token('cx'),
      },
    );
    expect(figures.overall).toMatchObject({
      raised: 1,
      followedUp: 1,
      resolved: 1,
      followUpRate: 100,
      closedLoopRate: 100,
      escalated: 1,
      withinSlaRate: 0,
      recoveryDecided: 1,
      recovered: 1,
      recoveryRate: 100,
    });
    expect(figures.overall.medianMinutesToFirstContact).toEqual(expect.any(Number));

    // The re-survey's answer does not count the visit twice.
    const { body: scores } = await call(
      `/v1/scores?metric=nps&groupBy=advisor&advisorId=A-loop&from=${visitDay()}&to=${visitDay()}&granularity=day`,
      { token: await client.token('cx') },
    );
    expect(scores.buckets[0]).toMatchObject({ responses: 1, detractors: 1 });
  });
});

describe('a detractor whose recovery fails', () => {
  const phone = `136${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const texts = () => client.outbox(phone);
  const reply = (body: string) => client.reply(phone, body);
  const act = async (id: string, action: string) =>
    call(`/v1/alerts/${id}/actions`, {
      token: await client.token('workshop'),
      json: { action, ...(action === 'resolved' ? { rootCause: 'repair_quality', resolution: 'redo_repair' } : {}) },
    });

  it('reopens the case on a detractor re-survey, delivers it again as alert.reopened, escalates it to customer care, and counts it', async () => {
    // Another store than the first flow's, so this case's figures are its own.
    const visit = {
      eventId: `RO-reopen-${phone}`,
      occurredAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
      storeId: 'sh-minhang',
      serviceType: 'first_service',
      advisorId: 'A-reopen',
      customer: { phone, name: '钱女士' },
    };
    expect((await call('/v1/service-events', { token: tokens.ingest, json: visit })).status).toBe(202);
    await waitFor(async () => (await texts()).length === 1, 'the survey text');
    await reply('3');
    await reply('异响没修好');
    const alert = await waitFor(async () => {
      const { body } = await call('/v1/alerts?status=open', { token: await client.token('workshop') });
      return body.alerts.find((a: { storeId: string }) => a.storeId === 'sh-minhang');
    }, 'the alert');
    for (const action of ['acknowledge', 'contacted', 'resolved']) expect((await act(alert.id, action)).status).toBe(200);

    // The re-survey comes, and the customer is still unhappy.
    await waitFor(async () => (await texts()).length === 4, 'the re-survey text');
    await reply('2');
    await reply('还是响，修了两次');
    const reopened = await waitFor(async () => {
      const found = await alertOf(alert.id);
      return found.status === 'reopened' ? found : undefined;
    }, 'the reopening');

    expect(reopened).toMatchObject({
      score: 3,
      comment: '异响没修好',
      recovered: false,
      round: 'reopen-1',
      reopened: { score: 2, comment: '还是响，修了两次' },
      // Its new SLA waits for a response since the reopening (3.6 s here: running or already overdue).
      sla: { respondedAt: null },
    });
    expect(Date.parse(reopened.dueAt)).toBeGreaterThan(Date.parse(reopened.reopened.at));
    expect(reopened.actions.map((a: { action: string; by: { sub: string } }) => `${a.action}/${a.by.sub}`)).toEqual([
      'acknowledge/li.ming',
      'contacted/li.ming',
      'resolved/li.ming',
      'reopened/closedloop',
    ]);
    // Delivered again to the workshop, and to customer care as an escalation: alert.reopened to both.
    const again = await waitFor(async () => {
      const found = (await deliveries(alert.id)).filter((d) => d.payload.type === 'alert.reopened');
      return found.length >= 2 ? found : undefined;
    }, 'the deliveries of the reopened case');
    expect(again.map((d) => d.departmentId).sort()).toEqual(['customer-care', 'workshop']);
    expect(again[0]?.payload.data.alert).toMatchObject({ score: 3, reopened: { score: 2, comment: '还是响，修了两次' } });
    expect((await deliveries(alert.id)).filter((d) => d.payload.type === 'alert.raised')).toHaveLength(1);
    await waitFor(
      async () =>
        (await alertOf(alert.id)).timeline.some(
          (e: { kind: string; departmentId?: string; round?: string }) =>
            e.kind === 'escalated' && e.departmentId === 'customer-care' && e.round === 'reopen-1',
        ),
      'the escalation in the timeline',
    );
    // The re-survey raised no case of its own; the reopened case leads the list and is listed by its status.
    const listed = (await call('/v1/alerts', { token: await client.token('workshop') })).body.alerts;
    expect(listed[0]).toMatchObject({ id: alert.id, status: 'reopened' });
    expect(listed.filter((a: { storeId: string }) => a.storeId === 'sh-minhang')).toHaveLength(1);
    const byStatus = (await call('/v1/alerts?status=reopened', { token: await client.token('workshop') })).body.alerts;
    expect(byStatus.map((a: { id: string }) => a.id)).toEqual([alert.id]);

    // Worked and closed again like any case.
    for (const action of ['acknowledge', 'resolved']) expect((await act(alert.id, action)).status).toBe(200);
    expect(await alertOf(alert.id)).toMatchObject({ status: 'resolved', reopened: { score: 2 } });
    expect((await call('/v1/alerts?status=reopened', { token: await client.token('workshop') })).body.alerts).toEqual([]);

    const { body: figures } = await call(
      `/v1/closed-loop?from=${visitDay('Asia/Shanghai', -1)}&to=${visitDay('Asia/Shanghai', 1)}&departmentId=workshop&storeId=sh-minhang`,
      { token: await client.token('cx') },
    );
    expect(figures.overall).toMatchObject({
      raised: 1,
      resolved: 1,
      recoveryDecided: 1,
      recovered: 0,
      recoveryRate: 0,
      reopened: 1,
      reopenedUnresolved: 0,
      recoveryByCloser: [{ sub: 'li.ming', name: heads.workshop.name, n: 1, recovered: 0, reopened: 1, recoveryRate: 0 }],
    });
  }, 120_000);
});
