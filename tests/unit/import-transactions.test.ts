import { describe, expect, it } from 'vitest';
import { transactionGroups } from '#shared/adapters/dynamodb/survey-store.ts';
import type { ImportedSurvey } from '#shared/domain/records.ts';

const entry = (index: number, phoneHash?: string) => ({ index, survey: { phoneHash } as ImportedSurvey });
const itemsOf = (group: ReturnType<typeof entry>[]) => group.reduce((n, e) => n + (e.survey.phoneHash ? 3 : 2), 0);

describe('transactionGroups', () => {
  it('fills transactions up to 100 items: 33 rows with a phone, 50 without', () => {
    const withPhones = transactionGroups(Array.from({ length: 70 }, (_, i) => entry(i, `p${i}`)));
    const without = transactionGroups(Array.from({ length: 70 }, (_, i) => entry(i)));

    expect(withPhones.map((g) => g.length)).toEqual([33, 33, 4]);
    expect(without.map((g) => g.length)).toEqual([50, 20]);
    for (const group of [...withPhones, ...without]) expect(itemsOf(group)).toBeLessThanOrEqual(100);
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
