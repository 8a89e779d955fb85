import { describe, expect, it } from 'vitest';
import { answeredSurvey, api, tokens, waitFor } from './helpers.ts';

type Delivery = { departmentId: string; payload: { type: string; data: { alert: { id: string; escalated: boolean } } } };
const deliveriesOf = async (alertId: string): Promise<Delivery[]> =>
  (await api('/dev/webhooks')).body.deliveries.filter((d: Delivery) => d.payload.data.alert.id === alertId);

describe('SLA escalation', () => {
  it('escalates an alert nobody acknowledged by its due time: flagged, and delivered a second time', async () => {
    // No routing rule matches this comment, so it goes to customer care, whose test SLA is 3.6 s.
    const { surveyId } = await answeredSurvey('4', 'meh', { advisorId: 'A-esc-1' });
    const alert = await waitFor(async () => {
      const { body } = await api('/v1/alerts?departmentId=customer-care', { token: tokens.cx });
      return body.alerts.find((a: { surveyId: string }) => a.surveyId === surveyId);
    }, 'the alert');

    const escalated = await waitFor(async () => {
      const { body } = await api(`/v1/alerts/${alert.id}`, { token: tokens.care });
      return body.escalated ? body : undefined;
    }, 'the escalation');
    expect(escalated.status).toBe('open');

    const deliveries = await waitFor(async () => {
      const found = await deliveriesOf(alert.id);
      return found.length >= 2 ? found : undefined;
    }, 'two deliveries');
    expect(deliveries.map((d) => d.payload.type)).toEqual(['alert.raised', 'alert.escalated']);
    expect(deliveries[1]?.payload.data.alert.escalated).toBe(true);
  });

  it('does not escalate an alert acknowledged in time', async () => {
    const { surveyId } = await answeredSurvey('3', 'so-so overall', { advisorId: 'A-esc-2' });
    const alert = await waitFor(async () => {
      const { body } = await api('/v1/alerts?departmentId=customer-care', { token: tokens.cx });
      return body.alerts.find((a: { surveyId: string }) => a.surveyId === surveyId);
    }, 'the alert');
    const acknowledged = await api(`/v1/alerts/${alert.id}/actions`, { token: tokens.care, json: { action: 'acknowledge' } });
    expect(acknowledged.status).toBe(200);

    await new Promise((r) => setTimeout(r, 6000));
    expect((await api(`/v1/alerts/${alert.id}`, { token: tokens.care })).body.escalated).toBe(false);
    expect((await deliveriesOf(alert.id)).map((d) => d.payload.type)).toEqual(['alert.raised']);
  });
});
