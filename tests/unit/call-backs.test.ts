import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { rollupFactsOf, type StreamChange } from '#shared/adapters/dynamodb/rollup-facts.ts';
import type { Survey } from '#shared/domain/records.ts';
import { callbackDepartmentOf } from '#shared/domain/call-tasks.ts';
import { rollupIncrementsOf } from '#shared/domain/rollups.ts';
import type { Identity } from '#shared/use-cases/identity.ts';
import {
  callOutcomeSchema,
  callTaskIdFor,
  getCallTask,
  listCallTasks,
  listCallTasksQuerySchema,
  openCallTask,
  recordCallOutcome,
  revealCallContact,
} from '#shared/use-cases/call-backs.ts';
import { withdrawCallTask } from '#shared/use-cases/open-call-task.ts';
import { aggregateRollups } from '#shared/use-cases/aggregate-rollups.ts';
import { integrityQuerySchema, queryIntegrity } from '#shared/use-cases/query-integrity.ts';
import { alertIdFor, recordAnswer } from '#shared/use-cases/record-answer.ts';
import { runSurveyTimer } from '#shared/use-cases/run-survey-timer.ts';
import type { ContactSubject } from '#shared/ports.ts';
import { aResponse, aSurvey, configWith, createFakes, type Fakes, fakeVault, localConfig } from './fakes.ts';

const NOW = '2026-11-20T02:00:00.000Z';
const caller: Identity = { role: 'department', departmentId: 'customer-care', sub: 'zhou.min', name: '周敏' };
const cx: Identity = { role: 'cx', sub: 'chen.cx', name: '陈静' };
const workshop: Identity = { role: 'department', departmentId: 'workshop', sub: 'li.ming', name: '李明' };

/** The shipped config, the given store reaching its customers by call-back (then SMS). */
const callFirst = (overrides: Record<string, unknown> = {}, reach = ['call', 'sms']) => {
  const base = localConfig();
  return configWith({ stores: base.stores.map((s) => (s.id === 'sh-pudong' ? { ...s, reach } : s)), ...overrides });
};

/** Runs the survey's send timer as the survey-dispatch consumer does, `call` wired to openCallTask. */
const send = (fakes: Fakes, survey: Survey) =>
  runSurveyTimer(
    { ...fakes, dispatch: { call: (s) => openCallTask(fakes, s) } },
    { surveyId: survey.id, action: 'send', at: NOW },
  );

/** A survey of a call-first store, sent now: its task opened. */
async function arrange(overrides: Partial<Survey> = {}, config = callFirst()) {
  const fakes = createFakes({ config, now: NOW });
  const survey = fakes.surveys.seed(
    aSurvey({ status: 'scheduled', sentAt: undefined, timer: { action: 'send', at: NOW }, ...overrides }),
  );
  const contact = {
    revealed: [] as ContactSubject[],
    async reveal(subject: ContactSubject) {
      this.revealed.push(subject);
      const cipher = subject.surveyId ? (await fakes.surveys.get(subject.surveyId))?.phoneCipher : undefined;
      return { phone: fakeVault.decrypt(cipher ?? '') };
    },
  };
  expect(await send(fakes, survey)).toBe('sent');
  const taskId = callTaskIdFor(survey.id);
  return { fakes, survey, taskId, deps: { ...fakes, contact } };
}

const outcome = (body: Record<string, unknown>) => callOutcomeSchema.parse(body);

