import { describe, expect, it } from 'vitest';
import { answeredSurvey, api, tokens, waitFor } from './helpers.ts';

type OutboxEmail = { id: string; to: string[]; from: string; subject: string; text: string; html: string; sentAt: string };
const emailsOf = async (alertId: string): Promise<OutboxEmail[]> =>
  (await api('/dev/email/outbox?to=kefu@example.com')).body.messages.filter((m: OutboxEmail) => m.id.startsWith(`${alertId}:`));

describe('email alert channel', () => {
  it("puts a customer-care alert, and then its escalation, in the department's email outbox", async () => {
    // No routing rule matches this comment: the alert goes to customer care (webhook + email).
    const { phone, surveyId } = await answeredSurvey('2', 'meh, not great', { advisorId: 'A-mail-1' });
    const alert = await waitFor(async () => {
      const { body } = await api('/v1/alerts?departmentId=customer-care', { token: tokens.cx });
      return body.alerts.find((a: { surveyId: string }) => a.surveyId === surveyId);
    }, 'the alert');

    // Customer care's test SLA is seconds long, so the escalation round follows.
    const emails = await waitFor(async () => {
      const found = await emailsOf(alert.id);
      return found.length >= 2 ? found : undefined;
    }, 'two emails');

    const [raised, escalated] = emails;
    expect(raised).toMatchObject({
      to: ['kefu@example.com'],
      from: 'alerts@example.com',
      subject: '新的差评预警 · 浦东服务中心',
    });
    expect(raised?.text).toContain('评分: NPS 2/10');
    expect(raised?.text).toContain('meh, not great');
    // The link opens the case page (through sign-in), not the JSON route.
    expect(raised?.text).toContain(`https://closedloop.example.com/inbox/alerts/${alert.id}`);
    expect(raised?.html).toContain(`<a href="https://closedloop.example.com/inbox/alerts/${alert.id}">`);
    expect(escalated?.subject).toBe('差评预警升级：超时未确认 · 浦东服务中心');
    for (const email of emails) {
      expect(email.text).toContain(`+86 ${phone.slice(0, 3)}****${phone.slice(-4)}`);
      expect(`${email.text}${email.html}`).not.toContain(phone);
    }
  });

  it('filters the outbox by recipient', async () => {
    const { body } = await api('/dev/email/outbox?to=nobody@example.com');

    expect(body).toEqual({ messages: [] });
  });
});
