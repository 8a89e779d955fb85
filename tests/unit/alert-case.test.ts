import { describe, expect, it } from 'vitest';
import { VaultCustomerContact } from '#shared/adapters/contact/vault-contact.ts';
import type { Alert } from '#shared/domain/records.ts';
import { ConflictError, ForbiddenError, ValidationError } from '#shared/errors.ts';
import { classifierPrecision, closedLoopMetrics } from '#shared/use-cases/closed-loop-metrics.ts';
import type { Identity } from '#shared/use-cases/identity.ts';
import { actOnAlert, getAlert } from '#shared/use-cases/manage-alerts.ts';
import { recordAnswer } from '#shared/use-cases/record-answer.ts';
import { reopenCase } from '#shared/use-cases/recovery.ts';
import { revealContact } from '#shared/use-cases/reveal-contact.ts';
import { aSurvey, createFakes, type Fakes, fakeVault } from './fakes.ts';

const PHONE = '+8613900139000';
const workshopHead: Identity = { role: 'department', departmentId: 'workshop', sub: 'li.ming', name: '李明' };
const advisorsHead: Identity = { role: 'department', departmentId: 'service-advisors', sub: 'wang.fang', name: '王芳' };

/** A detractor who complained about a repair (the workshop's alert), with an earlier survey from the same phone. */
async function workshopCase(fakes: Fakes) {
  fakes.surveys.seed(
    aSurvey({
      id: 'sv_earlier',
      phone: PHONE,
      status: 'completed',
      score: 9,
      visitDate: '2026-06-01',
      createdAt: '2026-06-01T02:00:00.000Z',
    }),
  );
  fakes.surveys.seed(
    aSurvey({
      id: 'sv_case',
      phone: PHONE,
      status: 'completed',
      score: 2,
      reason: '车修完还是有异响，返修两次了',
      scoredAt: '2026-11-19T04:00:00.000Z',
      endedAt: '2026-11-19T04:05:00.000Z',
      amount: 1200.5,
      currency: 'CNY',
      timer: undefined,
    }),
  );
  await recordAnswer(fakes, 'sv_case');
  const alert = [...fakes.alerts.alerts.values()].find((a) => a.departmentId === 'workshop');
  if (!alert) throw new Error('no workshop alert');
  return alert as Alert;
}

const contactDeps = (fakes: Fakes) => ({
  ...fakes,
  contact: new VaultCustomerContact(fakes.surveys, fakes.retention, fakeVault),
});

describe('revealContact', () => {
  it("answers the customer's full number and records who asked, without changing the status", async () => {
    const fakes = createFakes();
    const alert = await workshopCase(fakes);
    expect(await revealContact(contactDeps(fakes), workshopHead, alert.id)).toEqual({ phone: PHONE });
    const stored = await fakes.alerts.get(alert.id);
    expect(stored?.status).toBe('open');
    expect(stored?.actions).toEqual([
      { action: 'phone_revealed', at: fakes.clock.now().toISOString(), by: { sub: 'li.ming', name: '李明' } },
    ]);
    expect(JSON.stringify(stored)).not.toContain(PHONE);
  });

  it("refuses another department's head and records nothing", async () => {
    const fakes = createFakes();
    const alert = await workshopCase(fakes);
    await expect(revealContact(contactDeps(fakes), advisorsHead, alert.id)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await fakes.alerts.get(alert.id))?.actions).toEqual([]);
  });
});

describe('resolving an alert', () => {
  it('needs a configured root cause and resolution, naming each bad field, and writes nothing', async () => {
    const fakes = createFakes();
    const alert = await workshopCase(fakes);
    const refused = actOnAlert(fakes, workshopHead, alert.id, { action: 'resolved', rootCause: 'weather' });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ fields: { rootCause: expect.any(String), resolution: expect.any(String) } });
    expect((await fakes.alerts.get(alert.id))?.status).toBe('open');
  });

  it("keeps the root cause and resolution on the alert and its action, and whether the classifier's category held", async () => {
    const fakes = createFakes();
    const alert = await workshopCase(fakes);
    expect(alert.categories).toContain('repair_quality');
    await actOnAlert(fakes, workshopHead, alert.id, {
      action: 'resolved',
      rootCause: 'repair_quality',
      resolution: 'redo_repair',
    });
    const stored = await fakes.alerts.get(alert.id);
    expect(stored).toMatchObject({
      status: 'resolved',
      rootCause: 'repair_quality',
      resolution: 'redo_repair',
      rootCauseConfirmed: true,
    });
    expect(stored?.actions.at(-1)).toMatchObject({ action: 'resolved', rootCause: 'repair_quality', resolution: 'redo_repair' });
  });
});

