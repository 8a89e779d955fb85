/**
 * Every SMS ClosedLoop sends, in zh-CN and en. Each renders to one segment (GSM-7 in English): if the
 * customer's name or a long store name would push it over, they are dropped or cut.
 */
import type { Config, Locale, SurveyType } from '#shared/config/schema.ts';
import { encodingOf, segmentsOf } from './sms-segments.ts';
import { type Filled, kindOf, registeredText, requiresRegistered } from './registered-templates.ts';

export type MessageStep =
  | 'question'
  | 'question_link'
  | 'reminder_link'
  | 'reask'
  | 'reminder'
  | 'why'
  | 'thanks'
  | 'sorry'
  | 'closed'
  | 'help'
  | 'opted_out'
  | 'opted_in';

export interface MessageContext {
  survey: SurveyType;
  storeName: string;
  customerName?: string | undefined;
  /** The web survey's address, for texts sent where the customer cannot reply. */
  link?: string | undefined;
  /** `sms.conversation: "short"`: the question asks for the score and the reason in one reply. */
  short?: boolean | undefined;
}

type Vars = { brand: string; store: string; name: string; range: string; link: string };
type Template = (v: Vars, survey: SurveyType, short: boolean) => string;

const zhQuestion: Record<SurveyType, string> = {
  nps: '您有多大可能向亲友推荐我们？请回复0-10分',
  csat: '您对本次服务满意吗？请回复1-5分(5=非常满意)',
  ces: '办理本次服务轻松吗？请回复1-7分(7=非常轻松)',
};
const enQuestion: Record<SurveyType, string> = {
  nps: 'How likely are you to recommend us to a friend? Reply 0-10',
  csat: 'How satisfied were you with your service? Reply 1-5 (5 = very satisfied)',
  ces: '"It was easy to get my car serviced." Reply 1-7 (7 = strongly agree)',
};

const zhShortQuestion: Record<SurveyType, string> = {
  nps: '您有多大可能向亲友推荐我们？请回复0-10分及原因',
  csat: '您对本次服务满意吗？请回复1-5分及原因',
  ces: '办理本次服务轻松吗？请回复1-7分及原因',
};
const enShortQuestion: Record<SurveyType, string> = {
  nps: 'How likely are you to recommend us? Reply 0-10 and why',
  csat: 'How satisfied were you with your service? Reply 1-5 and why',
  ces: '"It was easy to get my car serviced." Reply 1-7 and why',
};
const zhAsk = (s: SurveyType, short: boolean) => (short ? zhShortQuestion : zhQuestion)[s];
const enAsk = (s: SurveyType, short: boolean) => (short ? enShortQuestion : enQuestion)[s];

const templates: Record<Locale, Record<MessageStep, Template>> = {
  'zh-CN': {
    question: (v, s, short) => `${v.name ? `${v.name}您好，` : ''}感谢光临${v.store}。${zhAsk(s, short)}。回T退订`,
    question_link: (v) => `${v.name ? `${v.name}您好，` : ''}感谢光临${v.store}，请为本次服务评分：${v.link} 回T退订`,
    reminder_link: (v) => `提醒：请为${v.store}的服务评分：${v.link} 回T退订`,
    reask: (v) => `抱歉没看懂，请只回复一个${v.range}的数字。回T退订`,
    reminder: (v, s, short) => `提醒：${v.store}的服务您还满意吗？${zhAsk(s, short)}。回T退订`,
    why: () => `谢谢！能说说打这个分的主要原因吗？直接回复即可。`,
    thanks: () => `感谢您的反馈，我们会继续努力！`,
    sorry: () => `很抱歉让您失望了，负责人会尽快联系您。感谢反馈！`,
    closed: () => `本次调查已结束，感谢您的关注。`,
    help: (v) => `${v.brand}服务满意度调查：回复分数参与，回T退订，回START恢复。`,
    opted_out: () => `您已退订，不会再收到调查短信。回START可恢复。`,
    opted_in: () => `您已恢复接收服务满意度调查短信。回T退订`,
  },
  en: {
    question: (v, s, short) =>
      `${v.name ? `Hi ${v.name}, thanks` : 'Thanks'} for visiting ${v.store}. ${enAsk(s, short)}. Reply STOP to opt out`,
    question_link: (v) =>
      `${v.name ? `Hi ${v.name}, thanks` : 'Thanks'} for visiting ${v.store}. Please rate your service: ${v.link} Reply STOP to opt out`,
    reminder_link: (v) => `A reminder: please rate your visit to ${v.store}: ${v.link} Reply STOP to opt out`,
    reask: (v) => `Sorry, we didn't catch that. Please reply with one number, ${v.range}. Reply STOP to opt out`,
    reminder: (v, s, short) => `A reminder about your visit to ${v.store}: ${enAsk(s, short)}. Reply STOP to opt out`,
    why: () => `Thank you! What is the main reason for your score? Just reply to this message.`,
    thanks: () => `Thanks for your feedback, it helps us do better.`,
    sorry: () => `We're sorry we let you down. A manager will contact you soon. Thank you for telling us.`,
    closed: () => `This survey has closed. Thank you for your interest.`,
    help: () => `Service survey: reply with a score to take part. STOP to opt out, START to opt back in.`,
    opted_out: () => `You have opted out and will get no more survey texts. Reply START to opt back in.`,
    opted_in: () => `You will receive service survey texts again. Reply STOP to opt out`,
  },
};

