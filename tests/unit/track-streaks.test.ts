import { describe, expect, it } from 'vitest';
import { streakFlagChanges } from '#shared/domain/integrity.ts';
import { recordAnswer } from '#shared/use-cases/record-answer.ts';
import { aSurvey, configWith, createFakes } from './fakes.ts';
import { seededRandom } from '../../local/seeded-random.ts';

const STREAK = 10;

/** What the flags must be: an answer is flagged when it and the nine before it, by answer time, are all 10s. */
function expectedFlags(scores: number[]) {
  let run = 0;
  return scores.map((score) => {
    run = score === 10 ? run + 1 : 0;
    return run >= STREAK;
  });
}

/** 200 answers of one advisor on one day, a minute apart: long runs of 10s broken by an 8 or a 3 now and then. */
function oneAdvisorsDay(random: () => number) {
  return Array.from({ length: 200 }, (_, i) => ({
    id: `sv_streak_${String(i).padStart(3, '0')}`,
    score: random() < 0.06 ? 8 : random() < 0.02 ? 3 : 10,
    scoredAt: new Date(Date.parse('2026-11-19T01:00:00.000Z') + i * 60_000).toISOString(),
  }));
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('streakFlagChanges', () => {
  const place = (top: boolean, flagged = false) => ({ at: String(Math.random()), top, flagged });

  it('flags the answer that completes a run of `length` top scores, counting the answers before it', () => {
    const changes = streakFlagChanges([place(true), place(true)], [place(true), place(true)], 3);
    expect(changes.map((c) => c.flagged)).toEqual([true, true]);
  });

  it('takes a flag back when a lower score arrives inside the run', () => {
    const range = [place(false), place(true, true), place(true, true)];
    expect(streakFlagChanges([place(true), place(true)], range, 3).map((c) => c.flagged)).toEqual([false, false]);
  });

  it('answers nothing when no flag changes', () => {
    expect(streakFlagChanges([place(true)], [place(true), place(false)], 3)).toEqual([]);
  });
});

describe('an advisor streak, decided by answer time', () => {
  it('scores one advisor’s 200 answers concurrently with the same flags whatever the order, none retried', async () => {
    const random = seededRandom(20261207);
    const day = oneAdvisorsDay(random);
    const expected = expectedFlags(day.map((a) => a.score));
    expect(expected.filter(Boolean).length).toBeGreaterThan(10);

    for (let round = 0; round < 5; round++) {
      const fakes = createFakes({ config: configWith({}), now: '2026-11-19T06:00:00.000Z' });
      for (const answer of day) {
        fakes.surveys.seed(
          aSurvey({ id: answer.id, status: 'completed', score: answer.score, scoredAt: answer.scoredAt, advisorId: 'A-17' }),
        );
      }
      // Scorers take the answers in any order, all at once, and the stream hands them over in batches of any size.
      const order = shuffled(day, random);
      while (order.length) {
        const batch = order.splice(0, 1 + Math.floor(random() * 40));
        const outcomes = await Promise.all(batch.map((a) => recordAnswer(fakes, a.id)));
        expect(outcomes.every((o) => o.recorded)).toBe(true);
        await fakes.rollups.drain();
      }

      const flagged = day.map((a) => fakes.responses.responses.get(a.id)?.flags?.includes('perfect_streak') ?? false);
      expect(flagged).toEqual(expected);
      const bucket = await fakes.rollups.bucket('nps', 'day', 'store+advisor', '2026-11-19', 'sh-pudong|A-17');
      expect(bucket).toMatchObject({ responses: 200, flag_perfect_streak: expected.filter(Boolean).length });
    }
  });

  it('takes a flag back, and out of the rollups, when an earlier lower score arrives late', async () => {
    const fakes = createFakes({ now: '2026-11-19T06:00:00.000Z' });
    const at = (minute: number) => new Date(Date.parse('2026-11-19T01:00:00.000Z') + minute * 60_000).toISOString();
    for (let i = 0; i < 12; i++) {
      fakes.surveys.seed(aSurvey({ id: `sv_late_${i}`, status: 'completed', score: i === 5 ? 6 : 10, scoredAt: at(i) }));
    }
    for (let i = 0; i < 12; i++) if (i !== 5) await recordAnswer(fakes, `sv_late_${i}`);
    await fakes.rollups.drain();
    const flaggedBefore = await fakes.rollups.bucket('nps', 'day', 'all', '2026-11-19', 'all');
    expect(flaggedBefore).toMatchObject({ responses: 11, flag_perfect_streak: 2, flaggedPromoters: 2 });

    await recordAnswer(fakes, 'sv_late_5');
    await fakes.rollups.drain();

    expect(fakes.responses.responses.get('sv_late_11')?.flags).toBeUndefined();
    expect(await fakes.rollups.bucket('nps', 'day', 'all', '2026-11-19', 'all')).toMatchObject({
      responses: 12,
      flag_perfect_streak: 0,
      flaggedPromoters: 0,
    });
  });

  it('leaves a re-survey and an answer without an advisor out of every streak', async () => {
    const fakes = createFakes();
    fakes.surveys.seed(aSurvey({ id: 'sv_recovery', status: 'completed', score: 10, recoveryOf: 'sv_x' }));
    fakes.surveys.seed(aSurvey({ id: 'sv_no_advisor', status: 'completed', score: 10, advisorId: undefined }));
    await recordAnswer(fakes, 'sv_recovery');
    await recordAnswer(fakes, 'sv_no_advisor');
    expect(fakes.streaks.answers.size).toBe(0);
  });
});
