import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, postVisit, tokens, visit, waitFor } from './helpers.ts';

const DAY = 86_400_000;
const HEADER = 'eventId,occurredAt,storeId,serviceType,phone,score';
const STORE = 'bj-chaoyang';

/** The month about 20 months back, which no other test writes to, and a Shanghai time `days` after its 5th. */
const cohortMonth = new Date(Date.now() - 600 * DAY).toISOString().slice(0, 7);
const at = (days: number) =>
  `${new Date(Date.parse(`${cohortMonth}-05T02:00:00Z`) + days * DAY).toISOString().slice(0, 19)}+00:00`;
const lastDay = new Date(Date.UTC(Number(cohortMonth.slice(0, 4)), Number(cohortMonth.slice(5, 7)), 0))
  .toISOString()
  .slice(0, 10);

const importCsv = (rows: string[]) =>
  api('/v1/imports', {
    token: tokens.ingest,
    body: [HEADER, ...rows].join('\n'),
    headers: { 'content-type': 'text/csv; charset=utf-8' },
  });

const retention = (query: string, token = tokens.cx) =>
  api(`/v1/retention?from=${cohortMonth}-01&to=${lastDay}&groupBy=store&storeId=${STORE}&${query}`, { token });

describe('GET /v1/retention', () => {
  it('counts, per class, the surveyed customers who came back, exactly, whatever order history arrives in', async () => {
    const run = randomUUID().slice(0, 8);
    const phone = (i: number) => `1371${String(Math.floor(Math.random() * 1e3)).padStart(3, '0')}${String(i).padStart(4, '0')}`;
    const surveyed: string[] = [];
    const returns: string[] = [];
    // 10 promoters of whom 7 come back within 60 days; 10 detractors of whom 3 do; 4 passives, 1 back
    // after 200 days (in the 365-day horizon only); a promoter back live, through POST /v1/service-events.
    const people = [
      ...Array.from({ length: 10 }, (_, i) => ({ score: 10, back: i < 7 ? 60 : undefined })),
      ...Array.from({ length: 10 }, (_, i) => ({ score: 3, back: i < 3 ? 60 : undefined })),
      ...Array.from({ length: 4 }, (_, i) => ({ score: 8, back: i < 1 ? 200 : undefined })),
    ];
    const phones = people.map((_, i) => phone(i));
    people.forEach((p, i) => {
      surveyed.push(`RET-${run}-${i}-a,${at(i / 24)},${STORE},maintenance,${phones[i]},${p.score}`);
      if (p.back !== undefined) returns.push(`RET-${run}-${i}-b,${at(p.back)},${STORE},maintenance,${phones[i]},`);
    });
    const livePhone = phone(99);
    surveyed.push(`RET-${run}-99-a,${at(1)},${STORE},maintenance,${livePhone},9`);

    // The returns first, then the surveyed visits: the answers are scored after their returns are known.
    expect((await importCsv(returns)).status).toBe(200);
    expect((await importCsv(surveyed)).status).toBe(200);
    const expected180 = { promoter: [11, 7], passive: [4, 0], detractor: [10, 3] };
    await waitFor(async () => {
      const { body } = await retention('metric=nps');
      return body.buckets?.[0]?.classes?.[0]?.surveyed === 11 && body.buckets[0].classes[2].surveyed === 10;
    }, 'the imported answers in their cohorts');

    // The live promoter comes back 30 days later; the DMS sends that visit twice.
    const live = visit(
      { eventId: `RET-${run}-99-b`, occurredAt: at(31), storeId: STORE, serviceType: 'maintenance' },
      { phone: livePhone },
    );
    expect((await postVisit(live)).status).toBe(202);
    expect((await postVisit(live)).status).toBe(202);
    // The whole import again: all duplicates, nothing counted twice.
    expect((await importCsv(returns)).body).toMatchObject({ imported: 0 });
    expect((await importCsv(surveyed)).body).toMatchObject({ imported: 0 });
    expected180.promoter = [11, 8];

    const { status, body } = await waitFor(async () => {
      const response = await retention('metric=nps');
      return response.body.buckets?.[0]?.classes?.[0]?.returned === 8 ? response : undefined;
    }, 'the live return counted');
    expect(status).toBe(200);
    expect(body).toMatchObject({ metric: 'nps', horizonDays: 180, horizons: [180, 365], minResponses: 10 });
    const [bucket] = body.buckets;
    expect(bucket).toMatchObject({ period: 'all', group: STORE, complete: true });
    for (const [i, cls] of ['promoter', 'passive', 'detractor'].entries()) {
      const [n, k] = expected180[cls as keyof typeof expected180];
      expect(bucket.classes[i]).toMatchObject({ class: cls, surveyed: n, returned: k });
    }
    // 8/11 → [0.4343, 0.9025]; 3/10 → [0.1078, 0.6032]
    expect(bucket.classes[0]).toMatchObject({ rate: 0.7273, low: 4343 / 10_000, high: 0.9025, enoughData: true });
    expect(bucket.classes[2]).toMatchObject({ rate: 0.3, low: 0.1078, high: 0.6032, enoughData: true });
    expect(bucket.classes[1]).toMatchObject({ enoughData: false });
    expect(bucket.detractors.notRecovered).toMatchObject({ surveyed: 10, returned: 3 });
    expect(bucket).toMatchObject({ difference: 0.4273, verdict: 'unclear' });

    const year = await retention('metric=nps&horizonDays=365');
    expect(year.body.buckets[0].classes.map((c: { returned: number }) => c.returned)).toEqual([8, 1, 3]);
  });

  it("is the CX team's: a department head gets 403, and a horizon that is not kept is a 400", async () => {
    expect((await retention('metric=nps', tokens.workshop)).status).toBe(403);
    const bad = await retention('metric=nps&horizonDays=90');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual({ horizonDays: 'one of 180, 365' });
  });
});
