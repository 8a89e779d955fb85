import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keywordOf, parseScore } from '#shared/domain/reply-parser.ts';
import { scales } from '#shared/domain/scoring.ts';

/** Any string of Unicode code points, lone surrogates included (cheaper than fc.string's binary unit). */
const anyUnicode = fc
  .array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 100 })
  .map((codePoints) => String.fromCodePoint(...codePoints));

const nps = scales.nps;
const csat = scales.csat;

describe('parseScore', () => {
  it.each([
    ['9', 9],
    [' 9!', 9],
    ['9分', 9],
    ['九', 9],
    ['九分', 9],
    ['十分', 10],
    ['十', 10],
    ['零', 0],
    ['nine', 9],
    ['Nine!', 9],
    ['9/10', 9],
    ['10/10', 10],
    ['9 out of 10', 9],
    ['9分（满分10）', 9],
    ['my score is 9', 9],
    ['９', 9],
    ['10', 10],
    ['0', 0],
    ['9 9', 9],
  ])('reads %j as %i on the NPS scale', (text, expected) => {
    expect(parseScore(text, nps)).toBe(expected);
  });

  it('reads "两" and "5/5" on the CSAT scale', () => {
    expect(parseScore('两', csat)).toBe(2);
    expect(parseScore('5/5', csat)).toBe(5);
  });

  it.each([
    ['11', nps, 'above the NPS scale'],
    ['0', csat, 'below the CSAT scale'],
    ['十分', csat, 'ten on the CSAT scale'],
    ['abc', nps, 'no number'],
    ['', nps, 'empty'],
    ['   ', nps, 'only spaces'],
    ['1 or 2', nps, 'two numbers'],
    ['8 or 9', nps, 'two numbers'],
    ['9.5', nps, 'a fraction'],
    ['12345678901234567890', nps, 'a huge number'],
  ])('rejects %j (%s)', (text, scale, _why) => {
    expect(parseScore(text, scale)).toBeUndefined();
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const score = parseScore(text, nps);
        expect(score === undefined || (Number.isInteger(score) && score >= 0 && score <= 10)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on any full-Unicode string, lone surrogates included', () => {
    fc.assert(
      fc.property(anyUnicode, (text) => {
        const score = parseScore(text, csat);
        expect(score === undefined || (Number.isInteger(score) && score >= 1 && score <= 5)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it.each(Object.entries(scales))('reads every integer of the %s scale written in digits', (_survey, scale) => {
    fc.assert(
      fc.property(fc.integer(scale), (n) => {
        expect(parseScore(String(n), scale)).toBe(n);
      }),
      { numRuns: 200 },
    );
  });

  it('reads every in-range integer written with full-width digits or inside a sentence', () => {
    const fullWidth = (n: number) => [...String(n)].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    fc.assert(
      fc.property(fc.integer(nps), (n) => {
        expect(parseScore(fullWidth(n), nps)).toBe(n);
        expect(parseScore(`I'd give it ${n}!`, nps)).toBe(n);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects every integer outside the scale', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 11, max: 1_000_000 }), fc.integer({ min: -1_000_000, max: -1 })), (n) => {
        // A minus sign is not read as one: "-3" is 3, so only magnitudes above the scale are out.
        fc.pre(Math.abs(n) > nps.max);
        expect(parseScore(String(n), nps)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('keywordOf', () => {
  const optOutWords = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'TD', 'T', 'R', '退订'];

  it.each(optOutWords)('reads %s as an opt-out', (word) => {
    expect(keywordOf(word)).toBe('opt_out');
  });

  it.each([
    'stop',
    'Stop',
    'sToP',
    'stop.',
    'Stop!',
    ' STOP ',
    'unsubscribe?',
    't',
    'td',
    'Td。',
    'r',
    ' R ',
    'r。',
    '退订。',
    '退订！',
  ])('reads %j as an opt-out whatever its case and trailing punctuation', (text) => {
    expect(keywordOf(text)).toBe('opt_out');
  });

  it('reads every opt-out word in any case with any trailing punctuation as an opt-out', () => {
    const casing = (word: string) =>
      fc
        .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
        .map((upper) => [...word].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''));
    const trailing = fc
      .array(fc.constantFrom(' ', '.', '!', '！', '。', ',', '，', '?', '？'), { maxLength: 4 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.constantFrom(...optOutWords).chain((w) => casing(w)),
        trailing,
        (word, tail) => {
          expect(keywordOf(`${word}${tail}`)).toBe('opt_out');
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(['HELP', 'help', 'Help?', '帮助'])('reads %j as a request for help', (text) => {
    expect(keywordOf(text)).toBe('help');
  });

  it.each(['START', 'start', 'UNSTOP', 'Unstop.'])('reads %j as an opt-in', (text) => {
    expect(keywordOf(text)).toBe('opt_in');
  });

  it('reads "please stop texting me" as an opt-out', () => {
    expect(keywordOf('please stop texting me')).toBe('opt_out');
  });

  it('reads "不要再发了" as an opt-out', () => {
    expect(keywordOf('不要再发了')).toBe('opt_out');
  });

  it('reads R, the answer to "拒收请回复R", as an opt-out only when it is the whole reply', () => {
    expect(keywordOf('R')).toBe('opt_out');
    expect(keywordOf('r')).toBe('opt_out');
    expect(keywordOf('R&D team was great')).toBeUndefined();
    expect(keywordOf('RR')).toBeUndefined();
  });

  it('leaves a score alone', () => {
    expect(keywordOf('9')).toBeUndefined();
    expect(keywordOf('九分')).toBeUndefined();
  });

  it('leaves a comment that mentions "stop" alone, however short (a reason, not an opt-out)', () => {
    expect(keywordOf('The car kept making a noise at every stop sign on the way home')).toBeUndefined();
    expect(keywordOf("brakes don't stop")).toBeUndefined();
    expect(keywordOf('停车场太小')).toBeUndefined();
  });

  it('does not read a word that merely contains "stop" as an opt-out', () => {
    expect(keywordOf('nonstop service, great')).toBeUndefined();
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(anyUnicode, (text) => {
        expect(['opt_out', 'help', 'opt_in', undefined]).toContain(keywordOf(text));
      }),
      { numRuns: 300 },
    );
  });
});