describe('getAlert (the case)', () => {
  it('adds the visit, the customer’s other surveys, the SLA clock and the timeline with each person’s name', async () => {
    const fakes = createFakes();
    const alert = await workshopCase(fakes);
    await fakes.alerts.markDelivered(alert.id, 'new:workshop:0', '2026-11-20T02:00:01.000Z');
    fakes.clock.advance(60_000);
    await actOnAlert(fakes, workshopHead, alert.id, { action: 'acknowledge', note: '今天下午回电' });
    const found = await getAlert(fakes, workshopHead, alert.id);
    expect(found.visit).toMatchObject({
      storeId: 'sh-pudong',
      advisorId: 'A-17',
      serviceType: 'first_service',
      amount: 1200.5,
      currency: 'CNY',
    });
    expect(found.history.map((s) => s.surveyId)).toEqual(['sv_earlier']);
    expect(found.sla).toMatchObject({ dueAt: alert.dueAt, state: 'met' });
    expect(found.timeline.map((e) => e.kind)).toEqual(['raised', 'delivered', 'action']);
    expect(found.timeline[2]).toMatchObject({ action: 'acknowledge', by: { name: '李明' }, note: '今天下午回电' });
    expect(JSON.stringify(found)).not.toContain(PHONE);
  });
});

describe('a reopened case', () => {
  /** The workshop case, resolved, then reopened by the customer's re-survey (NPS 3) an hour later. */
  async function reopenedCase(fakes: Fakes) {
    const alert = await workshopCase(fakes);
    await actOnAlert(fakes, workshopHead, alert.id, {
      action: 'resolved',
      rootCause: 'repair_quality',
      resolution: 'redo_repair',
    });
    fakes.clock.advance(3_600_000);
    const resolved = await fakes.alerts.get(alert.id);
    if (!resolved) throw new Error('no alert');
    const answer = aSurvey({ id: 'sv_re', phone: PHONE, status: 'completed', score: 3, reason: '还是响', recoveryOf: 'sv_case' });
    await reopenCase(fakes, resolved, { ...answer, score: 3 });
    return resolved;
  }

  it('runs a new SLA clock from its reopening: nobody has responded to it yet', async () => {
    const fakes = createFakes();
    const alert = await reopenedCase(fakes);
    const found = await getAlert(fakes, workshopHead, alert.id);

    expect(found).toMatchObject({ status: 'reopened', reopened: { score: 3, comment: '还是响' } });
    expect(found.sla).toMatchObject({ state: 'running', respondedAt: null, minutesLeft: 24 * 60 });
    expect(found.timeline.at(-1)).toMatchObject({ kind: 'action', action: 'reopened', by: { name: 'ClosedLoop' } });
  });

  it('takes the actions a new case takes: unreachable, then a reassignment, delivered anew to the other department', async () => {
    const fakes = createFakes();
    const alert = await reopenedCase(fakes);

    expect((await actOnAlert(fakes, workshopHead, alert.id, { action: 'unreachable' })).status).toBe('unreachable');
    const reassigned = await actOnAlert(fakes, workshopHead, alert.id, {
      action: 'reassign',
      departmentId: 'service-advisors',
    });

    expect(reassigned).toMatchObject({ status: 'open', departmentId: 'service-advisors', round: 'reassign-1' });
    expect(fakes.queues.alertDeliveries.at(-1)).toMatchObject({ departmentId: 'service-advisors' });
  });

  it('is acknowledged from reopened, and refuses to be acknowledged twice', async () => {
    const fakes = createFakes();
    const alert = await reopenedCase(fakes);

    expect((await actOnAlert(fakes, workshopHead, alert.id, { action: 'acknowledge' })).status).toBe('acknowledged');
    await expect(actOnAlert(fakes, workshopHead, alert.id, { action: 'acknowledge' })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('closedLoopMetrics', () => {
  it("counts closures by root cause and resolution, and the classifier's precision per category", async () => {
    const fakes = createFakes();
    const alert = await workshopCase(fakes);
    await actOnAlert(fakes, workshopHead, alert.id, { action: 'resolved', rootCause: 'parts', resolution: 'apology' });
    const day = fakes.clock.now().toISOString().slice(0, 10);
    const figures = await closedLoopMetrics(
      fakes,
      { role: 'cx', sub: 'c', name: 'c' },
      {
        from: day,
        to: day,
        groupBy: 'department',
        granularity: 'none',
      },
    );
    const workshop = figures.groups.find((g) => g.group === 'workshop');
    expect(workshop?.closures).toEqual({ byRootCause: { parts: 1 }, byResolution: { apology: 1 } });
    expect(figures.classifier.byCategory.find((c) => c.category === 'repair_quality')).toEqual({
      category: 'repair_quality',
      classified: 1,
      confirmed: 0,
      precision: 0,
    });
  });

  it('measures nothing before a head has judged', () => {
    expect(classifierPrecision([])).toEqual({ judged: 0, confirmedRate: null, byCategory: [] });
  });
});
