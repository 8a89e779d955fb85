import { describe, expect, it } from 'vitest';
import type { ScoredResponse } from '#shared/domain/records.ts';
import type { RollupFact } from '#shared/domain/rollups.ts';
import { aggregateRollups } from '#shared/use-cases/aggregate-rollups.ts';
import type { Identity } from '#shared/use-cases/identity.ts';
import { integrityQuerySchema, queryIntegrity } from '#shared/use-cases/query-integrity.ts';
import { aResponse, configWith, createFakes } from './fakes.ts';

const cx: Identity = { role: 'cx', sub: 'chen.cx', name: '陈静' };
const query = (params: Record<string, string> = {}) =>
  integrityQuerySchema.parse({ from: '2026-11-01', to: '2026-11-30', ...params });

/** A store's visits as the funnel counts them: `flagged` of them with a contact flag. */
const visits = (storeId: string, advisorId: string, n: number, contactFlagged = 0): RollupFact[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'funnel',
    steps: ['visit', 'sent', 'answered'],
    visit: { storeId, advisorId, departmentId: 'workshop', serviceType: 'maintenance', visitDate: '2026-11-10' },
    ...(i < contactFlagged ? { contactFlags: ['no_phone' as const] } : {}),
  }));

async function arrange(facts: RollupFact[], answers: ScoredResponse[]) {
  const fakes = createFakes({ config: configWith({ integrity: { minN: 30, maxPValue: 0.01 } }) });
  await aggregateRollups(fakes, { id: 'funnel-batch', facts });
  for (const a of answers) await fakes.responses.record(a);
  return fakes;
}

const answers = (advisorId: string, n: number, tens: number, overrides: Partial<ScoredResponse> = {}) =>
  Array.from({ length: n }, (_, i) => aResponse(i < tens ? 10 : 8, { storeId: 'sh-pudong', advisorId, ...overrides }));

describe('queryIntegrity', () => {
  it("tests an advisor's top-score share against the store's other advisors, with its p-value", async () => {
    const fakes = await arrange([], [...answers('A-1', 40, 30), ...answers('A-2', 30, 10), ...answers('A-3', 30, 10)]);

    const result = await queryIntegrity(fakes, cx, query({ groupBy: 'advisor', storeId: 'sh-pudong' }));

    const star = result.groups.find((g) => g.group === 'A-1');
    expect(star?.topScores).toMatchObject({
      count: 30,
      share: 75,
      test: { k: 30, n: 40, peers: { k: 20, n: 60 }, fired: true },
    });
    expect(star?.topScores.test.pValue).toBeCloseTo(2.228e-5, 8);
    expect(star?.signals.map((s) => s.signal)).toContain('top_scores');
    expect(result.groups.find((g) => g.group === 'A-2')?.topScores.test.fired).toBe(false);
  });

  it('shows contact quality per store against the others and the brand', async () => {
    const fakes = await arrange([...visits('sh-pudong', 'A-1', 50, 25), ...visits('sh-minhang', 'A-9', 50, 2)], []);

    const result = await queryIntegrity(fakes, cx, query());

    const pudong = result.groups.find((g) => g.group === 'sh-pudong');
    expect(pudong).toMatchObject({ visits: 50, coverage: 100, contact: { noPhone: 25, flagged: 25, share: 50, brandShare: 27 } });
    expect(pudong?.contact.test).toMatchObject({ peers: { k: 2, n: 50 }, fired: true });
    expect(result.brand).toEqual({ visits: 100, contactShare: 27 });
  });

  it('counts flagged web answers by flag, and never leaves them out of the responses', async () => {
    const fast = { channel: 'web' as const, flags: ['fast_answer' as const, 'store_network' as const] };
    const fakes = await arrange([], [...answers('A-1', 5, 5, fast), ...answers('A-1', 3, 0, { channel: 'web' })]);

    const [group] = (await queryIntegrity(fakes, cx, query({ groupBy: 'advisor', storeId: 'sh-pudong' }))).groups;

    expect(group?.answers).toMatchObject({ responses: 8, web: 8, fast: 5, storeNetwork: 5, flagged: 5, fastShare: 62.5 });
    expect(group?.signals.map((s) => s.signal)).toEqual(['fast_answers', 'store_network']);
    // Below minN answers nothing is tested, and the test says so.
    expect(group?.topScores.test).toMatchObject({ pValue: null, fired: false });
  });

  it("shows a department token its own department's stores only, and refuses advisors across departments", async () => {
    const fakes = await arrange(visits('sh-pudong', 'A-1', 3), []);
    const workshop: Identity = { role: 'department', departmentId: 'workshop', sub: 'li.ming', name: '李明' };
    expect((await queryIntegrity(fakes, workshop, query())).groups.map((g) => g.group)).toEqual(['sh-pudong']);
    await expect(
      queryIntegrity(fakes, { role: 'department', departmentId: 'parts', sub: 'zhao.lei', name: '赵磊' }, query()),
    ).resolves.toMatchObject({
      groups: [],
    });
    await expect(queryIntegrity(fakes, workshop, query({ groupBy: 'advisor', storeId: 'sh-pudong' }))).rejects.toMatchObject({
      status: 400,
    });
  });
});
