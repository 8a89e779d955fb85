import { marshall } from '@aws-sdk/util-dynamodb';
import type { ScoredResponse } from '#shared/domain/records.ts';
import { describe, expect, it } from 'vitest';
import { batchIdOf, rollupFactsOf, type StreamChange } from '#shared/adapters/dynamodb/rollup-facts.ts';
import { foldIncrements, type RollupFact } from '#shared/domain/rollups.ts';
import { aggregateRollups } from '#shared/use-cases/aggregate-rollups.ts';
import { queryFunnel } from '#shared/use-cases/query-funnel.ts';
import { queryScores, scoresQuerySchema } from '#shared/use-cases/query-scores.ts';
import { aResponse, FakeRollupStore, localConfig } from './fakes.ts';

const answer = aResponse;
const scored = (r: ScoredResponse): RollupFact => ({ kind: 'scored', response: r });
const cx = { role: 'cx', sub: 'chen.cx', name: '陈静' } as const;

describe('foldIncrements', () => {
  it('folds a batch into one increment per bucket, whatever the number of answers', () => {
    const batch = Array.from({ length: 500 }, (_, i) => scored(answer(i % 11)));

    const increments = foldIncrements(batch);

    // 10 views (8, and the channel alone and within the store) × 3 granularities, all shared by these answers.
    expect(increments).toHaveLength(30);
    const all = increments.find((i) => i.key.view === 'all' && i.key.granularity === 'month');
    expect(all?.counters.responses).toBe(500);
    expect(all?.counters.scoreSum).toBe(batch.reduce((sum, f) => sum + (f.kind === 'scored' ? f.response.score : 0), 0));
  });

  it('keeps stores, advisors and periods in buckets of their own', () => {
    const increments = foldIncrements([
      scored(answer(9)),
      scored(answer(3, { storeId: 'sh-minhang', advisorId: 'A-2', visitDate: '2026-12-01' })),
    ]);

    const stores = increments.filter((i) => i.key.view === 'store' && i.key.granularity === 'month');
    expect(stores.map((i) => [i.key.period, i.key.group, i.counters.responses])).toEqual([
      ['2026-11', 'sh-pudong', 1],
      ['2026-12', 'sh-minhang', 1],
    ]);
  });

  it('counts funnel steps and suppressions by reason', () => {
    const visit = { storeId: 'sh-pudong', advisorId: 'A-17', serviceType: 'maintenance', visitDate: '2026-11-10' };
    const increments = foldIncrements([
      { kind: 'funnel', steps: ['visit'], visit },
      { kind: 'funnel', steps: ['sent'], visit },
      { kind: 'funnel', steps: ['answered'], visit },
      { kind: 'funnel', steps: ['visit'], suppressed: 'opted_out', visit },
    ]);

    const all = increments.find((i) => i.key.family === 'funnel' && i.key.view === 'all' && i.key.granularity === 'day');
    expect(all?.counters).toEqual({ visits: 2, sent: 1, answered: 1, suppressed: 1, suppressed_opted_out: 1 });
  });

  describe('by channel', () => {
    const visit = { storeId: 'sh-minhang', advisorId: 'A-17', visitDate: '2026-11-10' };
    const monthBucket = (increments: ReturnType<typeof foldIncrements>, view: string, group: string) =>
      increments.find((i) => i.key.view === view && i.key.group === group && i.key.granularity === 'month')?.counters;

    it("counts a channel's sends and answers under it, and its visit's steps in no channel view", () => {
      const increments = foldIncrements([
        { kind: 'funnel', steps: ['visit'], contactFlags: ['shared_phone'], visit },
        { kind: 'funnel', steps: ['sent'], visit: { ...visit, reach: 'wechat' } },
        { kind: 'funnel', steps: ['answered'], visit: { ...visit, reach: 'wechat' } },
        { kind: 'funnel', steps: ['visit'], suppressed: 'opted_out', visit },
      ]);

      expect(monthBucket(increments, 'channel', 'wechat')).toEqual({ sent: 1, answered: 1 });
      expect(monthBucket(increments, 'store+channel', 'sh-minhang|wechat')).toEqual({ sent: 1, answered: 1 });
      expect(increments.filter((i) => i.key.view.includes('channel'))).toHaveLength(2 * 3);
      expect(monthBucket(increments, 'all', 'all')).toMatchObject({ visits: 2, sent: 1, answered: 1, suppressed: 1 });
    });

    it('counts a suppression a channel ended in (a refused call) in no channel view', () => {
      const increments = foldIncrements([
        { kind: 'funnel', steps: [], suppressed: 'refused', visit: { ...visit, reach: 'call' } },
      ]);

      expect(increments.some((i) => i.key.view.includes('channel'))).toBe(false);
      expect(monthBucket(increments, 'store', 'sh-minhang')).toEqual({ suppressed: 1, suppressed_refused: 1 });
    });

    it('counts a moved survey sent again by its next channel there only, never twice in the totals', () => {
      const increments = foldIncrements([
        { kind: 'funnel', steps: ['sent'], visit: { ...visit, reach: 'wechat' } },
        { kind: 'funnel', steps: ['sent'], resent: true, visit: { ...visit, reach: 'sms' } },
        { kind: 'funnel', steps: ['answered'], visit: { ...visit, reach: 'sms' } },
      ]);

      expect(monthBucket(increments, 'channel', 'wechat')).toEqual({ sent: 1 });
      expect(monthBucket(increments, 'channel', 'sms')).toEqual({ sent: 1, answered: 1 });
      expect(monthBucket(increments, 'all', 'all')).toEqual({ sent: 1, answered: 1 });
      expect(monthBucket(increments, 'advisor', 'A-17')).toEqual({ sent: 1, answered: 1 });
    });

    it("scores an answer under its survey's reach: a WeChat notice answered on the web form is wechat's", () => {
      const increments = foldIncrements([scored(answer(9, { channel: 'web', reach: 'wechat' })), scored(answer(3))]);

      expect(monthBucket(increments, 'channel', 'wechat')).toMatchObject({ responses: 1, promoters: 1, webResponses: 1 });
      expect(monthBucket(increments, 'channel', 'web')).toBeUndefined();
      // Without a recorded reach (imported history), a text reply counts under sms.
      expect(monthBucket(increments, 'channel', 'sms')).toMatchObject({ responses: 1, detractors: 1 });
    });

    it("moves a reflagged answer's flagged counts in its channel too", () => {
      const before = answer(10, { reach: 'call', channel: 'call' });
      const increments = foldIncrements([{ kind: 'reflagged', before, after: { ...before, flags: ['perfect_streak'] } }]);

      expect(monthBucket(increments, 'channel', 'call')).toMatchObject({ flaggedResponses: 1, flag_perfect_streak: 1 });
    });
  });
});

