/**
 * Every SMS ClosedLoop sends, in zh-CN and en. Each renders to one segment: if the
 * customer's name or a long store name would push it over, they are dropped or cut.
 */
import type { Config, Locale, SurveyType } from '#shared/config/schema.ts';
import { encodingOf, segmentsOf } from './sms-segments.ts';

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
}

type Vars = { sig: string; brand: string; store: string; name: string; range: string; link: string };
type Template = (v: Vars, survey: SurveyType) => string;

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

const templates: Record<Locale, Record<MessageStep, Template>> = {
  'zh-CN': {
    question: (v, s) => `${v.sig}${v.name ? `${v.name}您好，` : ''}感谢光临${v.store}。${zhQuestion[s]}。回T退订`,
    question_link: (v) => `${v.sig}${v.name ? `${v.name}您好，` : ''}感谢光临${v.store}，请为本次服务评分：${v.link} 回T退订`,
    reminder_link: (v) => `${v.sig}提醒：请为${v.store}的服务评分：${v.link} 回T退订`,
    reask: (v) => `${v.sig}抱歉没看懂，请只回复一个${v.range}的数字。回T退订`,
    reminder: (v, s) => `${v.sig}提醒：${v.store}的服务您还满意吗？${zhQuestion[s]}。回T退订`,
    why: (v) => `${v.sig}谢谢！能说说打这个分的主要原因吗？直接回复即可。`,
    thanks: (v) => `${v.sig}感谢您的反馈，我们会继续努力！`,
    sorry: (v) => `${v.sig}很抱歉让您失望了，负责人会尽快联系您。感谢反馈！`,
    closed: (v) => `${v.sig}本次调查已结束，感谢您的关注。`,
    help: (v) => `${v.sig}${v.brand}服务满意度调查：回复分数参与，回T退订，回START恢复。`,
    opted_out: (v) => `${v.sig}您已退订，不会再收到调查短信。回START可恢复。`,
    opted_in: (v) => `${v.sig}您已恢复接收服务满意度调查短信。回T退订`,
  },
  en: {
    question: (v, s) =>
      `${v.sig} ${v.name ? `Hi ${v.name}, thanks` : 'Thanks'} for visiting ${v.store}. ${enQuestion[s]}. Reply STOP to opt out`,
    question_link: (v) =>
      `${v.sig} ${v.name ? `Hi ${v.name}, thanks` : 'Thanks'} for visiting ${v.store}. Please rate your service: ${v.link} Reply STOP to opt out`,
    reminder_link: (v) => `${v.sig} A reminder: please rate your visit to ${v.store}: ${v.link} Reply STOP to opt out`,
    reask: (v) => `${v.sig} Sorry, we didn't catch that. Please reply with one number, ${v.range}. Reply STOP to opt out`,
    reminder: (v, s) => `${v.sig} A reminder about your visit to ${v.store}: ${enQuestion[s]}. Reply STOP to opt out`,
    why: (v) => `${v.sig} Thank you! What is the main reason for your score? Just reply to this message.`,
    thanks: (v) => `${v.sig} Thanks for your feedback, it helps us do better.`,
    sorry: (v) => `${v.sig} We're sorry we let you down. A manager will contact you soon. Thank you for telling us.`,
    closed: (v) => `${v.sig} This survey has closed. Thank you for your interest.`,
    help: (v) => `${v.sig} Service survey: reply with a score to take part. STOP to opt out, START to opt back in.`,
    opted_out: (v) => `${v.sig} You have opted out and will get no more survey texts. Reply START to opt back in.`,
    opted_in: (v) => `${v.sig} You will receive service survey texts again. Reply STOP to opt out`,
  },
};

const genericStore: Record<Locale, string> = { 'zh-CN': '本店', en: 'our service centre' };
const ranges: Record<SurveyType, string> = { nps: '0-10', csat: '1-5', ces: '1-7' };

export function signatureFor(brand: Config['brand'], locale: Locale): string {
  const sig = brand.smsSignature;
  if (typeof sig === 'string') return sig;
  return sig[locale] ?? Object.values(sig)[0] ?? '';
}

export function renderMessage(brand: Config['brand'], locale: Locale, step: MessageStep, ctx: MessageContext): string {
  const template = templates[locale][step];
  const base = { sig: signatureFor(brand, locale), brand: brand.name, range: ranges[ctx.survey], link: ctx.link ?? '' };
  const attempt = (name: string, store: string) => template({ ...base, name, store }, ctx.survey);
  const name = (ctx.customerName ?? '').slice(0, 12);
  let text = attempt(name, ctx.storeName);
  if (segmentsOf(text) > 1) text = attempt('', ctx.storeName);
  if (segmentsOf(text) > 1 && locale === 'en' && encodingOf(ctx.storeName) === 'UCS-2') text = attempt('', genericStore.en);
  for (let store = ctx.storeName; segmentsOf(text) > 1 && store.length > 2; ) {
    store = store.slice(0, -2);
    text = attempt('', `${store}${locale === 'en' ? '...' : '…'}`);
  }
  // A name that cannot fit (or that forces an English text into UCS-2) gives way to a plain one.
  if (segmentsOf(text) > 1) text = attempt('', genericStore[locale]);
  return text;
}
