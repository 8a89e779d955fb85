import { describe, expect, it } from 'vitest';
import { pickLocale, translator } from '#web/dashboard/i18n.ts';

describe('pickLocale', () => {
  it('keeps the viewer’s own choice', () => {
    expect(pickLocale('en', ['zh-CN'], 'zh-CN')).toBe('en');
  });

  it('follows the browser’s first language it speaks', () => {
    expect(pickLocale(null, ['fr-FR', 'en-GB', 'zh-CN'], 'zh-CN')).toBe('en');
    expect(pickLocale(null, ['zh-TW', 'en'], 'en')).toBe('zh-CN');
  });

  it('falls back to the brand’s default language', () => {
    expect(pickLocale('klingon', ['fr-FR'], 'zh-CN')).toBe('zh-CN');
  });
});

describe('translator', () => {
  it('fills in the named values, in each language', () => {
    expect(translator('en')('answers', { n: 12 })).toBe('12 answers');
    expect(translator('zh-CN')('answers', { n: 12 })).toBe('12 份回答');
    expect(translator('zh-CN')('target', { green: '+50', amber: '+30' })).toBe('目标 ≥ +50 · 关注线 ≥ +30');
  });
});