describe('rollupFactsOf', () => {
  const change = (eventName: StreamChange['eventName'], newItem?: object, oldItem?: object): StreamChange => ({
    eventId: `e-${Math.random()}`,
    eventName,
    newImage: newItem && marshall(newItem, { removeUndefinedValues: true }),
    oldImage: oldItem && marshall(oldItem, { removeUndefinedValues: true }),
  });
  const survey = {
    pk: 'SURVEY#sv_1',
    sk: 'SURVEY',
    type: 'survey',
    storeId: 'sh-pudong',
    departmentId: 'workshop',
    serviceType: 'repair',
    visitDate: '2026-11-10',
  };

  it('counts a newly kept answer as scored', () => {
    const r = answer(9);
    expect(rollupFactsOf(change('INSERT', { pk: 'RESPONSES#nps#2026-11', sk: 'x', type: 'response', ...r }))).toEqual([
      { kind: 'scored', response: r },
    ]);
  });

  it('ignores a comment added to a kept answer, and a re-survey', () => {
    const r = { pk: 'p', sk: 's', type: 'response', ...answer(3) };
    expect(rollupFactsOf(change('MODIFY', { ...r, comment: 'slow' }, r))).toEqual([]);
    expect(rollupFactsOf(change('INSERT', { ...r, recoveryOf: 'sv_0' }))).toEqual([]);
  });

  it('follows a survey through the funnel: visit, sent once, answered once', () => {
    const sent = { ...survey, sentAt: '2026-11-10T10:00:00Z' };
    const answered = { ...sent, score: 8 };

    expect(rollupFactsOf(change('INSERT', survey))).toMatchObject([{ steps: ['visit'] }]);
    expect(rollupFactsOf(change('MODIFY', sent, survey))).toMatchObject([{ steps: ['sent'] }]);
    expect(rollupFactsOf(change('MODIFY', { ...sent, remindedAt: 'x' }, sent))).toEqual([]);
    expect(rollupFactsOf(change('MODIFY', answered, sent))).toMatchObject([{ steps: ['answered'] }]);
    expect(rollupFactsOf(change('MODIFY', { ...answered, reason: 'ok' }, answered))).toEqual([]);
  });

  it('counts an imported, already answered survey as visit, sent and answered at once', () => {
    expect(rollupFactsOf(change('INSERT', { ...survey, sentAt: 'x', score: 9 }))).toMatchObject([
      { steps: ['visit', 'sent', 'answered'] },
    ]);
  });

  it("carries the survey's reach on its send and its answer, none on its visit", () => {
    const scheduled = { ...survey, status: 'scheduled' };
    const sent = { ...scheduled, status: 'awaiting_score', reach: 'wechat', sentAt: 't1', channelSentAt: 't1' };
    const answered = { ...sent, status: 'completed', score: 9, channel: 'web' };

    const facts = [
      ...rollupFactsOf(change('INSERT', scheduled)),
      ...rollupFactsOf(change('MODIFY', sent, scheduled)),
      ...rollupFactsOf(change('MODIFY', answered, sent)),
    ];

    expect(facts.map((f) => (f.kind === 'funnel' ? [f.steps, f.visit.reach, f.resent] : f.kind))).toEqual([
      [['visit'], undefined, undefined],
      [['sent'], 'wechat', undefined],
      [['answered'], 'wechat', undefined],
    ]);
  });

  it('counts a survey sent again by the channel it moved to as resent there, once', () => {
    const first = { ...survey, status: 'awaiting_score', reach: 'wechat', sentAt: 't1', channelSentAt: 't1' };
    const moved = { ...first, status: 'scheduled', reach: 'sms', movedFrom: 'wechat' };
    const resent = { ...moved, status: 'awaiting_score', channelSentAt: 't2' };

    expect(rollupFactsOf(change('MODIFY', moved, first))).toEqual([]);
    expect(rollupFactsOf(change('MODIFY', resent, moved))).toEqual([
      { kind: 'funnel', steps: ['sent'], resent: true, visit: expect.objectContaining({ reach: 'sms' }) },
    ]);
    expect(rollupFactsOf(change('MODIFY', { ...resent, remindedAt: 't3' }, resent))).toEqual([]);
  });

  it('sends a survey whose first channel failed before anything went out once, by the channel that worked', () => {
    const failed = { ...survey, status: 'scheduled', reach: 'sms', movedFrom: 'wechat' };
    const sent = { ...failed, status: 'awaiting_score', sentAt: 't1', channelSentAt: 't1' };

    expect(rollupFactsOf(change('MODIFY', sent, failed))).toEqual([
      { kind: 'funnel', steps: ['sent'], visit: expect.objectContaining({ reach: 'sms' }) },
    ]);
  });

  it('gives imported history, which records no reach, no channel, and reads a reach it does not know as none', () => {
    const [imported] = rollupFactsOf(change('INSERT', { ...survey, sentAt: 'x', score: 9, channel: 'web', importedAt: 'y' }));
    const [unknown] = rollupFactsOf(change('MODIFY', { ...survey, sentAt: 'x', reach: 'carrier_pigeon' }, survey));

    expect(imported?.kind === 'funnel' && imported.visit.reach).toBeUndefined();
    expect(unknown).toMatchObject({ steps: ['sent'] });
    expect(unknown?.kind === 'funnel' && unknown.visit.reach).toBeUndefined();
  });

  it("keeps a kept answer's reach, and reads one it does not know as none", () => {
    const r = answer(9, { channel: 'web', reach: 'link' });
    const item = { pk: 'RESPONSES#nps#2026-11', sk: 'x', type: 'response', ...r };

    expect(rollupFactsOf(change('INSERT', item))).toEqual([{ kind: 'scored', response: r }]);
    expect(rollupFactsOf(change('INSERT', { ...item, reach: 'fax' }))).toEqual([
      { kind: 'scored', response: { ...r, reach: undefined } },
    ]);
  });

  it('counts a suppressed visit with its reason, dated by its visit', () => {
    const event = {
      pk: 'EVENT#RO-1',
      sk: 'EVENT',
      type: 'event',
      result: { eventId: 'RO-1', survey: { status: 'suppressed', reason: 'invalid_phone' } },
      storeId: 'sh-pudong',
      visitDate: '2026-11-09',
      at: '2026-11-10T01:00:00Z',
    };
    expect(rollupFactsOf(change('INSERT', event))).toEqual([
      {
        kind: 'funnel',
        steps: ['visit'],
        suppressed: 'invalid_phone',
        visit: {
          storeId: 'sh-pudong',
          departmentId: undefined,
          advisorId: undefined,
          serviceType: undefined,
          visitDate: '2026-11-09',
        },
      },
    ]);
  });

  it('counts a survey no registered template could carry as its visit suppressed `unregistered_template`, once', async () => {
    const scheduled = { ...survey, status: 'scheduled', timerAction: 'send' };
    const refused = { ...survey, status: 'expired', reach: 'sms', suppressedAs: 'unregistered_template' };
    const rollups = new FakeRollupStore();

    const facts = [
      ...rollupFactsOf(change('INSERT', scheduled)),
      ...rollupFactsOf(change('MODIFY', refused, scheduled)),
      // A later write to the ended survey (its item kept, a field removed) counts nothing again.
      ...rollupFactsOf(change('MODIFY', { ...refused, ttlChecked: true }, refused)),
    ];
    await aggregateRollups({ rollups }, { id: 'unregistered', facts });

    expect(facts).toEqual([
      expect.objectContaining({ steps: ['visit'] }),
      expect.objectContaining({ steps: [], suppressed: 'unregistered_template' }),
    ]);
    const funnel = await queryFunnel({ rollups }, cx, {
      from: '2026-11-01',
      to: '2026-11-30',
      granularity: 'month',
      groupBy: 'store',
    });
    expect(funnel.buckets).toEqual([
      {
        period: '2026-11',
        group: 'sh-pudong',
        visits: 1,
        sent: 0,
        answered: 0,
        responseRate: 0,
        suppressed: { unregistered_template: 1 },

        suppressedTotal: 1,
        suppressionRate: 100,
      },
    ]);
  });

  it('ignores other items and removals (retention ending is not a change in the scores)', () => {
    expect(rollupFactsOf(change('INSERT', { pk: 'ALERT#1', sk: 'ALERT', type: 'alert' }))).toEqual([]);
    expect(rollupFactsOf(change('REMOVE', undefined, survey))).toEqual([]);
  });

  it('names a batch by its records, so the same records retried are the same batch', () => {
    const a = change('INSERT', survey);
    const b = change('INSERT', survey);
    expect(batchIdOf([a, b])).toBe(batchIdOf([a, b]));
    expect(batchIdOf([a, b])).not.toBe(batchIdOf([a]));
  });
});

