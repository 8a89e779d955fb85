import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/load.ts';
import { composeMessage, type MessageStep } from '#shared/domain/messages.ts';
import {
  fillTemplate,
  matchTemplate,
  missingTemplates,
  registeredText,
  templateKinds,
} from '#shared/domain/registered-templates.ts';
import { localConfig } from './fakes.ts';

const config = localConfig();
const cn = { country: 'CN' };
const values = { brand: '星途汽车服务', store: '浦东服务中心', name: '王先生', range: '0-10', link: '' };
const steps: [MessageStep, 'nps' | 'csat' | 'ces'][] = [
  ['question', 'nps'],
  ['question', 'csat'],
  ['question', 'ces'],
  ['reminder', 'nps'],
  ['reminder', 'csat'],
  ['reminder', 'ces'],
  ['question_link', 'nps'],
  ['reminder_link', 'nps'],
  ['reask', 'nps'],
  ['why', 'nps'],
  ['thanks', 'nps'],
  ['sorry', 'nps'],
  ['closed', 'nps'],
  ['help', 'nps'],
  ['opted_out', 'nps'],
  ['opted_in', 'nps'],
];

describe('the shipped config’s registered templates', () => {
  it.each(steps.flatMap(([step, survey]) => (['zh-CN', 'en'] as const).map((locale) => [step, survey, locale] as const)))(
    'give %s (%s) in %s as its registered body with the variables filled, and the text reads back as that body',
    (step, survey, locale) => {
      const link = 'https://closedloop.example.com/s/abcdefghijklmnopqrstuv';
      const composed = composeMessage(config, cn, locale, step, {
        survey,
        storeName: '浦东服务中心',
        customerName: '王先生',
        link,
      });
      expect(composed.ok).toBe(true);
      if (!composed.ok) return;
      const kind = step === 'question' || step === 'reminder' ? `${step}_${survey}` : step;
      const template = config.sms.templates[kind]?.[locale];
      expect(composed.templateId).toBe(template?.id);
      const body = (template?.body ?? '').replace('{link}', 'https://closedloop.example.com/s/{link}');
      expect(matchTemplate(body, composed.text)).toBeDefined();
      expect(composed.text).not.toMatch(/\{(brand|store|name|range|link)\}/);
    },
  );

  it('covers every kind in both locales', () => {
    for (const kind of templateKinds) {
      expect(Object.keys(config.sms.templates[kind] ?? {}).sort()).toEqual(['en', 'zh-CN']);
    }
  });

  it('sends the question as the messages the stores outside China get, signature and all', () => {
    const composed = composeMessage(config, cn, 'zh-CN', 'question', {
      survey: 'nps',
      storeName: '浦东服务中心',
      customerName: '王先生',
    });
    expect(composed).toMatchObject({
      ok: true,
      text: '【星途服务】王先生您好，感谢光临浦东服务中心。您有多大可能向亲友推荐我们？请回复0-10分。回T退订',
    });
  });

  it('leaves a store outside the registered countries on the ordinary texts', () => {
    const composed = composeMessage(config, { country: 'GB' }, 'en', 'question', {
      survey: 'csat',
      storeName: 'Reading Service Centre',
    });
    expect(composed.ok).toBe(true);
    expect(composed.ok && composed.templateId).toBeUndefined();
    expect(composed.ok && composed.text).toContain('Reading Service Centre');
  });
});

describe('fillTemplate', () => {
  const template = { id: 'SMS_1', body: '【星途服务】{name}您好，感谢光临{store}。回T退订' };

  it('takes a variable of exactly 35 characters', () => {
    const store = '店'.repeat(35);
    expect(fillTemplate(template, { ...values, store })).toEqual({
      ok: true,
      text: `【星途服务】王先生您好，感谢光临${store}。回T退订`,
      templateId: 'SMS_1',
    });
  });

  it('refuses a variable of 36 characters, naming it', () => {
    expect(fillTemplate(template, { ...values, store: '店'.repeat(36) })).toMatchObject({
      ok: false,
      problem: 'too_long',
      detail: '{store} is 36 characters, over 35',
    });
  });

  it('fills a brand name that means something in a regular expression, and in a replacement string', () => {
    const brand = 'A+ (Auto) $& Co. [1]*?';
    const filled = fillTemplate({ id: 'SMS_2', body: '[A+ (Auto)] {brand}: reply with a score' }, { ...values, brand });
    expect(filled).toEqual({ ok: true, text: `[A+ (Auto)] ${brand}: reply with a score`, templateId: 'SMS_2' });
    expect(matchTemplate('[A+ (Auto)] {brand}: reply with a score', `[A+ (Auto)] ${brand}: reply with a score`)).toEqual({
      brand,
    });
    expect(matchTemplate('[A+ (Auto)] {brand}: reply', '[AA (Auto)] x: reply')).toBeUndefined();
  });

  it('puts the survey token after the deployment’s own address for {link}, and refuses a link under another address', () => {
    const link = { id: 'SMS_3', body: '请评分：{link} 回T退订' };
    expect(fillTemplate(link, { ...values, link: 'https://s.example.cn/s/abcdefghijklmnopqrstuv' })).toMatchObject({
      ok: true,
      text: '请评分：https://s.example.cn/s/abcdefghijklmnopqrstuv 回T退订',
    });
    const filed = { id: 'SMS_4', body: '请评分：https://s.example.cn/s/{link} 回T退订' };
    expect(fillTemplate(filed, { ...values, link: 'https://s.example.cn/s/abcdefghijklmnopqrstuv' })).toMatchObject({ ok: true });
    expect(fillTemplate(filed, { ...values, link: 'https://evil.example.com/s/abcdefghijklmnopqrstuv' })).toMatchObject({
      ok: false,
      problem: 'link_not_registered',
    });
  });
});

