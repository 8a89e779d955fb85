import { describe, expect, it } from 'vitest';
import { transactionGroups } from '#shared/adapters/dynamodb/survey-store.ts';
import type { ImportedSurvey } from '#shared/domain/records.ts';

const entry = (index: number, phoneHash?: string, slot = false) => ({ index, survey: { phoneHash } as ImportedSurvey, slot });
const itemsOf = (group: { survey: ImportedSurvey; slot?: boolean }[]) =>
  group.reduce((n, e) => n + 2 + (e.survey.phoneHash ? 1 : 0) + (e.slot ? 1 : 0), 0);

describe('transactionGroups', () => {
  it('fills transactions up to 100 items: 50 rows without a phone, 33 with one, 25 that also take a throttle slot', () => {
    const without = transactionGroups(Array.from({ length: 70 }, (_, i) => entry(i)));
    const withPhones = transactionGroups(Array.from({ length: 70 }, (_, i) => entry(i, `p${i}`)));
    const withSlots = transactionGroups(Array.from({ length: 70 }, (_, i) => entry(i, `p${i}`, true)));

    expect(without.map((g) => g.length)).toEqual([50, 20]);
    expect(withPhones.map((g) => g.length)).toEqual([33, 33, 4]);
    expect(withSlots.map((g) => g.length)).toEqual([25, 25, 20]);
    for (const group of [...withPhones, ...without, ...withSlots]) expect(itemsOf(group)).toBeLessThanOrEqual(100);
  });

  it("puts one customer's rows in different transactions (each touches the customer's visit counter)", () => {
    const groups = transactionGroups([entry(0, 'a'), entry(1, 'a'), entry(2, 'b'), entry(3, 'a'), entry(4)]);

    for (const group of groups) {
      const phones = group.flatMap((e) => (e.survey.phoneHash ? [e.survey.phoneHash] : []));
      expect(new Set(phones).size).toBe(phones.length);
    }
    expect(
      groups
        .flat()
        .map((e) => e.index)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4]);
  });
});
