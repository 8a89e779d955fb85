import { describe, expect, it } from 'vitest';
import { isReturn } from '#shared/domain/retention.ts';
import { segments } from '#shared/domain/rfm.ts';
import type { CustomerVisitChange } from '#shared/ports.ts';
import { importAnswers, validateImportRows } from '#shared/use-cases/import-answers.ts';
import { recordAnswer } from '#shared/use-cases/record-answer.ts';
import { noteVisit } from '#shared/use-cases/track-retention.ts';
import { createFakes, type Fakes, fakeVault } from './fakes.ts';

const NOW = '2026-11-20T03:00:00.000Z';
const DAY = 86_400_000;
const SLICE = 8;

interface Row {
  eventId: string;
  occurredAt: string;
  storeId: string;
  serviceType: string;
  phone: string;
  amount: number;
  score?: number;
}

/** Twelve customers' visits over the last 400 days, some answered, in a fixed shuffled order. */
function shuffledHistory(): Row[] {
  const rows: Row[] = [];
  for (let c = 0; c < 12; c++) {
    const visits = 2 + (c % 4);
    let day = 400 - c * 7;
    for (let v = 0; v < visits && day > 2; v++) {
      rows.push({
        eventId: `RO-${c}-${v}`,
        occurredAt: new Date(Date.parse(NOW) - day * DAY).toISOString(),
        storeId: c % 3 === 0 ? 'sh-minhang' : 'sh-pudong',
        serviceType: v % 2 === 0 ? 'maintenance' : 'repair',
        phone: `138${String(c).padStart(8, '0')}`,
        amount: 300 + ((c * 7 + v * 13) % 10) * 250,
        ...((c + v) % 3 !== 2 ? { score: v % 2 === 0 ? (c + v * 3) % 11 : 1 + ((c + v) % 5) } : {}),
      });
      day -= 20 + ((c * 37 + v * 53) % 190);
    }
  }
  // A fixed permutation (a linear congruential generator), so a failure can be replayed.
  let seed = 22;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j] as Row, rows[i] as Row];
  }
  return rows;
}

const validRows = (rows: Row[]) => {
  const { rows: valid, errors } = validateImportRows(
    rows.map((fields, i) => ({ line: i + 2, fields: { ...fields }, end: 0 })),
    createFakes().config,
    new Date(NOW),
  );
  expect(errors).toEqual({});
  return valid;
};

/** The scorer's work: every answer the import handed on, kept and joined to its cohort. */
async function score(fakes: Fakes) {
  for (const surveyId of fakes.queues.responseUpdates.splice(0)) await recordAnswer(fakes, surveyId);
}

/** The history imported a slice at a time, the scorer catching up after each slice, as in a first demo. */
async function importInSlices(fakes: Fakes, rows: Row[]) {
  for (let start = 0; start < rows.length; start += SLICE) {
    await importAnswers(fakes, validRows(rows.slice(start, start + SLICE)));
    await score(fakes);
  }
}

/** Every retention counter, by bucket. */
const retentionCounters = (fakes: Fakes) =>
  Object.fromEntries(
    [...fakes.rollups.rollups]
      .filter(([partition]) => partition.startsWith('retention#'))
      .flatMap(([partition, rows]) => [...rows].map(([sk, row]) => [`${partition}|${sk}`, { ...row.counters }])),
  );

const sumOf = (counters: Record<string, Record<string, number>>, view: string, counter: string) =>
  Object.entries(counters)
    .filter(([bucket]) => bucket.startsWith(`retention#month#${view}#`))
    .reduce((sum, [, c]) => sum + (c[counter] ?? 0), 0);

/** Customers counted in some segment, over every shard. */
const customersInSegments = (fakes: Fakes) => {
  const counters = retentionCounters(fakes);
  return segments.reduce(
    (sum, s) => sum + [0, 1, 2, 3, 4, 5, 6, 7].reduce((n, shard) => n + sumOf(counters, `segments-${shard}`, s), 0),
    0,
  );
};

/** A store that writes no visit change in a batch: every customer is noted the single way, as before batching. */
function singleWayOnly(fakes: Fakes) {
  fakes.retention.applyVisitChanges = async (changes: readonly CustomerVisitChange[]) => new Set(changes.map((c) => c.phoneHash));
  return fakes;
}

