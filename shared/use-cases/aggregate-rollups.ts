import { foldIncrements, type RollupFact } from '#shared/domain/rollups.ts';
import type { Deps } from './deps.ts';

/**
 * Adds a batch of facts to the rollups: folded in memory into one increment per bucket, then
 * applied exactly once per batch. Under load a batch carries hundreds of answers, so each
 * bucket takes one write for all of them instead of one write per answer.
 */
export async function aggregateRollups(deps: Pick<Deps, 'rollups'>, batch: { id: string; facts: RollupFact[] }) {
  const increments = foldIncrements(batch.facts);
  if (increments.length === 0) return { facts: 0, buckets: 0, applied: 0, alreadyApplied: 0 };
  const outcome = await deps.rollups.apply(batch.id, increments);
  return { facts: batch.facts.length, buckets: increments.length, ...outcome };
}
