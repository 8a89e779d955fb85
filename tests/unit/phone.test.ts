import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canText, maskPhone, toE164 } from '#shared/domain/phone.ts';

describe('toE164', () => {
  it.each([
    ['13800138000', 'CN', '+8613800138000'],
    ['138 0013 8000', 'CN', '+8613800138000'],
    ['+86 138-0013-8000', 'CN', '+8613800138000'],
    ['07911 123456', 'GB', '+447911123456'],
    ['+44 7911 123456', 'GB', '+447911123456'],
    ['9123 4567', 'SG', '+6591234567'],
    ['8123 4567', 'SG', '+6581234567'],
  ])('normalises %j with store country %s to %s', (raw, country, e164) => {
    expect(toE164(raw, country)).toBe(e164);
  });

  it('keeps a number that carries its own country code whatever the store’s country', () => {
    expect(toE164('+8613800138000', 'GB')).toBe('+8613800138000');
  });

  it.each([
    ['12345', 'CN'],
    ['abc', 'CN'],
    ['', 'CN'],
    ['1380013800', 'CN'], // one digit short
    ['07911 12345', 'GB'],
    ['1234 5678', 'SG'],
  ])('rejects %j (%s) as not a phone number', (raw, country) => {
    expect(toE164(raw, country)).toBeUndefined();
  });
});

describe('maskPhone', () => {
  it.each([
    ['+8613800138000', '+86 138****8000'],
    ['+447911123456', '+44 791***3456'],
    ['+6591234567', '+65 ****4567'],
  ])('masks %s as %s', (e164, masked) => {
    expect(maskPhone(e164)).toBe(masked);
  });

  it('masks something that is not a phone number entirely', () => {
    expect(maskPhone('not a phone')).toBe('****');
  });

  it('shows a Chinese mobile number’s network prefix and last 4 digits only, never more', () => {
    const prefixes = ['130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '150', '151', '152', '153'];
    const more = ['155', '156', '157', '158', '159', '166', '180', '181', '182', '183', '184', '185', '186', '187', '188', '189'];
    const mobile = fc
      .tuple(fc.constantFrom(...prefixes, ...more), fc.integer({ min: 0, max: 99_999_999 }))
      .map(([prefix, n]) => `${prefix}${String(n).padStart(8, '0')}`);
    fc.assert(
      fc.property(mobile, (national) => {
        const e164 = toE164(national, 'CN');
        expect(e164).toBe(`+86${national}`);

        const masked = maskPhone(e164 ?? '');

        expect(masked).toBe(`+86 ${national.slice(0, 3)}****${national.slice(-4)}`);
        const subscriberDigitsShown = masked.slice('+86 '.length + 3).replace(/\D/g, '');
        expect(subscriberDigitsShown).toBe(national.slice(-4));
        expect(masked).not.toContain(national);
      }),
      { numRuns: 300 },
    );
  });
});

describe('canText', () => {
  it('tells landlines (no texts) from mobiles by the numbering plan, and gives an unknown kind the benefit of the doubt', () => {
    expect(canText('+8613800138000')).toBe(true);
    expect(canText('+862038886666')).toBe(false);
    expect(canText('+861065529988')).toBe(false);
    expect(canText('+6591234567')).toBe(true);
    expect(canText('+6561234567')).toBe(false);
    expect(canText('+447911123456')).toBe(true);
    expect(canText('+441189123456')).toBe(false);
    // Ofcom's drama range: a number the plan gives no kind.
    expect(canText('+447700900123')).toBe(true);
  });
});