describe('noting an import slice’s customers together (noteVisits)', () => {
  it('counts what noting each customer alone counts, for a history imported in shuffled slices', async () => {
    const rows = shuffledHistory();
    const batched = createFakes({ now: NOW });
    const single = singleWayOnly(createFakes({ now: NOW }));
    const staleOnes: number[] = [];
    const write = batched.retention.applyVisitChanges.bind(batched.retention);
    batched.retention.applyVisitChanges = async (changes) => {
      const stale = await write(changes);
      staleOnes.push(stale.size);
      return stale;
    };

    await importInSlices(batched, rows);
    await importInSlices(single, rows);

    const counters = retentionCounters(batched);
    expect(counters).toEqual(retentionCounters(single));
    expect(batched.retention.segmentOf).toEqual(single.retention.segmentOf);
    expect(batched.retention.timers).toEqual(single.retention.timers);
    // Nothing raced here: every customer was written in the batch.
    expect(staleOnes.every((n) => n === 0)).toBe(true);
    // And both are right: each answered visit returned within 180 days of a later visit, once.
    const returns180 = rows.filter(
      (a) =>
        a.score !== undefined && rows.some((v) => v.phone === a.phone && isReturn({ visitAt: a.occurredAt }, v.occurredAt, 180)),
    ).length;
    expect(returns180).toBeGreaterThan(5);
    expect(sumOf(counters, 'h180', 'returned')).toBe(returns180);
    expect(customersInSegments(batched)).toBe(12);
  });

  /** One customer answered 40 days ago and came back 10 days ago; the slice imports that return. */
  async function oneReturn() {
    const fakes = createFakes({ now: NOW });
    const phone = '13800000099';
    const phoneHash = fakeVault.hash(`+86${phone}`);
    const visit = (n: number, daysAgo: number, score?: number) =>
      validRows([
        {
          eventId: `RO-${n}`,
          occurredAt: new Date(Date.parse(NOW) - daysAgo * DAY).toISOString(),
          storeId: 'sh-pudong',
          serviceType: 'maintenance',
          phone,
          amount: 900,
          ...(score === undefined ? {} : { score }),
        },
      ]);
    await importAnswers(fakes, visit(1, 40, 9));
    await score(fakes);
    return { fakes, phoneHash, returnVisit: visit(2, 10) };
  }

  /** Runs `meanwhile` between the slice's read of its customers and its write, as another writer would. */
  function raceBetweenReadAndWrite(fakes: Fakes, meanwhile: () => Promise<unknown>) {
    const read = fakes.retention.histories.bind(fakes.retention);
    const write = fakes.retention.applyVisitChanges.bind(fakes.retention);
    const stale: string[] = [];
    fakes.retention.histories = async (phoneHashes) => {
      const histories = await read(phoneHashes);
      await meanwhile();
      return histories;
    };
    fakes.retention.applyVisitChanges = async (changes) => {
      const found = await write(changes);
      stale.push(...found);
      return found;
    };
    return stale;
  }

  /** The one customer's return in the counters and on their history, and the segments they are counted in. */
  async function returnAsCounted(fakes: Fakes, phoneHash: string) {
    const counters = retentionCounters(fakes);
    const counted = [...((await fakes.retention.history(phoneHash))?.counted ?? [])];
    return {
      returned: [sumOf(counters, 'h180', 'returned'), sumOf(counters, 'h365', 'returned')],
      marked: counted.map((marker) => marker.split('#')[1]).sort(),
      inSegments: customersInSegments(fakes),
    };
  }
  const ONCE = { returned: [1, 1], marked: ['180', '365'], inSegments: 1 };

  it('leaves a customer whose return another writer counted meanwhile to the single way, which counts it once', async () => {
    const { fakes, phoneHash, returnVisit } = await oneReturn();
    // A live visit of the same customer noted them first (the import's visit already in the history).
    const stale = raceBetweenReadAndWrite(fakes, () => noteVisit(fakes, phoneHash));

    await importAnswers(fakes, returnVisit);

    expect(stale).toEqual([phoneHash]);
    expect(await returnAsCounted(fakes, phoneHash)).toEqual(ONCE);
  });

  it('counts the return of a customer whose segment moved meanwhile through the single way, once', async () => {
    const { fakes, phoneHash, returnVisit } = await oneReturn();
    const month = NOW.slice(0, 7);
    // Their segment timer fired between the read and the write: the batch's move no longer holds.
    const stale = raceBetweenReadAndWrite(fakes, async () => {
      const from = fakes.retention.segmentOf.get(phoneHash);
      await fakes.retention.moveSegment(phoneHash, from, from === 'lost' ? 'hibernating' : 'lost', month);
    });

    await importAnswers(fakes, returnVisit);

    expect(stale).toEqual([phoneHash]);
    expect(await returnAsCounted(fakes, phoneHash)).toEqual(ONCE);
  });

  it('counts nothing twice when a slice cut short after part of its write is imported again and its answers redelivered', async () => {
    const rows = shuffledHistory();
    const reference = createFakes({ now: NOW });
    await importInSlices(reference, rows);
    const retried = createFakes({ now: NOW });
    const last = rows.slice(-SLICE);
    await importInSlices(retried, rows.slice(0, -SLICE));
    // The last slice's write stops after its first customers (the request timed out).
    const write = retried.retention.applyVisitChanges.bind(retried.retention);
    retried.retention.applyVisitChanges = async (changes) => {
      await write(changes.slice(0, Math.ceil(changes.length / 2)));
      throw new Error('the request timed out');
    };
    await expect(importAnswers(retried, validRows(last))).rejects.toThrow('timed out');
    retried.retention.applyVisitChanges = write;

    // The client sends the slice again; the scorer gets its answers, and then all of them again.
    await importAnswers(retried, validRows(last));
    const answered = [...retried.surveys.surveys.values()].filter((s) => s.score !== undefined).map((s) => s.id);
    await score(retried);
    for (const surveyId of answered) await recordAnswer(retried, surveyId);
    await importAnswers(retried, validRows(rows));

    expect(retentionCounters(retried)).toEqual(retentionCounters(reference));
    expect(retried.retention.segmentOf).toEqual(reference.retention.segmentOf);
    expect(retried.retention.timers).toEqual(reference.retention.timers);
  });
});
