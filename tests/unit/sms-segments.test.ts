import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodingOf, segmentsOf, smsLength } from '#shared/domain/sms-segments.ts';

describe('encodingOf', () => {
  it.each([
    ['Thanks for visiting Reading Service Centre', 'GSM-7'],
    ['Price: €120 [incl. VAT] {ok} ^~|\\', 'GSM-7'],
    ['Café, Ñandù, Ærø, Δ', 'GSM-7'],
    ['Ñandú', 'UCS-2'], // ù is in the GSM alphabet, ú is not
    ['Line one\nLine two', 'GSM-7'],
    ['感谢光临浦东服务中心', 'UCS-2'],
    ['【星途服务】 Thanks', 'UCS-2'],
    ['façade', 'UCS-2'], // only the capital Ç is in the GSM alphabet
    ['Great service 👍', 'UCS-2'],
    ['“curly quotes”', 'UCS-2'],
  ])('encodes %j as %s', (text, encoding) => {
    expect(encodingOf(text)).toBe(encoding);
  });
});

describe('smsLength', () => {
  it.each(['€', '[', ']', '{', '}', '^', '~', '|', '\\'])('counts %j as two septets (GSM extension table)', (ch) => {
    expect(smsLength(`a${ch}`)).toBe(3);
  });

  it('counts a basic GSM character as one septet', () => {
    expect(smsLength('Hello @£$¥')).toBe(10);
  });

  it('counts UCS-2 text in UTF-16 code units, so an emoji takes two', () => {
    expect(smsLength('你好')).toBe(2);
    expect(smsLength('好👍')).toBe(3);
  });
});

describe('segmentsOf', () => {
  it.each([
    ['a'.repeat(160), 1],
    ['a'.repeat(161), 2],
    ['a'.repeat(306), 2],
    ['a'.repeat(307), 3],
    [`${'a'.repeat(158)}€`, 1],
    [`${'a'.repeat(159)}€`, 2],
  ])('splits GSM-7 text at 160 septets, then 153 per part (%#)', (text, segments) => {
    expect(segmentsOf(text)).toBe(segments);
  });

  it.each([
    ['好'.repeat(70), 1],
    ['好'.repeat(71), 2],
    ['好'.repeat(134), 2],
    ['好'.repeat(135), 3],
    ['👍'.repeat(35), 1],
    ['👍'.repeat(36), 2],
  ])('splits UCS-2 text at 70 code units, then 67 per part (%#)', (text, segments) => {
    expect(segmentsOf(text)).toBe(segments);
  });

  it('turns a 160-character English text into 3 segments when one Chinese character joins it', () => {
    const english = 'a'.repeat(159);

    expect(segmentsOf(english)).toBe(1);
    expect(segmentsOf(`${english}好`)).toBe(3); // 160 UCS-2 units / 67
  });

  it('matches the multipart arithmetic for any length of GSM-7 or UCS-2 text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.boolean(), (n, chinese) => {
        const text = (chinese ? '好' : 'a').repeat(n);
        const [single, multi] = chinese ? [70, 67] : [160, 153];

        expect(segmentsOf(text)).toBe(n <= single ? 1 : Math.ceil(n / multi));
      }),
      { numRuns: 300 },
    );
  });
});
