import { describe, expect, it } from 'vitest';
import type { Config, Locale, SurveyType } from '#shared/config/schema.ts';
import { type MessageStep, renderMessage, signatureFor } from '#shared/domain/messages.ts';
import { encodingOf, segmentsOf } from '#shared/domain/sms-segments.ts';
import { localConfig } from './fakes.ts';

const config = localConfig();
const objectSignature = config.brand; // { 'zh-CN': '【星途服务】', en: '[Xingtu Service]' }
const stringSignature: Config['brand'] = { name: '星途汽车服务', smsSignature: '【星途服务】' };
/** One Chinese signature for every locale, with a brand name English texts can carry. */
const latinBrandStringSignature: Config['brand'] = { name: 'Changfeng', smsSignature: '【长风服务】' };
const link = 'https://cl.example.com/s/Qm9vBk3xYp7tLrWz2aH5nA';

const steps: MessageStep[] = [
  'question',
  'reask',
  'reminder',
  'why',
  'thanks',
  'sorry',
  'closed',
  'help',
  'opted_out',
  'opted_in',
];
const linkSteps: MessageStep[] = ['question_link', 'reminder_link'];
const surveys: SurveyType[] = ['nps', 'csat', 'ces'];

const zhStores = [
  '上海浦东新区张江高科技园区旗舰服务中心',
  '浦东服务中心',
  '北京市朝阳区东三环北路汽车售后服务旗舰中心（二期）',
  '广东省深圳市南山区粤海街道科技园南区高新南七道汽车售后服务旗舰中心',
];
const zhNames = [undefined, '王先生', '欧阳娜娜女士', '爱新觉罗·溥仪先生您好呀'];
const enStores = ['Reading Service Centre and Bodyshop, Berkshire', 'Jurong Service Centre', 'Reading'];
const enNames = [undefined, 'Sam', 'Alexandra Montgomery-Smythe'];

const stepsAndSurveys = steps.flatMap((step) => surveys.map((survey) => ({ step, survey })));
/** Every step of every mode: the link-mode texts carry the web survey's address. */
const everyText = [...stepsAndSurveys, ...surveys.flatMap((survey) => linkSteps.map((step) => ({ step, survey })))];

/** Every store × customer name rendered for one step and survey type. */
const renderAll = (
  brand: Config['brand'],
  locale: Locale,
  step: MessageStep,
  survey: SurveyType,
  stores: string[],
  names: (string | undefined)[],
) =>
  stores.flatMap((storeName) =>
    names.map((customerName) => renderMessage(brand, locale, step, { survey, storeName, customerName, link })),
  );

