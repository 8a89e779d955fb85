/**
 * What the scores table keeps of an answer, as read back from it: on the answer's own item,
 * in the change stream, and inside the answer's place in its advisor's streak.
 */
import * as z from '#shared/zod.ts';
import { reachChannels, surveyType } from '#shared/config/schema.ts';
import { integrityFlags } from '#shared/domain/integrity.ts';

export const date = z.iso.date();
export const optionalId = z.optional(z.string().check(z.minLength(1)));
export const dimensions = {
  storeId: z.string().check(z.minLength(1)),
  departmentId: optionalId,
  advisorId: optionalId,
  serviceType: optionalId,
  visitDate: date,
};

/** Flags this code does not know (written by a newer version) are left out, never fail the record. */
export const knownFlags = <T extends string>(names: readonly T[]) =>
  z.pipe(
    z.optional(z.array(z.string())),
    z.transform((flags) => flags?.filter((f): f is T => (names as readonly string[]).includes(f))),
  );

/** A kept answer as the scores table holds it: on its own item, and inside its streak's item. */
export const storedResponse = z.object({
  surveyId: z.string().check(z.minLength(1)),
  surveyType,
  score: z.int(),
  ...dimensions,
  departmentId: z.string().check(z.minLength(1)),
  serviceType: z.string().check(z.minLength(1)),
  answeredAt: z.string().check(z.minLength(1)),
  comment: z.optional(z.string()),
  channel: z.catch(z.enum(['sms', 'web', 'call']), 'sms'),
  /** A channel this code does not know (written by a newer version) reads as none: the answer counts by its own channel. */
  reach: z.catch(z.optional(z.enum(reachChannels)), undefined),
  caller: z.optional(z.object({ sub: z.string().check(z.minLength(1)), name: z.string() })),
  recoveryOf: z.optional(z.string()),
  flags: knownFlags(integrityFlags),
});

/** An answer's place in its advisor's streak (DynamoStreakStore), as stored and as the stream carries it. */
export const streakItem = z.object({
  type: z.literal('streak-answer'),
  streak: z.string().check(z.minLength(1)),
  at: z.string().check(z.minLength(1)),
  top: z.boolean(),
  flagged: z.boolean(),
  response: storedResponse,
});
