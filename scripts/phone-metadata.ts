/**
 * `npm run phone-metadata`: writes shared/domain/phone-metadata.json, libphonenumber-js's full
 * (`max`) metadata without the formatting rules. ClosedLoop parses and validates numbers and
 * writes them as E.164, which reads every other part of the metadata (the types' patterns that
 * tell a valid number from an invalid one, the possible lengths, the national and international
 * prefixes, the leading digits that pick a region among those sharing a calling code) and never
 * the national and international display formats: about 49 KB of the 153 KB. Run it after
 * upgrading libphonenumber-js; tests/unit/phone-metadata.test.ts fails until it has been.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MetadataJson } from 'libphonenumber-js/core';
import full from 'libphonenumber-js/metadata.max.json';

/** In metadata of version 4 (libphonenumber-js ≥ 1.10), where each region keeps its formats. */
const FORMATS = 4;

export const phoneMetadataPath = fileURLToPath(new URL('../shared/domain/phone-metadata.json', import.meta.url));

export function phoneMetadata(): MetadataJson {
  const withoutFormats = (region: unknown[]) => region.map((part, i) => (i === FORMATS ? null : part));
  const regions = (all: Record<string, unknown[]>) =>
    Object.fromEntries(Object.entries(all).map(([code, region]) => [code, withoutFormats(region)]));
  const { countries, nonGeographic, ...rest } = full as unknown as {
    countries: Record<string, unknown[]>;
    nonGeographic: Record<string, unknown[]>;
  };
  return { ...rest, countries: regions(countries), nonGeographic: regions(nonGeographic) } as unknown as MetadataJson;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(phoneMetadataPath, `${JSON.stringify(phoneMetadata())}\n`);
  console.log(`wrote ${phoneMetadataPath}`);
}
