/**
 * shared/domain/phone.ts parses with libphonenumber-js's full metadata less its display formats
 * (scripts/phone-metadata.ts): the file must be what the installed package gives, and every
 * number must come out as it does with the package's own full metadata, valid or not.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { type CountryCode, getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { describe, expect, it } from 'vitest';
import { toE164 } from '#shared/domain/phone.ts';
import { phoneMetadata, phoneMetadataPath } from '../../scripts/phone-metadata.ts';

const fullE164 = (raw: string, country: string) => {
  const parsed = parsePhoneNumberFromString(raw, country as CountryCode);
  return parsed?.isValid() ? parsed.number : undefined;
};

/** Each region's example mobile number, national and international, and one digit short, long or changed. */
function variants(country: CountryCode): string[] {
  const national = (examples as Record<string, string>)[country];
  if (!national) return [];
  const changed = `${national.slice(0, -3)}${(Number(national.at(-3)) + 1) % 10}${national.slice(-2)}`;
  return [national, national.slice(0, -1), `${national}5`, changed, `0${national}`].flatMap((n) => [
    n,
    `+${getCountryCallingCode(country)}${n}`,
  ]);
}

describe('phone metadata', () => {
  it('is the installed libphonenumber-js metadata without its formats (npm run phone-metadata writes it)', () => {
    expect(JSON.parse(readFileSync(phoneMetadataPath, 'utf8'))).toEqual(phoneMetadata());
    expect(readFileSync(phoneMetadataPath, 'utf8').length).toBeLessThan(110_000);
  });

  it('takes and refuses every region’s numbers as the full metadata does', () => {
    const countries = getCountries();
    expect(countries.length).toBeGreaterThan(240);
    let valid = 0;
    for (const country of countries) {
      for (const raw of variants(country)) {
        const e164 = toE164(raw, country);
        expect(e164, `${raw} in ${country}`).toBe(fullE164(raw, country));
        if (e164) valid++;
      }
    }
    // Both kinds are in the corpus: the examples themselves, and the broken ones.
    expect(valid).toBeGreaterThan(countries.length);
  });

  it('agrees with the full metadata on example numbers with a digit replaced, added or dropped, and on any digits', () => {
    const countries = getCountries().filter((c) => c in examples);
    const edited = fc
      .record({
        country: fc.constantFrom(...countries),
        at: fc.nat(),
        digit: fc.integer({ min: 0, max: 9 }),
        edit: fc.constantFrom('replace', 'insert', 'delete'),
        international: fc.boolean(),
      })
      .map(({ country, at, digit, edit, international }) => {
        const national = (examples as Record<string, string>)[country] ?? '';
        const i = at % national.length;
        const digits = national.slice(0, i) + (edit === 'delete' ? '' : digit) + national.slice(edit === 'insert' ? i : i + 1);
        return { country, raw: international ? `+${getCountryCallingCode(country)}${digits}` : digits };
      });
    const anyDigits = fc.record({
      country: fc.constantFrom(...countries),
      raw: fc.stringMatching(/^\+?[0-9 ()-]{1,18}$/),
    });
    fc.assert(
      fc.property(fc.oneof(edited, anyDigits), ({ raw, country }) => {
        expect(toE164(raw, country)).toBe(fullE164(raw, country));
      }),
      { numRuns: 3000, seed: 15 },
    );
  });
});
