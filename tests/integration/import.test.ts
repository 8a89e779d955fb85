import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, countItems, postVisit, scores, tokens, visit, waitFor } from './helpers.ts';

const HEADER = 'eventId,occurredAt,storeId,serviceType,advisorId,phone,score,comment,answeredAt';

/** A local date (Shanghai) `days` ago, and a time on it with the +08:00 offset. */
function shanghai(days: number, time: string) {
  const date = new Date(Date.now() + 8 * 3_600_000 - days * 86_400_000).toISOString().slice(0, 10);
  return { date, at: `${date}T${time}+08:00` };
}

const importCsv = (body: string, token = tokens.ingest) =>
  api('/v1/imports', { token, body, headers: { 'content-type': 'text/csv; charset=utf-8' } });
const importNdjson = (rows: object[]) =>
  api('/v1/imports', {
    token: tokens.ingest,
    body: rows.map((r) => JSON.stringify(r)).join('\n'),
    headers: { 'content-type': 'application/x-ndjson' },
  });

async function advisorBuckets(advisorId: string, from: string, to: string, granularity = 'month') {
  const { status, body } = await scores(
    `metric=nps&groupBy=advisor&advisorId=${advisorId}&from=${from}&to=${to}&granularity=${granularity}`,
  );
  expect(status).toBe(200);
  return body.buckets as { period: string; responses: number; promoters: number; detractors: number }[];
}
const total = (buckets: { responses: number }[]) => buckets.reduce((n, b) => n + b.responses, 0);

describe('POST /v1/imports', () => {
  it('refuses a file with a bad row, naming "<line>.<field>" as lines count in the file, and writes nothing', async () => {
    const day = shanghai(10, '10:00:00');
    const file = [
      HEADER,
      `IMP-${randomUUID()},${day.at},sh-pudong,maintenance,A-1,,9,"fine, thanks`,
      `really fine",${day.at}`,
      `IMP-${randomUUID()},${day.at},sh-pudong,maintenance,A-1,,11,,${day.at}`,
      `IMP-${randomUUID()},${day.at},mars-base,maintenance,A-1,,,,`,
    ].join('\n');
    const before = await countItems();

    const response = await importCsv(file);

    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'invalid_request',
      fields: {
        '4.score': 'a whole number from 0 to 10 for nps',
        '5.storeId': expect.stringContaining('not a configured store'),
      },
    });
    expect(await countItems()).toBe(before);
  });

  it('imports past answers through the scorer into the scores, once, and raises no alert for a detractor', async () => {
    const advisorId = `A-imp-${randomUUID().slice(0, 8)}`;
    const early = shanghai(12, '09:30:00');
    const late = shanghai(11, '23:30:00');
    const phone = () => `1390013${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
    const answeredAt = shanghai(12, '13:00:00').at;
    const row = (score: string, comment: string) =>
      `IMP-${randomUUID()},${early.at},sh-minhang,maintenance,${advisorId},${phone()},${score},${comment},${score ? answeredAt : ''}`;
    const file = [
      HEADER,
      row('10', '"服务很好, 谢谢"'),
      row('9', ''),
      row('2', '等了三个小时，态度也很差'),
      row('', ''),
      // 23:30 in Shanghai: the answer counts on that local date, whatever the UTC date.
      `IMP-${randomUUID()},${late.at},sh-minhang,maintenance,${advisorId},,8,,${shanghai(10, '09:00:00').at}`,
    ].join('\r\n');

    const first = await importCsv(file);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ imported: 5, duplicates: 0, answered: 4 });

    const buckets = await waitFor(
      async () => {
        const b = await advisorBuckets(advisorId, early.date, late.date);
        return total(b) === 4 ? b : undefined;
      },
      'the imported answers in GET /v1/scores',
      60_000,
    );
    expect(buckets).toEqual([
      expect.objectContaining({ group: advisorId, responses: 4, promoters: 2, passives: 1, detractors: 1, score: 25 }),
    ]);
    const days = await advisorBuckets(advisorId, late.date, late.date, 'day');
    expect(days).toEqual([expect.objectContaining({ period: late.date, responses: 1, passives: 1 })]);

    const again = await importCsv(file);
    expect(again.body).toEqual({ imported: 0, duplicates: 5, answered: 0 });
    await countItems(); // the pipeline has settled
    expect(await advisorBuckets(advisorId, early.date, late.date)).toEqual(buckets);

    const { body } = await api('/v1/alerts?limit=200', { token: tokens.cx });
    expect(body.alerts.filter((a: { advisorId?: string }) => a.advisorId === advisorId)).toEqual([]);
  });

  it('takes JSON lines, and an eventId already posted live is a duplicate that changes nothing', async () => {
    const live = visit({ advisorId: `A-imp-${randomUUID().slice(0, 8)}` });
    const ingested = await postVisit(live);
    expect(ingested.status).toBe(202);
    const day = shanghai(3, '10:00:00');

    const response = await importNdjson([
      { eventId: live.eventId, occurredAt: day.at, storeId: 'sh-pudong', serviceType: 'maintenance', score: 0 },
      { eventId: `IMP-${randomUUID()}`, occurredAt: day.at, storeId: 'sg-jurong', serviceType: 'repair', phone: null },
    ]);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ imported: 1, duplicates: 1, answered: 0 });
    expect((await postVisit(live)).body).toEqual(ingested.body);
  });

  it('answers 415 to another content type, 413 to more than 1000 rows, and 403 to a non-ingest token', async () => {
    const day = shanghai(5, '10:00:00');
    const rows = Array.from({ length: 1001 }, () => `IMP-${randomUUID()},${day.at},sh-pudong,maintenance,,,,,`);
    const before = await countItems();

    expect((await api('/v1/imports', { token: tokens.ingest, json: [] })).status).toBe(415);
    expect((await importCsv([HEADER, ...rows].join('\n'))).status).toBe(413);
    expect((await importCsv([HEADER, rows[0]].join('\n'), tokens.cx)).status).toBe(403);
    expect(await countItems()).toBe(before);
  });
});
