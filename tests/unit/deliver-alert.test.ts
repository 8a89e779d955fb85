import { describe, expect, it } from 'vitest';
import type { Channel } from '#shared/config/schema.ts';
import type { Alert } from '#shared/domain/records.ts';
import type { AlertChannelSender } from '#shared/ports.ts';
import { deliverAlert } from '#shared/use-cases/deliver-alert.ts';
import { recordAnswer } from '#shared/use-cases/record-answer.ts';
import { aSurvey, createFakes, type Fakes } from './fakes.ts';

/** Records deliveries; fails the first delivery to each channel type named in `failOnce`. */
class RecordingChannels implements AlertChannelSender {
  readonly delivered: string[] = [];
  constructor(private readonly failOnce = new Set<Channel['type']>()) {}
  async deliver(channel: Channel, _payload: unknown, idempotencyKey: string): Promise<void> {
    if (this.failOnce.delete(channel.type)) throw new Error(`${channel.type} is down`);
    this.delivered.push(idempotencyKey);
  }
}

/** A workshop detractor's alert, raised and delivered once, its escalation due. */
async function alertDueForEscalation(fakes: Fakes): Promise<Alert> {
  const survey = fakes.surveys.seed(
    aSurvey({
      status: 'completed',
      score: 2,
      scoredAt: '2026-11-19T04:00:00.000Z',
      reason: '车还是有异响',
      endedAt: '2026-11-19T04:05:00.000Z',
      timer: { action: 'close', at: '2026-11-19T04:05:00.000Z' },
    }),
  );
  await recordAnswer(fakes, survey.id);
  const [raised] = [...fakes.alerts.alerts.values()];
  if (!raised) throw new Error('no alert raised');
  await deliverAlert(
    { ...fakes, channels: new RecordingChannels(), publicBaseUrl: undefined },
    { alertId: raised.id, round: 'new' },
  );
  const alert = await fakes.alerts.get(raised.id);
  if (alert?.timer?.action !== 'escalate') throw new Error('the delivered alert waits for no escalation');
  return alert;
}

describe('deliverAlert', () => {
  it('reports the channels it reached on a first round, and no escalation', async () => {
    const fakes = createFakes();
    const survey = fakes.surveys.seed(
      aSurvey({
        status: 'completed',
        score: 1,
        scoredAt: '2026-11-19T04:00:00.000Z',
        reason: '太慢了',
        endedAt: '2026-11-19T04:05:00.000Z',
      }),
    );
    await recordAnswer(fakes, survey.id);
    const [alert] = [...fakes.alerts.alerts.values()];
    const channels = new RecordingChannels();

    const outcome = await deliverAlert(
      { ...fakes, channels, publicBaseUrl: undefined },
      { alertId: alert?.id ?? '', round: 'new' },
    );

    expect(outcome).toEqual({ delivered: channels.delivered.length, escalated: false });
    expect(outcome.delivered).toBeGreaterThan(0);
  });

  it('reports an escalation once, even when a failed channel makes the round run again', async () => {
    const fakes = createFakes();
    const alert = await alertDueForEscalation(fakes);
    fakes.clock.set(alert.dueAt);
    const message = { alertId: alert.id, round: 'escalation', at: alert.timer?.at };
    // The escalation reaches the alert's department and the default department (customer-care: webhook + email).
    const channels = new RecordingChannels(new Set(['email']));
    const deps = { ...fakes, channels, publicBaseUrl: undefined };

    await expect(deliverAlert(deps, message)).rejects.toThrow('email is down');
    const retried = await deliverAlert(deps, message);
    const again = await deliverAlert(deps, message);

    expect((await fakes.alerts.get(alert.id))?.escalated).toBe(true);
    expect(retried).toEqual({ delivered: 1, escalated: false });
    expect(again).toEqual({ delivered: 0, escalated: false });
    expect(channels.delivered.filter((key) => key.includes(':escalation:'))).toHaveLength(3);
  });

  it('reports the escalation on the round that flags the alert', async () => {
    const fakes = createFakes();
    const alert = await alertDueForEscalation(fakes);
    fakes.clock.set(alert.dueAt);

    const outcome = await deliverAlert(
      { ...fakes, channels: new RecordingChannels(), publicBaseUrl: undefined },
      { alertId: alert.id, round: 'escalation', at: alert.timer?.at },
    );

    expect(outcome).toEqual({ delivered: 3, escalated: true });
  });
});
