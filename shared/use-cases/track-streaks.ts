import { type IntegrityFlag, isTopScore, sortFlags, streakFlagChanges } from '#shared/domain/integrity.ts';
import type { ScoredResponse } from '#shared/domain/records.ts';
import type { RollupFact } from '#shared/domain/rollups.ts';
import type { StreakAnswer } from '#shared/ports.ts';
import type { Deps } from './deps.ts';

type StreakDeps = Pick<Deps, 'config' | 'streaks' | 'responses'>;

/**
 * A kept answer's place in its advisor's streak, by when the customer answered; none for an
 * answer without an advisor, or a re-survey (not part of the advisor's run).
 */
export function streakPlaceOf(response: ScoredResponse): StreakAnswer | undefined {
  if (!response.advisorId || response.recoveryOf) return undefined;
  // The customer's words stay on the answer alone.
  const { comment, ...answer } = response;
  return {
    streak: `${response.storeId}|${response.advisorId}`,
    at: `${response.answeredAt}#${response.surveyId}`,
    top: isTopScore(response.surveyType, response.score),
    flagged: false,
    response: answer,
  };
}

/**
 * A kept answer joins its advisor's streak. Nothing is decided here, so scorers of one advisor's
 * answers never wait on each other.
 */
export async function joinStreak(deps: Pick<Deps, 'streaks'>, response: ScoredResponse) {
  const place = streakPlaceOf(response);
  if (place) await deps.streaks.add(place);
}

export interface StreakDecision {
  answer: StreakAnswer;
  flagged: boolean;
}

const withStreakFlag = (response: ScoredResponse, on: boolean): ScoredResponse => {
  const others = (response.flags ?? []).filter((f) => f !== 'perfect_streak');
  const flags: IntegrityFlag[] = sortFlags(on ? [...others, 'perfect_streak'] : others);
  return { ...response, flags: flags.length ? flags : undefined };
};

/**
 * New answers of one or more streaks, as a batch of the change stream brings them: which
 * answers' `perfect_streak` flags change, and what that moves in the rollups. Reads only, so a
 * retried batch decides the same until `settleStreaks` has written the decisions down.
 */
export async function reviewStreaks(deps: StreakDeps, arrived: StreakAnswer[]) {
  const length = deps.config.integrity.streakLength;
  const times = new Map<string, string[]>();
  for (const a of arrived) times.set(a.streak, [...(times.get(a.streak) ?? []), a.at]);
  const reviewed = await Promise.all(
    [...times].map(async ([streak, at]) => {
      at.sort();
      const { before, range } = await deps.streaks.around(streak, at[0] ?? '', at.at(-1) ?? '', length - 1);
      return streakFlagChanges(before, range, length).map(({ place, flagged }) => ({ answer: place, flagged }));
    }),
  );
  const decisions: StreakDecision[] = reviewed.flat();
  const facts: RollupFact[] = decisions.map(({ answer, flagged }) => ({
    kind: 'reflagged',
    before: withStreakFlag(answer.response, !flagged),
    after: withStreakFlag(answer.response, flagged),
  }));
  return { decisions, facts };
}

/** Writes the decisions down: the answer's flags first, the streak's own record of them last. */
export async function settleStreaks(deps: StreakDeps, decisions: StreakDecision[]) {
  await Promise.all(
    decisions.map(async ({ answer, flagged }) => {
      await deps.responses.setFlags(answer.response, withStreakFlag(answer.response, flagged).flags ?? []);
      await deps.streaks.setFlagged(answer, flagged);
    }),
  );
}