describe('aggregateRollups', () => {
  it('applies a retried batch once', async () => {
    const rollups = new FakeRollupStore();
    const batch = { id: 'batch-1', facts: [scored(answer(10)), scored(answer(2))] };

    await aggregateRollups({ rollups }, batch);
    const retry = await aggregateRollups({ rollups }, batch);

    expect(retry.alreadyApplied).toBe(1);
    expect(await rollups.bucket('nps', 'month', 'all', '2026-11', 'all')).toMatchObject({
      responses: 2,
      promoters: 1,
      detractors: 1,
    });
  });

  it('feeds the scores and the funnel the dashboard reads', async () => {
    const rollups = new FakeRollupStore();
    const visit = { storeId: 'sh-pudong', visitDate: '2026-11-10' };
    await aggregateRollups(
      { rollups },
      {
        id: 'b',
        facts: [
          scored(answer(9)),
          { kind: 'funnel', steps: ['visit', 'sent', 'answered'], visit },
          { kind: 'funnel', steps: ['visit', 'sent'], visit },
          { kind: 'funnel', steps: ['visit'], suppressed: 'throttled', visit },
          { kind: 'funnel', steps: ['visit'], suppressed: 'opted_out', visit },
        ],
      },
    );

    const funnel = await queryFunnel({ rollups }, cx, {
      from: '2026-11-01',
      to: '2026-11-30',
      granularity: 'month',
      groupBy: 'store',
    });
    const scores = await queryScores(
      { rollups, config: localConfig() },
      cx,
      scoresQuerySchema.parse({ metric: 'nps', from: '2026-11-01', to: '2026-11-30' }),
    );

    expect(funnel.buckets).toEqual([
      {
        period: '2026-11',
        group: 'sh-pudong',
        visits: 4,
        sent: 2,
        answered: 1,
        responseRate: 50,
        suppressed: { opted_out: 1, throttled: 1 },
        suppressedTotal: 2,
        suppressionRate: 50,
      },
    ]);
    expect(scores.buckets[0]).toMatchObject({ responses: 1, promoters: 1, score: 100 });
  });

  it('answers the funnel and the scores by channel, and by channel within a store', async () => {
    const rollups = new FakeRollupStore();
    const visit = { storeId: 'sh-minhang', visitDate: '2026-11-10' };
    const by = (reach: 'sms' | 'wechat') => ({ ...visit, reach });
    await aggregateRollups(
      { rollups },
      {
        id: 'channels',
        facts: [
          { kind: 'funnel', steps: ['visit'], visit },
          { kind: 'funnel', steps: ['visit'], visit },
          { kind: 'funnel', steps: ['visit'], visit },
          { kind: 'funnel', steps: ['sent'], visit: by('wechat') },
          { kind: 'funnel', steps: ['answered'], visit: by('wechat') },
          { kind: 'funnel', steps: ['sent'], visit: by('wechat') },
          { kind: 'funnel', steps: ['sent'], resent: true, visit: by('sms') },
          { kind: 'funnel', steps: ['sent'], visit: by('sms') },
          scored(answer(9, { ...visit, channel: 'web', reach: 'wechat' })),
        ],
      },
    );
    const range = { from: '2026-11-01', to: '2026-11-30', granularity: 'month' } as const;

    const funnel = await queryFunnel({ rollups }, cx, { ...range, groupBy: 'channel' });
    const inStore = await queryFunnel({ rollups }, cx, { ...range, groupBy: 'channel', storeId: 'sh-minhang' });
    const smsOnly = await queryFunnel({ rollups }, cx, { ...range, groupBy: 'none', channel: 'sms' });
    const scores = await queryScores(
      { rollups, config: localConfig() },
      cx,
      scoresQuerySchema.parse({ metric: 'nps', ...range, groupBy: 'channel' }),
    );

    expect(funnel.buckets.map((b) => [b.group, b.visits, b.sent, b.answered, b.responseRate])).toEqual([
      ['sms', 0, 2, 0, 0],
      ['wechat', 0, 2, 1, 50],
    ]);
    expect(inStore.buckets).toEqual(funnel.buckets);
    expect(smsOnly.buckets).toMatchObject([{ group: 'all', sent: 2, answered: 0 }]);
    expect(scores.buckets).toMatchObject([{ group: 'wechat', responses: 1, promoters: 1, score: 100 }]);
  });

  it('refuses a channel it does not know, naming the field', () => {
    const parsed = scoresQuerySchema.safeParse({ metric: 'nps', from: '2026-11-01', to: '2026-11-30', channel: 'email' });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['channel']);
    expect(scoresQuerySchema.parse({ metric: 'nps', from: '2026-11-01', to: '2026-11-30', groupBy: 'channel' }).groupBy).toBe(
      'channel',
    );
  });
});
