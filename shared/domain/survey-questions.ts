/**
 * The survey's own question and its scale's anchors, in each locale: what the web survey asks, and
 * what a caller reads out on a call-back (电话回访), so an answer means the same on every channel.
 */
import type { Locale, SurveyType } from '#shared/config/schema.ts';

export interface SurveyQuestion {
  question: string;
  /** What the lowest and the highest score of the scale mean. */
  low: string;
  high: string;
}

export const surveyQuestions: Record<Locale, Record<SurveyType, SurveyQuestion>> = {
  'zh-CN': {
    nps: { question: '您有多大可能向亲友推荐我们？', low: '完全不可能', high: '非常可能' },
    csat: { question: '您对本次服务满意吗？', low: '非常不满意', high: '非常满意' },
    ces: { question: '“办理本次服务很轻松。”您同意吗？', low: '非常不同意', high: '非常同意' },
  },
  en: {
    nps: {
      question: 'How likely are you to recommend us to a friend or family member?',
      low: 'Not at all likely',
      high: 'Extremely likely',
    },
    csat: { question: 'How satisfied were you with your service?', low: 'Very dissatisfied', high: 'Very satisfied' },
    ces: { question: '"It was easy to get my car serviced." Do you agree?', low: 'Strongly disagree', high: 'Strongly agree' },
  },
};