describe('openCallTask', () => {
  it("makes the survey a task of the call-back department, due within its SLA, with the visit and the customer's script", async () => {
    const { fakes, survey, taskId } = await arrange();

    const task = await getCallTask(fakes, caller, taskId);

    expect(task).toMatchObject({
      id: callTaskIdFor(survey.id),
      surveyId: survey.id,
      departmentId: 'customer-care',
      status: 'open',
      storeId: 'sh-pudong',
      dueAt: '2026-11-23T02:00:00.000Z',
      attempts: 0,
      maxAttempts: 3,
      phoneMasked: '+86 138****8000',
      visit: { date: '2026-11-19', serviceType: 'first_service', advisorId: 'A-17' },
      script: {
        locale: 'zh-CN',
        question: '您有多大可能向亲友推荐我们？',
        scale: { min: 0, max: 10, low: '完全不可能', high: '非常可能' },
      },
    });
    expect(task.script.opening).toContain('王先生');
    expect(JSON.stringify(task)).not.toContain('13800138000');
    // The survey waits for the call, not yet sent (the first call sends it), until the SLA and the expiry after it.
    expect(await fakes.surveys.get(survey.id)).toMatchObject({
      status: 'awaiting_score',
      reach: 'call',
      sentAt: undefined,
      timer: { action: 'expire', at: '2026-11-26T02:00:00.000Z' },
    });
    expect(fakes.sms.sent).toEqual([]);
  });

  it('reads the script in English for an English-speaking customer, with a CSAT survey’s own scale', async () => {
    const { fakes, taskId } = await arrange({ locale: 'en', surveyType: 'csat', customerName: 'Ms Tan' });

    const { script } = await getCallTask(fakes, cx, taskId);

    expect(script).toMatchObject({ question: 'How satisfied were you with your service?', scale: { min: 1, max: 5 } });
    expect(script.opening).toContain('Ms Tan');
  });

  it('opens one task per survey however often it runs, and takes the department and SLA from `callbacks`', async () => {
    const config = callFirst({ callbacks: { departmentId: 'service-advisors', slaHours: 24, attempts: 2 } });
    const { fakes, survey, taskId } = await arrange({}, config);

    expect(await openCallTask(fakes, { ...survey, status: 'awaiting_score', timer: undefined })).toBe('sent');
    expect(fakes.calls.tasks.size).toBe(1);
    expect(fakes.calls.tasks.get(taskId)).toMatchObject({ departmentId: 'service-advisors', dueAt: '2026-11-21T02:00:00.000Z' });
  });

  it('is the one fallback of a survey that expired unanswered on its text', async () => {
    const fakes = createFakes({ config: callFirst({}, ['sms', 'call']), now: NOW });
    const survey = fakes.surveys.seed(aSurvey({ timer: { action: 'expire', at: NOW }, reach: 'sms' }));
    const deps = { ...fakes, dispatch: { call: (s: Survey) => openCallTask(fakes, s) } };

    await runSurveyTimer(deps, { surveyId: survey.id, action: 'expire', at: NOW });
    expect(await runSurveyTimer(deps, { surveyId: survey.id, action: 'send', at: NOW })).toBe('sent');

    expect(fakes.calls.tasks.get(callTaskIdFor(survey.id))).toMatchObject({ status: 'open', surveyId: survey.id });
    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'awaiting_score', reach: 'call', movedFrom: 'sms' });
  });
});

describe('listCallTasks', () => {
  it('lists open tasks due first, narrowed to a store, for the call-back department and cx only', async () => {
    const fakes = createFakes({ now: NOW });
    for (const [id, storeId, minutes] of [
      ['sv_late', 'sh-pudong', 30],
      ['sv_soon', 'sh-pudong', 0],
      ['sv_other', 'sh-minhang', 10],
    ] as const) {
      fakes.clock.set(new Date(Date.parse(NOW) + minutes * 60_000).toISOString());
      await openCallTask(fakes, fakes.surveys.seed(aSurvey({ id, eventId: id, storeId })));
    }
    const query = (q: Record<string, string>) => listCallTasksQuerySchema.parse(q);

    const open = await listCallTasks(fakes, caller, query({}));
    const pudong = await listCallTasks(fakes, cx, query({ storeId: 'sh-pudong' }));

    expect(open.callbacks.map((t) => t.surveyId)).toEqual(['sv_soon', 'sv_other', 'sv_late']);
    expect(pudong.callbacks.map((t) => t.surveyId)).toEqual(['sv_soon', 'sv_late']);
    expect((await listCallTasks(fakes, caller, query({ status: 'done' }))).callbacks).toEqual([]);
    await expect(listCallTasks(fakes, workshop, query({}))).rejects.toMatchObject({ status: 403 });
    await expect(listCallTasks(fakes, cx, query({ storeId: 'nowhere' }))).rejects.toMatchObject({ status: 400 });
  });
});

describe('revealCallContact', () => {
  it("gives the caller the customer's number and records who asked and when", async () => {
    const { deps, taskId, fakes } = await arrange();

    const { phone } = await revealCallContact(deps, caller, taskId);

    expect(phone).toBe('+8613800138000');
    expect(fakes.calls.tasks.get(taskId)?.log).toEqual([
      { action: 'phone_revealed', at: NOW, by: { sub: 'zhou.min', name: '周敏' } },
    ]);
    await expect(revealCallContact(deps, workshop, taskId)).rejects.toMatchObject({ status: 403 });
    expect(deps.contact.revealed).toHaveLength(1);
  });
});