/** What a text says instead of a store name that cannot fit, longest first. */
const genericStores: Record<Locale, [string, ...string[]]> = { 'zh-CN': ['本店'], en: ['our service centre', 'us'] };
const ranges: Record<SurveyType, string> = { nps: '0-10', csat: '1-5', ces: '1-7' };

/** The longest signature a config may give, and so the longest one derived from the brand name. */
const maxSignatureLength = 20;
/** 【】 and CJK: what marks a signature as written for Chinese texts. */
const chineseSignature = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;

/**
 * The signature a text in this locale starts with. A 【…】 signature belongs to Chinese texts
 * only: an English text whose configured signature (one string for every locale, or another
 * locale's fallback) is Chinese or not GSM-7 signs with `[brand name]` instead, when the brand
 * name is GSM-7 and short enough, else with no signature at all, so it never falls into UCS-2.
 */
export function signatureFor(brand: Config['brand'], locale: Locale): string {
  const sig = brand.smsSignature;
  const configured = typeof sig === 'string' ? sig : (sig[locale] ?? Object.values(sig)[0] ?? '');
  if (locale !== 'en' || fitsEnglish(configured)) return configured;
  const derived = `[${brand.name.trim()}]`;
  return fitsEnglish(derived) && derived.length <= maxSignatureLength ? derived : '';
}

function fitsEnglish(signature: string): boolean {
  return encodingOf(signature) === 'GSM-7' && !chineseSignature.test(signature) && !/[\n\r\f]/.test(signature);
}

export function renderMessage(brand: Config['brand'], locale: Locale, step: MessageStep, ctx: MessageContext): string {
  const template = templates[locale][step];
  const base = { brand: brand.name, range: ranges[ctx.survey], link: ctx.link ?? '' };
  const sig = signatureFor(brand, locale);
  // Chinese texts put 【…】 right before the text; an English signature is a word of its own.
  const signed = (body: string) => (sig === '' ? body : locale === 'en' ? `${sig} ${body}` : `${sig}${body}`);
  const attempt = (name: string, store: string) => signed(template({ ...base, name, store }, ctx.survey, ctx.short ?? false));
  const fits = (text: string) => segmentsOf(text) === 1 && (locale !== 'en' || encodingOf(text) === 'GSM-7');
  // A name in characters outside GSM-7 would force an English text into UCS-2.
  const usable = (value: string) => (locale === 'en' && encodingOf(value) === 'UCS-2' ? '' : value);
  const name = usable((ctx.customerName ?? '').slice(0, 12));
  const storeName = usable(ctx.storeName);
  let text = attempt(name, storeName || genericStores[locale][0]);
  if (!fits(text)) text = attempt('', storeName || genericStores[locale][0]);
  for (let store = storeName; !fits(text) && store.length > 2; ) {
    store = store.slice(0, -2);
    text = attempt('', `${store}${locale === 'en' ? '...' : '…'}`);
  }
  for (const store of genericStores[locale]) if (!fits(text)) text = attempt('', store);
  return text;
}

/**
 * The text of a conversation step for a customer of this store: where the store's country
 * requires registered templates, the registered body of the step's kind with its variables
 * filled, or a refusal saying why none can be sent; elsewhere the text above.
 */
export function composeMessage(
  config: Pick<Config, 'brand' | 'sms'>,
  store: { country: string } | undefined,
  locale: Locale,
  step: MessageStep,
  ctx: MessageContext,
): Filled | { ok: true; text: string; templateId?: undefined } {
  if (!store || !requiresRegistered(config, store)) return { ok: true, text: renderMessage(config.brand, locale, step, ctx) };
  return registeredText(config.sms.templates, kindOf(step, ctx.survey), locale, {
    brand: config.brand.name,
    store: ctx.storeName,
    name: ctx.customerName ?? '',
    range: ranges[ctx.survey],
    link: ctx.link ?? '',
  });
}
