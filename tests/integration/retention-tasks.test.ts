/**
 * At-risk customers through the local runtime, on a stack of its own (so the closed-loop
 * figures are exactly this file's): a seeded visit history in which two loyal customers went
 * quiet 200 days ago and one occasional customer did too. The sweeper fires the loyal ones'
 * timers, each raises one retention task for customer care, delivered to its webhook; the head
 * calls, closes one as booked, and both customers come back, one before anyone called.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseTestConfig, type StackProcess, startStackProcess } from '#local/stack-process.ts';
import { newPhone, stackClient, visit, waitFor } from './helpers.ts';

const DAY = 86_400_000;
let stack: StackProcess;
let client: ReturnType<typeof stackClient>;

beforeAll(async () => {
  stack = await startStackProcess({ config: baseTestConfig, tempPrefix: 'closedloop-retention-tasks-' });
  client = stackClient(stack);
}, 120_000);
afterAll(async () => {
  await stack?.dispose();
});

const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
/** Visits `daysAgo` apart in the past, at 2,000 each: three of them make a loyal customer (F3, M3). */
async function history(phone: string, name: string, daysAgo: number[], amount = 2000) {
  for (const days of daysAgo) {
    const body = visit({ storeId: 'sh-minhang', serviceType: 'maintenance', occurredAt: ago(days), amount }, { phone, name });
    expect((await client.postVisit(body)).status).toBe(202);
  }
}

type Task = {
  id: string;
  kind: string;
  status: string;
  customerName: string;
  outcome?: string;
  retention: { visits: number; spend: number; daysSinceVisit: number; wonBackAt?: string };
};
const tasksOf = async (name: string): Promise<Task[]> => {
  const { body } = await client.api('/v1/alerts?kind=retention&limit=200', { token: await client.token('care') });
  return (body.alerts as Task[]).filter((a) => a.customerName === name);
};

describe('at-risk customers, worked like alerts', () => {
  const loyal = { phone: newPhone(), name: '钱先生' };
  const comingBack = { phone: newPhone(), name: '孙女士' };
  const occasional = { phone: newPhone(), name: '李先生' };
  let task: Task;

  beforeAll(async () => {
    await history(loyal.phone, loyal.name, [420, 300, 200]);
    await history(comingBack.phone, comingBack.name, [400, 320, 200]);
    await history(occasional.phone, occasional.name, [420, 300, 200], 300);
  }, 60_000);

  it('raises one task for each loyal customer gone quiet, delivered to customer care, none for the occasional one', async () => {
    const [raised] = await waitFor(async () => {
      const found = await tasksOf(loyal.name);
      return found.length ? found : undefined;
    }, "the loyal customer's retention task").catch(async (e) => {
      const items = (await client.scanTable('closedloop-main')).filter((i) => String(i.pk).startsWith('CUSTOMER#'));
      console.log(JSON.stringify(items, (_k, v) => (v instanceof Set ? [...v] : v), 1).slice(0, 3000));
      console.log(
        stack
          .output()
          .split('\n')
          .filter((l) => /error|warn/i.test(l))
          .slice(-20)
          .join('\n'),
      );
      throw e;
    });
    task = raised as Task;
    expect(task).toMatchObject({
      kind: 'retention',
      status: 'open',
      departmentId: 'customer-care',
      storeId: 'sh-minhang',
      retention: { visits: 3, spend: 6000, daysSinceVisit: 200 },
    });
    expect(task).not.toHaveProperty('score');
    expect(JSON.stringify(task)).not.toContain('phoneHash');
    // 72 hours from when it was raised, not customer care's 4-hour SLA for detractors.
    const { createdAt, dueAt } = task as unknown as { createdAt: string; dueAt: string };
    expect(Date.parse(dueAt) - Date.parse(createdAt)).toBe(72 * 3_600_000);

    const delivery = await waitFor(async () => {
      const { body } = await client.api('/dev/webhooks');
      return (body.deliveries as { departmentId: string; payload: { type: string; data: { alert: { id: string } } } }[]).find(
        (d) => d.payload.data.alert.id === task.id,
      );
    }, "the task's signed delivery");
    expect(delivery.departmentId).toBe('customer-care');
    expect(delivery.payload.type).toBe('retention.raised');
    expect(delivery.payload.data).toMatchObject({
      alert: { kind: 'retention', score: null, surveyType: null, retention: { visits: 3, spend: 6000, daysSinceVisit: 200 } },
      links: { view: expect.stringContaining(`/inbox/alerts/${task.id}`) },
    });

    await waitFor(async () => ((await tasksOf(comingBack.name)).length === 1 ? true : undefined), 'the second task');
    // A few more sweeps: still one task each, none for a customer who was never loyal.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await tasksOf(loyal.name)).toHaveLength(1);
    expect(await tasksOf(occasional.name)).toEqual([]);
  });

  it('lets the head of customer care call the customer and close the task as booked; a closed task needs its outcome', async () => {
    const token = await client.token('care');
    const contact = await client.api(`/v1/alerts/${task.id}/contact`, { token, method: 'POST' });
    expect(contact.status).toBe(200);
    expect(contact.body.phone).toBe(`+86${loyal.phone}`);

    const bare = await client.api(`/v1/alerts/${task.id}/actions`, { token, json: { action: 'resolved' } });
    expect(bare.status).toBe(400);
    expect(bare.body.error.fields).toHaveProperty('outcome');

    const booked = await client.api(`/v1/alerts/${task.id}/actions`, {
      token,
      json: { action: 'resolved', outcome: 'booked', note: '约了周六来保养' },
    });
    expect(booked.status).toBe(200);
    expect(booked.body).toMatchObject({ status: 'resolved', outcome: 'booked' });
    expect(booked.body.timeline.map((e: { action?: string }) => e.action).filter(Boolean)).toEqual([
      'phone_revealed',
      'resolved',
    ]);
  });

  it('counts both customers won back when they visit, and reports the tasks apart in GET /v1/closed-loop', async () => {
    // Visits that took place after the tasks were raised (now).
    await history(loyal.phone, loyal.name, [0]);
    await history(comingBack.phone, comingBack.name, [0]);
    const [back] = await waitFor(async () => {
      const found = await tasksOf(comingBack.name);
      return found[0]?.status === 'resolved' ? found : undefined;
    }, 'the returning customer’s task closed');
    expect(back).toMatchObject({ outcome: 'returned', retention: { wonBackAt: expect.any(String) } });
    const [booked] = await tasksOf(loyal.name);
    expect(booked).toMatchObject({ outcome: 'booked', retention: { wonBackAt: expect.any(String) } });

    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const { body } = await client.api(`/v1/closed-loop?from=${today}&to=${today}&groupBy=none`, {
      token: await client.cxToken(),
    });
    expect(body.overall.raised).toBe(0);
    expect(body.overall.retentionTasks).toEqual({
      raised: 2,
      open: 0,
      escalated: 0,
      contactedWithinSla: 1,
      contactedWithinSlaRate: 50,
      closed: 2,
      byOutcome: { booked: 1, returned: 1 },
      wonBack: 2,
      wonBackRate: 100,
    });
  });
});