describe('renderMessage', () => {
  it.each(stepsAndSurveys)(
    'fits the zh-CN $step ($survey) in one segment for long store and customer names, with the configured signature',
    ({ step, survey }) => {
      for (const text of renderAll(objectSignature, 'zh-CN', step, survey, zhStores, zhNames)) {
        expect(segmentsOf(text), text).toBe(1);
        expect(text.startsWith('【星途服务】'), text).toBe(true);
      }
    },
  );

  it.each(stepsAndSurveys)(
    'fits the zh-CN $step ($survey) in one segment for long store and customer names, with a single string signature',
    ({ step, survey }) => {
      for (const text of renderAll(stringSignature, 'zh-CN', step, survey, zhStores, zhNames)) {
        expect(segmentsOf(text), text).toBe(1);
        expect(text.startsWith('【星途服务】'), text).toBe(true);
      }
    },
  );

  const englishSignatures = [
    { signature: 'one per locale', brand: objectSignature, opening: /^\[Xingtu Service\] / },
    { signature: 'one Chinese string, GSM-7 brand name', brand: latinBrandStringSignature, opening: /^\[Changfeng\] / },
    { signature: 'one Chinese string, Chinese brand name', brand: stringSignature, opening: /^(?![\s[【])/ },
  ];

  it.each(englishSignatures.flatMap((brand) => everyText.map((text) => ({ ...brand, ...text }))))(
    'fits the en $step ($survey) in one GSM-7 segment with no 【】 for long names, signature $signature',
    ({ brand, opening, step, survey }) => {
      for (const text of renderAll(brand, 'en', step, survey, [...enStores, ...zhStores], [...enNames, '王先生'])) {
        expect(encodingOf(text), text).toBe('GSM-7');
        expect(segmentsOf(text), text).toBe(1);
        expect(text, text).toMatch(opening);
      }
    },
  );

  it('keeps the Chinese signature on zh-CN texts of a brand whose English texts derive one', () => {
    const text = renderMessage(latinBrandStringSignature, 'zh-CN', 'thanks', { survey: 'nps', storeName: '浦东服务中心' });

    expect(text).toBe('【长风服务】感谢您的反馈，我们会继续努力！');
  });

  it('renders the English question of a GB store of a brand with one Chinese signature in one GSM-7 segment', () => {
    const text = renderMessage({ name: '长风汽车服务', smsSignature: '【长风服务】' }, 'en', 'question', {
      survey: 'nps',
      storeName: 'Reading',
    });

    expect(text).toBe(
      'Thanks for visiting Reading. How likely are you to recommend us to a friend? Reply 0-10. Reply STOP to opt out',
    );
  });

  it.each(
    surveys.flatMap((survey) =>
      (['question', 'reminder', 'reask'] as const).flatMap((step) => [
        { survey, step, locale: 'zh-CN' as const, storeName: zhStores[0] ?? '', hint: '回T退订' },
        { survey, step, locale: 'en' as const, storeName: enStores[0] ?? '', hint: 'Reply STOP to opt out' },
      ]),
    ),
  )('ends the $step ($survey, $locale) with the opt-out hint', ({ survey, step, locale, storeName, hint }) => {
    const text = renderMessage(objectSignature, locale, step, { survey, storeName, customerName: 'Alexandra Montgomery-Smythe' });

    expect(text.endsWith(hint)).toBe(true);
  });

  it('greets the customer by name and names the store when both fit', () => {
    const text = renderMessage(objectSignature, 'zh-CN', 'question', {
      survey: 'nps',
      storeName: '浦东服务中心',
      customerName: '王先生',
    });

    expect(text).toBe('【星途服务】王先生您好，感谢光临浦东服务中心。您有多大可能向亲友推荐我们？请回复0-10分。回T退订');
  });

  it('asks the scale of the survey type in the question', () => {
    const ctx = { storeName: 'Reading', customerName: 'Sam' };

    expect(renderMessage(objectSignature, 'en', 'question', { survey: 'nps', ...ctx })).toContain('Reply 0-10');
    expect(renderMessage(objectSignature, 'en', 'question', { survey: 'csat', ...ctx })).toContain('Reply 1-5');
    expect(renderMessage(objectSignature, 'en', 'question', { survey: 'ces', ...ctx })).toContain('Reply 1-7');
  });

  it('drops the customer name, keeping the whole store name, when that is enough to fit', () => {
    const text = renderMessage(objectSignature, 'en', 'question', {
      survey: 'csat',
      storeName: 'Reading Service Centre',
      customerName: 'Alexandra Montgomery',
    });

    expect(text).not.toContain('Alexandra');
    expect(text).toContain('Thanks for visiting Reading Service Centre.');
    expect(segmentsOf(text)).toBe(1);
  });

  it('cuts a Chinese store name too long for one segment and marks the cut with …', () => {
    const storeName = '广东省深圳市南山区粤海街道科技园南区高新南七道汽车售后服务旗舰中心';

    const text = renderMessage(objectSignature, 'zh-CN', 'question', { survey: 'csat', storeName });

    const shown = /感谢光临(.*?)…/.exec(text)?.[1] ?? '';
    expect(shown.length).toBeGreaterThan(0);
    expect(storeName.startsWith(shown)).toBe(true);
    expect(segmentsOf(text)).toBe(1);
  });

  it('cuts an English store name too long for one segment and marks the cut with ...', () => {
    const storeName = 'Reading Service Centre and Bodyshop, Berkshire';

    const text = renderMessage(objectSignature, 'en', 'question', { survey: 'ces', storeName });

    const shown = /visiting (.*?)\.\.\./.exec(text)?.[1] ?? '';
    expect(shown.length).toBeGreaterThan(0);
    expect(storeName.startsWith(shown)).toBe(true);
    expect(shown.length).toBeLessThan(storeName.length);
  });

  // BUG: an English-speaking customer of a store with a Chinese name (config/local.json's
  // sh-pudong, "浦东服务中心") gets a 2-segment UCS-2 question: cutting the store name down to two
  // characters cannot change the encoding, so the text stays at 124 UCS-2 units (> 70).
  it('fits the English question for a store with a Chinese name in one segment', () => {
    const text = renderMessage(objectSignature, 'en', 'question', {
      survey: 'nps',
      storeName: '浦东服务中心',
      customerName: 'David',
    });

    expect(segmentsOf(text)).toBe(1);
  });
});

describe('signatureFor', () => {
  it('takes the signature of the locale from a per-locale signature', () => {
    expect(signatureFor(objectSignature, 'zh-CN')).toBe('【星途服务】');
    expect(signatureFor(objectSignature, 'en')).toBe('[Xingtu Service]');
  });

  it('falls back to the first configured signature when the locale has none', () => {
    expect(signatureFor({ name: 'x', smsSignature: { en: '[X Service]' } }, 'zh-CN')).toBe('[X Service]');
  });

  it('uses a single string signature for Chinese texts, and for English ones when it is GSM-7', () => {
    expect(signatureFor(stringSignature, 'zh-CN')).toBe('【星途服务】');
    expect(signatureFor({ name: 'x', smsSignature: 'Xingtu' }, 'en')).toBe('Xingtu');
  });

  it('derives [brand name] for English texts from a Chinese signature, one string or another locale', () => {
    expect(signatureFor(latinBrandStringSignature, 'en')).toBe('[Changfeng]');
    expect(signatureFor({ name: 'Changfeng', smsSignature: { 'zh-CN': '【长风服务】' } }, 'en')).toBe('[Changfeng]');
  });

  it('gives English texts no signature when the brand name is not GSM-7 or too long for one', () => {
    expect(signatureFor(stringSignature, 'en')).toBe('');
    expect(signatureFor({ name: 'Changfeng Automotive Services', smsSignature: '【长风服务】' }, 'en')).toBe('');
  });
});
