import { describe, expect, it } from 'vitest';
import type { CommentCategory } from '#shared/config/schema.ts';
import { categorize } from '#shared/domain/classifier.ts';
import { toE164 } from '#shared/domain/phone.ts';
import { sentimentOf } from '#shared/domain/scoring.ts';
import { validateImportRows } from '#shared/use-cases/import-answers.ts';
import { busyness, comments, Dice, demoPhone, generateHistory } from '../../scripts/demo-data.ts';
import { localConfig } from './fakes.ts';

const config = localConfig();
const NOW = new Date('2026-11-23T11:00:00.000Z');
const history = generateHistory(config, NOW);

const npsOf = (rows: typeof history.rows) => {
  const answered = rows.filter(
    (r) => r.score !== undefined && (r.serviceType === 'maintenance' || r.serviceType === 'first_service'),
  );
  const count = (s: string) => answered.filter((r) => sentimentOf('nps', r.score ?? 0) === s).length;
  return ((count('promoter') - count('detractor')) / answered.length) * 100;
};

/** Of the NPS answers at least `days` before the history's end, the share whose customer visited again within `days`. */
function returnRates(rows: typeof history.rows, days: number) {
  const window = days * 86_400_000;
  const end = Date.parse(`${history.to}T00:00:00Z`);
  const visits = new Map<string, number[]>();
  for (const r of rows)
    if (r.phone)
      visits.set(`${r.storeId}|${r.phone}`, [...(visits.get(`${r.storeId}|${r.phone}`) ?? []), Date.parse(r.occurredAt)]);
  const tally: Record<string, { n: number; back: number }> = {};
  for (const r of rows) {
    const at = Date.parse(r.occurredAt);
    if (r.score === undefined || !r.phone || at > end - window) continue;
    if (r.serviceType !== 'maintenance' && r.serviceType !== 'first_service') continue;
    const sentiment = sentimentOf('nps', r.score);
    const t = tally[sentiment] ?? { n: 0, back: 0 };
    tally[sentiment] = t;
    t.n++;
    if (visits.get(`${r.storeId}|${r.phone}`)?.some((v) => v > at && v - at <= window)) t.back++;
  }
  return Object.fromEntries(Object.entries(tally).map(([k, { n, back }]) => [k, back / n]));
}

describe('the demo history', () => {
  it('has promoters come back more often than detractors (lostAfter: 5% against 40%)', () => {
    const rates = returnRates(history.rows, 90);

    expect(rates.promoter).toBeGreaterThan((rates.detractor ?? 1) + 0.08);
    expect(rates.passive).toBeGreaterThan(rates.detractor ?? 1);
  });

  it('is the same, row for row, every time it is made', () => {
    expect(generateHistory(config, NOW, 1).rows).toEqual(generateHistory(config, NOW, 1).rows);
  });

  it('shares its days with a run made a day later, row for row under the same eventIds', () => {
    const today = generateHistory(config, NOW, 1);
    const later = generateHistory(config, new Date(NOW.getTime() + 86_400_000), 1);
    const byId = new Map(later.rows.map((r) => [r.eventId, r]));
    const shared = today.rows.filter((r) => byId.has(r.eventId));

    expect(shared.length).toBeGreaterThan(today.rows.length * 0.9);
    for (const row of shared) expect(byId.get(row.eventId)).toEqual(row);
  });

  it('covers six months to yesterday with 15 to 25 thousand visits at every configured store', () => {
    expect(history.from).toBe('2026-05-23');
    expect(history.to).toBe('2026-11-22');
    expect(history.rows.length).toBeGreaterThan(15_000);
    expect(history.rows.length).toBeLessThan(25_000);
    expect(new Set(history.rows.map((r) => r.storeId))).toEqual(new Set(config.stores.map((s) => s.id)));
    expect(history.advisors.length).toBeGreaterThanOrEqual(24);
    expect(history.advisors.length).toBeLessThanOrEqual(27);
  });

  it('passes the import validation it will meet on the server', () => {
    // Every tenth row, and all of the last days, where "not in the future" is tested hardest.
    const sample = history.rows.filter((r, i) => i % 10 === 0 || r.occurredAt >= '2026-11-19');
    const { errors } = validateImportRows(
      sample.map((fields, i) => ({ line: i + 1, fields, end: 0 })),
      config,
      NOW,
    );

    expect(errors).toEqual({});
  });

  it('only holds surveys that are over: answered before now, or expired', () => {
    for (const row of history.rows) {
      expect(Date.parse(row.answeredAt ?? row.sentAt ?? '')).toBeLessThanOrEqual(NOW.getTime());
    }
  });

  it('has a realistic response rate, 35 to 50%, lower where customers answer on the web', () => {
    const rate = (rows: typeof history.rows) => rows.filter((r) => r.score !== undefined).length / rows.length;

    expect(rate(history.rows)).toBeGreaterThan(0.35);
    expect(rate(history.rows)).toBeLessThan(0.5);
    const web = history.rows.filter((r) => r.channel === 'web');
    expect(web.length).toBeGreaterThan(0);
    expect(rate(web)).toBeLessThan(rate(history.rows));
  });

  it('makes some stores and advisors clearly better than others', () => {
    const byStore = config.stores.map((s) => npsOf(history.rows.filter((r) => r.storeId === s.id)));
    expect(Math.max(...byStore) - Math.min(...byStore)).toBeGreaterThan(30);

    const byAdvisor = history.advisors.map((a) => ({ id: a.id, nps: npsOf(history.rows.filter((r) => r.advisorId === a.id)) }));
    const storeNps = (id: string) =>
      npsOf(history.rows.filter((r) => r.storeId === history.advisors.find((a) => a.id === id)?.storeId));
    const standouts = byAdvisor.filter((a) => Math.abs(a.nps - storeNps(a.id)) > 12);
    expect(standouts.length).toBeGreaterThanOrEqual(3);
    expect(standouts.some((a) => a.nps < storeNps(a.id))).toBe(true);
  });

  it('writes Chinese comments at Chinese stores and English ones elsewhere', () => {
    const cjk = /[\u4e00-\u9fff]/;
    const commented = history.rows.filter((r) => r.comment);
    expect(commented.length).toBeGreaterThan(1000);
    for (const row of commented) {
      const chinese = config.stores.find((s) => s.id === row.storeId)?.country === 'CN';
      expect(cjk.test(row.comment ?? '')).toBe(chinese);
    }
  });

  it("gives every customer a valid mobile number of their store's country", () => {
    const phones = history.rows.slice(0, 2000);
    for (const row of phones) {
      const country = config.stores.find((s) => s.id === row.storeId)?.country ?? '';
      expect(toE164(row.phone ?? '', country)).toBeDefined();
    }
  });
});

