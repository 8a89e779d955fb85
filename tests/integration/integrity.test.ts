import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { answerOnTheWeb, api, newPhone, postVisit, scores, tokens, visit, visitDay, waitFor, webAnswerDay } from './helpers.ts';

/** This run's own browser: the device id is a hash of address and user agent, so other tests' answers are not on it. */
const userAgent = `integrity-test/${randomUUID()}`;

const answerWithThisBrowser = (advisorId: string, score: number) =>
  answerOnTheWeb({ advisorId }, { score: String(score) }, { 'user-agent': userAgent });

const integrity = async (query: string, day = visitDay()) => {
  const { status, body } = await api(`/v1/integrity?from=${day}&to=${day}&granularity=day&${query}`, {
    token: tokens.cx,
  });
  expect(status).toBe(200);
  return body;
};
const groupOf = async (query: string, group: string, day = visitDay()) =>
  (await integrity(query, day)).groups.find((g: { group: string }) => g.group === group);

const importRows = (rows: object[]) =>
  api('/v1/imports', {
    token: tokens.ingest,
    body: rows.map((r) => JSON.stringify(r)).join('\n'),
    headers: { 'content-type': 'application/x-ndjson' },
  });

describe('integrity signals through the local runtime', () => {
  it('flags web answers given at once from the store network, the second customer on one device too, and lists them', async () => {
    const advisorId = `A-fast-${randomUUID().slice(0, 6)}`;
    await answerWithThisBrowser(advisorId, 10);
    await answerWithThisBrowser(advisorId, 10);

    const group = await waitFor(async () => {
      const g = await groupOf('groupBy=advisor&storeId=sz-futian', advisorId, webAnswerDay());
      return g?.answers.responses === 2 ? g : undefined;
    }, 'both web answers in the integrity rollups');
    expect(group.answers).toMatchObject({ web: 2, fast: 2, storeNetwork: 2, sharedDevice: 1, flagged: 2 });
    expect(group.signals.map((s: { signal: string }) => s.signal)).toEqual(
      expect.arrayContaining(['fast_answers', 'store_network', 'shared_device']),
    );

    const { body } = await api(
      `/v1/responses?metric=nps&from=${webAnswerDay()}&to=${webAnswerDay()}&storeId=sz-futian&advisorId=${advisorId}&flagged=true`,
      { token: tokens.cx },
    );
    expect(body.responses.map((r: { flags: string[] }) => r.flags).sort()).toEqual([
      ['fast_answer', 'store_network'],
      ['fast_answer', 'store_network', 'shared_device'],
    ]);
  });

  it("counts a phone on several customers' visits as shared, and a staff phone, per advisor", async () => {
    const advisorId = `A-phone-${randomUUID().slice(0, 6)}`;
    const phone = newPhone();
    await postVisit(visit({ advisorId }, { phone, id: 'C-first' }));
    // The second customer on the same number is throttled too: the visit still counts, with its flag.
    await postVisit(visit({ advisorId }, { phone, id: 'C-second' }));
    await postVisit(visit({ advisorId }, { phone: '13700000001' }));
    await postVisit(visit({ advisorId }, { phone: '' }));

    const group = await waitFor(async () => {
      const g = await groupOf('groupBy=advisor&storeId=sh-pudong', advisorId);
      return g?.visits === 4 ? g : undefined;
    }, 'the four visits in the funnel');
    expect(group.contact).toMatchObject({ sharedPhone: 1, staffPhone: 1, noPhone: 1, invalidPhone: 0, flagged: 3, share: 75 });
  });

  it('flags a streak of perfect scores from streakLength on, whatever order the scorer takes them in', async () => {
    const advisorId = `A-streak-${randomUUID().slice(0, 6)}`;
    const day = visitDay('Asia/Shanghai', -1);
    const rows = Array.from({ length: 12 }, (_, i) => ({
      eventId: `IMP-${randomUUID()}`,
      occurredAt: `${day}T${String(8 + (i % 10)).padStart(2, '0')}:00:00+08:00`,
      storeId: 'sh-minhang',
      serviceType: 'maintenance',
      advisorId,
      score: 10,
    }));
    expect((await importRows(rows)).status).toBe(200);

    // The streak is decided by answer time where the stream batches the advisor's answers, after they count.
    const group = await waitFor(async () => {
      const body = await integrity('groupBy=advisor&storeId=sh-minhang', day);
      const g = body.groups.find((x: { group: string }) => x.group === advisorId);
      return g?.answers.responses === 12 && g.answers.perfectStreak === 3 ? g : undefined;
    }, 'the imported answers and their streak in the rollups');
    // A run of 12 tens reaches 10, 11 and 12: three answers carry the flag, all twelve still count.
    expect(group.answers).toMatchObject({ perfectStreak: 3, flagged: 3 });
    expect(group.topScores).toMatchObject({ count: 12, share: 100 });
  });

  it("scores one advisor's 200 answers at once, none waiting for another, with the streak of their answer times", async () => {
    const advisorId = `A-busy-${randomUUID().slice(0, 6)}`;
    const day = visitDay('Asia/Shanghai', -3);
    // A 10 at most minutes, an 8 now and then: runs long enough to flag, broken often enough to matter.
    const scoreAt = (i: number) => (i % 23 === 7 || i % 37 === 3 ? 8 : 10);
    const answerOf = (i: number) => ({
      score: scoreAt(i),
      answeredAt: new Date(Date.parse(`${day}T09:00:00+08:00`) + i * 60_000).toISOString(),
    });
    const answers = Array.from({ length: 200 }, (_, i) => answerOf(i));
    const expected: string[] = [];
    let run = 0;
    for (const a of answers) {
      run = a.score === 10 ? run + 1 : 0;
      if (run >= 10) expected.push(a.answeredAt);
    }
    // The import hands them to the scorers in another order than they were answered in.
    const rows = Array.from({ length: 200 }, (_, k) => answerOf((k * 73) % 200)).map((a) => ({
      eventId: `IMP-${randomUUID()}`,
      occurredAt: `${day}T08:00:00+08:00`,
      storeId: 'sh-minhang',
      serviceType: 'maintenance',
      advisorId,
      score: a.score,
      answeredAt: a.answeredAt,
    }));
    expect((await importRows(rows)).status).toBe(200);

    // A scoring retried for contention would sit out the responses queue's 180 s visibility timeout.
    const group = await waitFor(
      async () => {
        const body = await integrity('groupBy=advisor&storeId=sh-minhang', day);
        const g = body.groups.find((x: { group: string }) => x.group === advisorId);
        return g?.answers.responses === 200 && g.answers.perfectStreak === expected.length ? g : undefined;
      },
      'all 200 answers and their streak flags in the rollups',
      120_000,
    );
    expect(group.answers.flagged).toBe(expected.length);

    // The answers themselves carry the flags a moment after the rollups count them.
    const flaggedAnswers = async () => {
      const flagged: string[] = [];
      let cursor: string | undefined;
      do {
        const { body } = await api(
          `/v1/responses?metric=nps&from=${day}&to=${day}&storeId=sh-minhang&advisorId=${advisorId}&flagged=true&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
          { token: tokens.cx },
        );
        flagged.push(...body.responses.map((r: { answeredAt: string }) => r.answeredAt));
        cursor = body.nextCursor;
      } while (cursor);
      return flagged.sort();
    };
    const flagged = await waitFor(async () => {
      const answers = await flaggedAnswers();
      // The same count can show mid-way, flags moving from some answers to others: wait for the set itself.
      return JSON.stringify(answers) === JSON.stringify(expected) ? answers : undefined;
    }, 'the streak flags on the answers');
    expect(flagged).toEqual(expected);
  }, 180_000);

  it('answers the score with and without flagged answers exactly', async () => {
    const advisorId = `A-exact-${randomUUID().slice(0, 6)}`;
    const day = visitDay('Asia/Shanghai', -2);
    const row = (hour: number, score: number, web: boolean) => {
      const occurredAt = `${day}T${String(hour).padStart(2, '0')}:00:00+08:00`;
      return {
        eventId: `IMP-${randomUUID()}`,
        occurredAt,
        storeId: 'sh-pudong',
        serviceType: 'maintenance',
        advisorId,
        score,
        channel: web ? 'web' : 'sms',
        // Five minutes after the visit: a fast web answer.
        answeredAt: `${day}T${String(hour).padStart(2, '0')}:05:00+08:00`,
      };
    };
    const rows = [
      row(9, 10, true),
      row(10, 10, true),
      row(11, 10, true),
      row(12, 3, false),
      row(13, 5, false),
      row(14, 8, false),
    ];
    expect((await importRows(rows)).status).toBe(200);

    const query = `metric=nps&groupBy=advisor&storeId=sh-pudong&advisorId=${advisorId}&from=${day}&to=${day}&granularity=day`;
    const bucket = await waitFor(async () => {
      const { body } = await scores(`${query}&excludeFlagged=true`);
      return body.buckets[0]?.includingFlagged?.responses === 6 ? body.buckets[0] : undefined;
    }, 'the imported answers in the rollups');
    // All six: (3 − 2) / 6 = 16.7. Without the three fast tens: (0 − 2) / 3 = −66.7.
    expect(bucket).toMatchObject({ responses: 3, promoters: 0, passives: 1, detractors: 2, score: -66.7, flagged: 3 });
    expect(bucket.includingFlagged).toMatchObject({ responses: 6, promoters: 3, detractors: 2, score: 16.7 });
    expect((await scores(query)).body.buckets[0]).toMatchObject({ responses: 6, score: 16.7 });
  });
});