describe('matchTemplate', () => {
  it('reads the variables back, each at most 35 characters, the rest letter for letter', () => {
    const body = '【星途服务】提醒：{store}的服务您还满意吗？';
    expect(matchTemplate(body, '【星途服务】提醒：浦东服务中心的服务您还满意吗？')).toEqual({ store: '浦东服务中心' });
    expect(matchTemplate(body, `【星途服务】提醒：${'店'.repeat(35)}的服务您还满意吗？`)).toBeDefined();
    expect(matchTemplate(body, `【星途服务】提醒：${'店'.repeat(36)}的服务您还满意吗？`)).toBeUndefined();
    expect(matchTemplate(body, '【星途服务】提醒：浦东服务中心的服务您还满意吗？点此领取优惠')).toBeUndefined();
    expect(matchTemplate(body, '【别的签名】提醒：浦东服务中心的服务您还满意吗？')).toBeUndefined();
  });
});

describe('registeredText', () => {
  it('refuses a kind with no registered template', () => {
    expect(registeredText({}, 'why', 'zh-CN', values)).toMatchObject({ ok: false, problem: 'no_template' });
    expect(registeredText({ why: { en: { id: 'x', body: 'Why?' } } }, 'why', 'zh-CN', values)).toMatchObject({
      ok: false,
      problem: 'no_template',
    });
  });
});

describe('missingTemplates', () => {
  const { sms, ...rest } = structuredClone(config) as typeof config & { sms: Record<string, unknown> };

  it('names every kind a Chinese store sends when the config registers none, and start-up stops on it', () => {
    const bare = { ...rest, sms: { provider: 'simulator' } };
    expect(() => parseConfig(bare)).toThrow(/sms\.templates\.question_nps\["zh-CN"\]: missing/);
    expect(() => parseConfig(bare)).toThrow(/sms\.templates\.opted_in\["zh-CN"\]: missing/);
  });

  it('asks nothing of a config whose countries need no registration', () => {
    const parsed = parseConfig({ ...rest, sms: { provider: 'simulator', registeredTemplateCountries: [] } });
    expect(missingTemplates(parsed)).toEqual([]);
  });

  it('asks a short conversation for no why-question', () => {
    const { why: _, ...templates } = structuredClone(sms.templates) as Record<string, unknown>;
    expect(() => parseConfig({ ...rest, sms: { ...sms, templates } })).toThrow('sms.templates.why');
    expect(parseConfig({ ...rest, sms: { ...sms, templates, conversation: 'short' } }).sms.conversation).toBe('short');
  });

  it('stops start-up on a reach naming WeChat without a wechat block, naming the field', () => {
    const { wechat: _, ...noWechat } = rest as typeof rest & { wechat?: unknown };
    const stores = rest.stores.map((s, i) => (i === 0 ? { ...s, reach: ['wechat', 'sms'] } : s));
    expect(() => parseConfig({ ...noWechat, sms, stores })).toThrow(
      /stores\[0\]\.reach: names wechat, but the config has no wechat block/,
    );
  });

  it('takes a reach of SMS, then a call-back by the default department', () => {
    const stores = rest.stores.map((s, i) => (i === 0 ? { ...s, reach: ['sms', 'call'] } : s));
    expect(parseConfig({ ...rest, sms, stores }).stores[0]?.reach).toEqual(['sms', 'call']);
  });

  it('refuses a variable the project does not fill, naming the template', () => {
    const templates = { ...(sms.templates as object), extra_kind: { 'zh-CN': { id: 'x', body: '{brand}{coupon}' } } };
    expect(() => parseConfig({ ...rest, sms: { ...sms, templates } })).toThrow(/sms\.templates\.extra_kind\["zh-CN"\]\.body/);
  });
});