describe('the demo comments', () => {
  it.each(['zh', 'en'] as const)('in %s name the problem the classifier files them under', (lang) => {
    const complaints = Object.entries(comments[lang]).filter(([key]) => key !== 'praise' && key !== 'mixed') as [
      CommentCategory,
      string[],
    ][];
    for (const [category, texts] of complaints) {
      for (const text of texts) expect(categorize(text), text).toContain(category);
    }
  });
});

describe('busyness', () => {
  it('closes Chinese stores over Spring Festival and slows them in the National Day week', () => {
    expect(busyness('2026-02-18', 'CN')).toBeLessThan(0.2);
    expect(busyness('2026-10-03', 'CN')).toBeLessThan(0.5);
    expect(busyness('2026-10-03', 'GB')).toBeGreaterThan(1);
  });

  it('peaks at month end and on Saturdays, dips on Sundays', () => {
    expect(busyness('2026-09-30', 'SG')).toBeGreaterThan(busyness('2026-09-16', 'SG'));
    expect(busyness('2026-09-19', 'SG')).toBeGreaterThan(busyness('2026-09-20', 'SG'));
  });
});

describe('demoPhone', () => {
  it('makes numbers that are valid in CN, SG and GB', () => {
    const dice = new Dice('phones');
    for (const country of ['CN', 'SG', 'GB']) {
      for (let i = 0; i < 50; i++) expect(toE164(demoPhone(dice, country) ?? '', country)).toBeDefined();
    }
  });

  it('has one advisor who asks for top scores at the counter and one whose visits often lack a phone', () => {
    const fastShare = (rows: typeof history.rows) => {
      const web = rows.filter((r) => r.channel === 'web' && r.answeredAt);
      const fast = web.filter((r) => Date.parse(r.answeredAt ?? '') - Date.parse(r.occurredAt) <= 10 * 60_000);
      return fast.length / Math.max(1, web.length);
    };
    const phoneless = (rows: typeof history.rows) => rows.filter((r) => !r.phone).length / Math.max(1, rows.length);
    const byAdvisor = (id: string) => history.rows.filter((r) => r.advisorId === id);
    const advisors = history.advisors.map((a) => a.id);

    const counter = advisors.filter((id) => fastShare(byAdvisor(id)) > 0.4);
    const careless = advisors.filter((id) => phoneless(byAdvisor(id)) > 0.3);
    expect(counter).toHaveLength(1);
    expect(byAdvisor(counter[0] ?? '')[0]?.storeId).toBe('sz-futian');
    expect(careless).toHaveLength(1);
  });
});