describe('recordCallOutcome', () => {
  it("completes the survey with the caller's answer on channel call, and the scorer raises the detractor's alert", async () => {
    const { fakes, survey, taskId } = await arrange();
    fakes.clock.set('2026-11-20T05:00:00.000Z');

    const task = await recordCallOutcome(fakes, caller, taskId, outcome({ outcome: 'answered', score: 4, comment: '等太久了' }));

    expect(task).toMatchObject({ status: 'done', outcome: 'answered', score: 4, comment: '等太久了', attempts: 1 });
    expect(await fakes.surveys.get(survey.id)).toMatchObject({
      status: 'completed',
      score: 4,
      reason: '等太久了',
      channel: 'call',
      caller: { sub: 'zhou.min', name: '周敏' },
      // Sent when the call was made, not when the task opened: the funnel's response rate is of calls made.
      sentAt: '2026-11-20T05:00:00.000Z',
    });
    expect(fakes.queues.responseUpdates).toEqual([survey.id]);

    const scored = await recordAnswer(fakes, survey.id);

    expect(scored).toEqual({ recorded: true, alerts: 1 });
    expect(fakes.responses.responses.get(survey.id)).toMatchObject({
      score: 4,
      channel: 'call',
      caller: { sub: 'zhou.min', name: '周敏' },
      comment: '等太久了',
    });
    expect(fakes.alerts.alerts.get(alertIdFor(survey.id, 'service-advisors'))).toMatchObject({ score: 4, comment: '等太久了' });
  });

  it('refuses an answered call without a score, or with a score off the survey’s scale, and records nothing', async () => {
    const { fakes, survey, taskId } = await arrange({ surveyType: 'csat' });

    await expect(recordCallOutcome(fakes, caller, taskId, outcome({ outcome: 'answered' }))).rejects.toMatchObject({
      status: 400,
      fields: { score: 'required: 1 to 5' },
    });
    await expect(recordCallOutcome(fakes, caller, taskId, outcome({ outcome: 'answered', score: 9 }))).rejects.toMatchObject({
      status: 400,
      fields: { score: '1 to 5' },
    });
    await expect(recordCallOutcome(fakes, caller, taskId, outcome({ outcome: 'refused', score: 3 }))).rejects.toMatchObject({
      status: 400,
    });
    expect(fakes.calls.tasks.get(taskId)).toMatchObject({ status: 'open', attempts: 0, log: [] });
    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'awaiting_score' });
    expect(fakes.queues.responseUpdates).toEqual([]);
  });

  it('answers 409 to a second outcome for a finished task', async () => {
    const { fakes, taskId } = await arrange();
    await recordCallOutcome(fakes, caller, taskId, outcome({ outcome: 'answered', score: 9 }));

    await expect(recordCallOutcome(fakes, cx, taskId, outcome({ outcome: 'refused' }))).rejects.toMatchObject({ status: 409 });
    expect(fakes.calls.tasks.get(taskId)?.log).toHaveLength(1);
  });

  it('closes a task whose survey ended without the call, answering 409: opted out, or answered by text', async () => {
    const optedOut = await arrange();
    await optedOut.fakes.surveys.setOptOut(optedOut.survey.phoneHash, true, NOW);
    await expect(revealCallContact(optedOut.deps, caller, optedOut.taskId)).rejects.toMatchObject({ status: 409 });
    expect(optedOut.deps.contact.revealed).toHaveLength(0);
    expect(optedOut.fakes.calls.tasks.get(optedOut.taskId)?.status).toBe('done');

    const answered = await arrange();
    await answered.fakes.surveys.update(answered.survey.id, { status: 'completed', score: 8 }, {});
    await expect(
      recordCallOutcome(answered.fakes, caller, answered.taskId, outcome({ outcome: 'answered', score: 2 })),
    ).rejects.toMatchObject({ status: 409 });
    expect(answered.fakes.calls.tasks.get(answered.taskId)).toMatchObject({ status: 'done', log: [] });
    expect((await answered.fakes.surveys.get(answered.survey.id))?.score).toBe(8);
  });

  it('keeps a task not reached open to try again later, and closes it after the last attempt, the survey moved to its text', async () => {
    const { fakes, survey, taskId } = await arrange();
    const notReached = () => recordCallOutcome(fakes, caller, taskId, outcome({ outcome: 'not_reachable', note: '无人接听' }));

    expect(await notReached()).toMatchObject({ status: 'open', attempts: 1, retryAt: '2026-11-20T04:00:00.000Z' });
    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'awaiting_score' });
    fakes.clock.set('2026-11-20T04:00:00.000Z');
    expect(await notReached()).toMatchObject({ status: 'open', attempts: 2 });
    fakes.clock.set('2026-11-21T01:00:00.000Z');
    const last = await notReached();

    expect(last).toMatchObject({ status: 'done', outcome: 'not_reachable', attempts: 3, closedAt: '2026-11-21T01:00:00.000Z' });
    expect(last.retryAt).toBeUndefined();
    expect(last.log.map((e) => e.note)).toEqual(['无人接听', '无人接听', '无人接听']);
    // Sent by the first call; then, never reached, on to the store's next channel once: a text.
    expect(await fakes.surveys.get(survey.id)).toMatchObject({
      status: 'scheduled',
      reach: 'sms',
      movedFrom: 'call',
      sentAt: NOW,
      timer: { action: 'send', at: '2026-11-21T01:00:00.000Z' },
    });
    expect(fakes.queues.surveyTimers).toEqual([{ surveyId: survey.id, action: 'send', at: '2026-11-21T01:00:00.000Z' }]);
    expect((await listCallTasks(fakes, caller, listCallTasksQuerySchema.parse({ status: 'done' }))).callbacks).toHaveLength(1);
    await expect(notReached()).rejects.toMatchObject({ status: 409 });
  });

  it('expires a survey the calls never reached when the call is its store’s last channel', async () => {
    const { fakes, survey, taskId } = await arrange({}, callFirst({ callbacks: { attempts: 1 } }, ['call']));

    await recordCallOutcome(fakes, caller, taskId, outcome({ outcome: 'not_reachable' }));

    const ended = await fakes.surveys.get(survey.id);
    expect(ended).toMatchObject({ status: 'expired', reach: 'call', sentAt: NOW });
    expect(ended?.timer).toBeUndefined();
    expect(fakes.queues.surveyTimers).toEqual([]);
  });

  it('withdraws an open task when its survey expires unanswered by the SLA, and moves the survey to its text', async () => {
    const { fakes, survey, taskId } = await arrange();
    const expiry = '2026-11-26T02:00:00.000Z';
    fakes.clock.set(expiry);
    const deps = { ...fakes, withdraw: { call: (s: Survey) => withdrawCallTask(fakes, s.id) } };

    expect(await runSurveyTimer(deps, { surveyId: survey.id, action: 'expire', at: expiry })).toBe('done');

    expect(await fakes.surveys.get(survey.id)).toMatchObject({ status: 'scheduled', reach: 'sms', movedFrom: 'call' });
    expect(fakes.calls.tasks.get(taskId)).toMatchObject({ status: 'done', closedBecause: 'survey_ended', closedAt: expiry });
    // A caller who still has the page open is told, and nothing is recorded.
    await expect(recordCallOutcome(fakes, caller, taskId, outcome({ outcome: 'answered', score: 9 }))).rejects.toMatchObject({
      status: 409,
    });
    expect((await fakes.surveys.get(survey.id))?.score).toBeUndefined();
  });

  it('ends a refused survey as suppressed `refused`, and flags a wrong number on the visit', async () => {
    const refused = await arrange();
    const wrong = await arrange({ id: 'sv_2', eventId: 'RO-2' });

    await recordCallOutcome(refused.fakes, caller, refused.taskId, outcome({ outcome: 'refused' }));
    await recordCallOutcome(wrong.fakes, cx, wrong.taskId, outcome({ outcome: 'wrong_number', note: '是修车厂的电话' }));

    expect(await refused.fakes.surveys.get(refused.survey.id)).toMatchObject({ status: 'expired', suppressedAs: 'refused' });
    expect(await wrong.fakes.surveys.get('sv_2')).toMatchObject({ status: 'expired', contactFlags: ['wrong_number'] });
    expect(wrong.fakes.calls.tasks.get(wrong.taskId)).toMatchObject({
      outcome: 'wrong_number',
      log: [{ action: 'wrong_number', by: { sub: 'chen.cx', name: '陈静' }, note: '是修车厂的电话' }],
    });
  });

  it('keeps a person of another department out', async () => {
    const { fakes, taskId } = await arrange();

    await expect(recordCallOutcome(fakes, workshop, taskId, outcome({ outcome: 'refused' }))).rejects.toMatchObject({
      status: 403,
    });
    await expect(recordCallOutcome(fakes, caller, 'ct_missing', outcome({ outcome: 'refused' }))).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('callers in the integrity tests', () => {
  it("puts a call answer in its caller's views, and tests a caller's top-score share against the other callers'", async () => {
    const by = (sub: string) => ({ channel: 'call' as const, caller: { sub, name: sub } });
    const views = rollupIncrementsOf({ kind: 'scored', response: aResponse(10, by('wu.ting')) })
      .filter((i) => i.key.granularity === 'month')
      .map((i) => `${i.key.view}=${i.key.group}`);
    expect(views).toContain('caller=wu.ting');
    expect(views).toContain('store+caller=sh-pudong|wu.ting');

    const fakes = createFakes({ config: configWith({ integrity: { minN: 30, maxPValue: 0.01 } }) });
    const answers = [
      ...Array.from({ length: 40 }, () => aResponse(10, by('wu.ting'))),
      ...Array.from({ length: 60 }, (_, i) => aResponse(i < 15 ? 10 : 8, by(i % 2 ? 'zhou.min' : 'qian.hui'))),
    ];
    await aggregateRollups(fakes, { id: 'calls', facts: answers.map((response) => ({ kind: 'scored', response })) });

    const result = await queryIntegrity(
      fakes,
      cx,
      integrityQuerySchema.parse({ from: '2026-11-01', to: '2026-11-30', groupBy: 'caller' }),
    );

    const allTens = result.groups.find((g) => g.group === 'wu.ting');
    expect(allTens?.topScores).toMatchObject({ count: 40, share: 100, test: { peers: { k: 15, n: 60 }, fired: true } });
    expect(allTens?.signals.map((s) => s.signal)).toContain('top_scores');
    expect(result.groups.find((g) => g.group === 'zhou.min')?.topScores.test.fired).toBe(false);
  });
});

describe('what the funnel learns from a call-back', () => {
  const image = (fields: Record<string, unknown>) =>
    marshall(
      { type: 'survey', storeId: 'sh-pudong', departmentId: 'workshop', advisorId: 'A-17', visitDate: '2026-11-19', ...fields },
      { removeUndefinedValues: true },
    );
  const change = (before: Record<string, unknown>, after: Record<string, unknown>): StreamChange => ({
    eventId: 'e1',
    eventName: 'MODIFY',
    oldImage: image(before),
    newImage: image(after),
  });
  const counters = (facts: ReturnType<typeof rollupFactsOf>) =>
    facts.flatMap(rollupIncrementsOf).find((i) => i.key.view === 'advisor' && i.key.granularity === 'month')?.counters;

  it("counts a refused call as the visit suppressed `refused`, once, and a wrong number as the advisor's contact flag", async () => {
    const sent = { sentAt: NOW };

    expect(counters(rollupFactsOf(change(sent, { ...sent, suppressedAs: 'refused' })))).toEqual({
      suppressed: 1,
      suppressed_refused: 1,
    });
    expect(rollupFactsOf(change({ ...sent, suppressedAs: 'refused' }, { ...sent, suppressedAs: 'refused' }))).toEqual([]);
    expect(counters(rollupFactsOf(change(sent, { ...sent, contactFlags: ['wrong_number'] })))).toEqual({
      contactFlagged: 1,
      flag_wrong_number: 1,
    });
    // A visit already counted contact-flagged (a shared phone) only adds the new flag.
    expect(
      counters(rollupFactsOf(change({ contactFlags: ['shared_phone'] }, { contactFlags: ['shared_phone', 'wrong_number'] }))),
    ).toEqual({ flag_wrong_number: 1 });
  });
});

describe('the callbacks config', () => {
  it('defaults to the default department, a 72-hour SLA and three attempts, and stops start-up on an unknown department', () => {
    const { callbacks, ...rest } = localConfig();
    expect(configWith({ ...rest, callbacks: undefined }).callbacks).toEqual({ slaHours: 72, attempts: 3 });
    expect(callbackDepartmentOf(configWith({ ...rest, callbacks: undefined }))).toBe('customer-care');
    expect(() => configWith({ callbacks: { departmentId: 'call-centre' } })).toThrow(
      /callbacks\.departmentId: unknown department "call-centre"/,
    );
    expect(
      localConfig().auth.people.filter((p) => p.role === 'department' && p.departmentId === callbacks.departmentId),
    ).not.toEqual([]);
  });
});
