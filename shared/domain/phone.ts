import { type CountryCode, type MetadataJson, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import phoneMetadata from './phone-metadata.json' with { type: 'json' };

/** libphonenumber-js's full metadata without the display formats, which nothing here uses (scripts/phone-metadata.ts). */
const metadata = phoneMetadata as unknown as MetadataJson;

/** E.164 for a number as typed, with the store's country as the default; undefined if not a phone. */
export function toE164(raw: string, defaultCountry: string): string | undefined {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry as CountryCode, metadata);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** Kinds of number no text reaches, by the numbering plan. */
const untextable = new Set(['FIXED_LINE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'UAN', 'VOICEMAIL', 'PAGER']);

/**
 * Whether a text can reach this E.164 number: not a fixed line (or a toll-free, premium-rate…
 * number) by its country's numbering plan. A number whose kind the plan does not tell (a fixed
 * line or a mobile, in some countries) is given the benefit of the doubt.
 */
export function canText(e164: string): boolean {
  const type = parsePhoneNumberFromString(e164, metadata)?.getType();
  return type === undefined || !untextable.has(type);
}

/** +8613800138000 → +86 138****8000: enough for a person to recognise, not to dial. */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164, metadata);
  if (!parsed) return '****';
  const national = parsed.nationalNumber;
  const keepEnd = national.length >= 8 ? 4 : 2;
  const keepStart = national.length >= 10 ? 3 : 0;
  const hidden = national.length - keepStart - keepEnd;
  return `+${parsed.countryCallingCode} ${national.slice(0, keepStart)}${'*'.repeat(hidden)}${national.slice(-keepEnd)}`;
}
