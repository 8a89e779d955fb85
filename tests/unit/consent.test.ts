import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { revokesConsent } from '#shared/domain/consent.ts';
import { keywordOf } from '#shared/domain/reply-parser.ts';

interface Corpus {
  revoking: { en: string[]; zh: string[] };
  comments: { en: string[]; zh: string[] };
}
const corpus: Corpus = JSON.parse(readFileSync(new URL('./fixtures/consent-corpus.json', import.meta.url), 'utf8'));
const revoking = [...corpus.revoking.en, ...corpus.revoking.zh];
const comments = [...corpus.comments.en, ...corpus.comments.zh];

describe('the consent corpus', () => {
  it('holds at least 40 revocations and 40 comments, in both languages', () => {
    expect(revoking.length).toBeGreaterThanOrEqual(40);
    expect(comments.length).toBeGreaterThanOrEqual(40);
    for (const examples of [corpus.revoking.en, corpus.revoking.zh, corpus.comments.en, corpus.comments.zh]) {
      expect(examples.length).toBeGreaterThanOrEqual(20);
    }
  });

  it('holds no example twice, nor one on both sides', () => {
    expect(new Set([...revoking, ...comments]).size).toBe(revoking.length + comments.length);
  });
});

describe('revokesConsent', () => {
  it.each(revoking)('reads %j as consent revoked', (text) => {
    expect(revokesConsent(text)).toBe(true);
  });

  it.each(comments)('reads %j as a comment', (text) => {
    expect(revokesConsent(text)).toBe(false);
  });

  it('reads a revocation after a comment in the same text ("..., stop texting me")', () => {
    expect(revokesConsent('Waited three hours for an oil change. Stop texting me.')).toBe(true);
    expect(revokesConsent('等了三个小时，别再给我发短信了')).toBe(true);
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(typeof revokesConsent(text)).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('reads a 1,600-character comment quickly (no runaway backtracking)', () => {
    const long = `${'stop the the the these your '.repeat(50)}${'别再再再'.repeat(100)}`.slice(0, 1600);
    const started = performance.now();

    revokesConsent(long);

    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('keywordOf on the consent corpus', () => {
  it.each(revoking)('opts %j out', (text) => {
    expect(keywordOf(text)).toBe('opt_out');
  });

  it.each(comments)('leaves %j to the conversation', (text) => {
    expect(keywordOf(text)).toBeUndefined();
  });
});
