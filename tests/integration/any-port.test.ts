/**
 * The shipped config/local.json, unchanged, on a port other than 3000 (`PORT=3456 npm start`):
 * its webhooks are relative to the stack, so a detractor's alert reaches the stack's own
 * receiver at /dev/webhooks on whatever port it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StackProcess, shippedConfig, startStackProcess } from '#local/stack-process.ts';
import { stackClient, visit, waitFor } from './helpers.ts';

/** A fixed-offset zone where it is midday now, so the shipped quiet hours never hold the text back. */
function middayZone(): string {
  const offset = 12 - new Date().getUTCHours();
  // Etc/GMT zones count the other way round: Etc/GMT-8 is UTC+8.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

let stack: StackProcess;
let client: ReturnType<typeof stackClient>;

beforeAll(async () => {
  stack = await startStackProcess({ config: shippedConfig(), tempPrefix: 'closedloop-any-port-' });
  client = stackClient(stack);
}, 120_000);
afterAll(async () => {
  await stack?.dispose();
});

describe('the shipped config on any port', () => {
  it('delivers a detractor alert to the stack’s own /dev/webhooks receiver', async () => {
    expect(stack.port).not.toBe(3000);

    // Three hours ago: past the shipped plans' 120-minute delay, so the text goes out at once.
    const body = visit({}, { timezone: middayZone() });
    await client.postVisit(body);
    const phone = body.customer.phone;
    await client.waitForTexts(phone, 1, 60_000);
    await client.reply(phone, '2');
    const comment = `等了三个小时，车还没修好 (${body.eventId})`;
    await client.reply(phone, comment);

    const delivery = await waitFor(
      async () => {
        const { body } = await client.api('/dev/webhooks');
        return (body.deliveries as { departmentId: string; payload: { data: { alert: { comment: string | null } } } }[]).find(
          (d) => d.payload.data.alert.comment === comment && d.departmentId === 'service-advisors',
        );
      },
      "the alert's signed delivery to service advisors, routed by the waiting in the comment",
      60_000,
    );
    expect(delivery.payload.data.alert.comment).toBe(comment);
  }, 120_000);
});
