/** An answer and its streak place written together, against DynamoDB Local, on tables of its own. */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTopology } from '#infra/topology.ts';
import { ensureTables } from '#local/dynamodb-local.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoResponseStore } from '#shared/adapters/dynamodb/response-store.ts';
import { DynamoStreakStore } from '#shared/adapters/dynamodb/streak-store.ts';
import { loadConfigFile } from '#shared/config/load.ts';
import type { ScoredResponse } from '#shared/domain/records.ts';
import { streakPlaceOf } from '#shared/use-cases/track-streaks.ts';
import { dynamo, stack } from './helpers.ts';

const suffix = Math.floor(Math.random() * 1e9);
const names: Record<string, string> = { scores: `resp-scores-${suffix}` };
const db = createDocumentClient(dynamo);
const responses = new DynamoResponseStore(db, names.scores ?? '', 730);
const streaks = new DynamoStreakStore(db, names.scores ?? '', 730);
const answer = (surveyId: string, answeredAt: string): ScoredResponse => ({
  surveyId,
  surveyType: 'nps',
  score: 10,
  storeId: 'sh-pudong',
  departmentId: 'workshop',
  advisorId: 'A-17',
  serviceType: 'maintenance',
  visitDate: answeredAt.slice(0, 10),
  answeredAt,
  channel: 'sms',
});
const streakOf = async () =>
  (await streaks.around('sh-pudong|A-17', '2026-01-01', '2026-12-31', 5)).range.map((a) => [a.response.surveyId, a.flagged]);

beforeAll(async () => {
  const tables = buildTopology(loadConfigFile(stack.configPath)).tables.map((t) => ({ ...t, stream: undefined }));
  await ensureTables(dynamo, tables, (t) => names[t.name] ?? t.name);
});
afterAll(async () => {
  for (const name of Object.values(names)) await dynamo.send(new DeleteTableCommand({ TableName: name }));
});

describe('DynamoResponseStore.record with a streak place', () => {
  it('keeps the answer and places it in its streak in one write, once', async () => {
    const first = answer('sv_s1', '2026-11-10T08:00:00.000Z');

    expect(await responses.record(first, streakPlaceOf(first))).toBe('recorded');
    expect(await responses.record(first, streakPlaceOf(first))).toBe('duplicate');

    expect(await responses.keptOf([first])).toEqual(new Set(['sv_s1']));
    expect(await streakOf()).toEqual([['sv_s1', false]]);
  });

  it('keeps an answer whose place is there already, leaving the flag decided on it', async () => {
    const second = answer('sv_s2', '2026-11-11T08:00:00.000Z');
    const place = streakPlaceOf(second);
    if (!place) throw new Error('an answer with an advisor has a place');
    await streaks.add(place);
    await streaks.setFlagged(place, true);

    expect(await responses.record(second, place)).toBe('recorded');

    expect(await responses.keptOf([second])).toEqual(new Set(['sv_s2']));
    expect(await streakOf()).toEqual([
      ['sv_s1', false],
      ['sv_s2', true],
    ]);
  });
});

describe('DynamoResponseStore.recordMany', () => {
  it('keeps a batch of new answers with their places in one write, leaving out one kept or placed already', async () => {
    const batch = Array.from({ length: 30 }, (_, i) =>
      answer(`sv_m${i}`, `2026-10-${String(i + 1).padStart(2, '0')}T08:00:00.000Z`),
    );
    const [kept, placed] = [batch[4], batch[9]];
    if (!kept || !placed) throw new Error('a batch of 30');
    await responses.record(kept, streakPlaceOf(kept));
    const place = streakPlaceOf(placed);
    if (place) await streaks.add(place);

    const first = await responses.recordMany(batch.map((response) => ({ response, place: streakPlaceOf(response) })));
    const again = await responses.recordMany(batch.map((response) => ({ response, place: streakPlaceOf(response) })));

    expect([...first].sort()).toEqual(
      batch
        .map((r) => r.surveyId)
        .filter((id) => id !== 'sv_m4' && id !== 'sv_m9')
        .sort(),
    );
    expect(again.size).toBe(0);
    // The one placed already is not kept here: record decides it on its own.
    expect((await responses.keptOf(batch)).size).toBe(29);
    expect(await responses.record(placed, place)).toBe('recorded');
  });
});
