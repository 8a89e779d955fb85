/**
 * Call-backs (电话回访): a survey whose channel is `call` is asked by a person of the call-back
 * department on the phone. A call task carries what the caller needs (the visit, the script in the
 * customer's language with the survey's own question and scale) and what happened on each call.
 */
import type { Config, Locale, SurveyType } from '#shared/config/schema.ts';
import type { Actor } from './records.ts';
import { scales } from './scoring.ts';
import { surveyQuestions } from './survey-questions.ts';

/**
 * How a call ended: the customer `answered` (a score on the survey's scale, and their words), was
 * `not_reachable` (tried again later, up to `callbacks.attempts`), `refused` the survey, or the
 * number reached someone else (`wrong_number`).
 */
export const callOutcomes = ['answered', 'not_reachable', 'refused', 'wrong_number'] as const;
export type CallOutcome = (typeof callOutcomes)[number];

/** `open` while someone should call; `done` once an outcome ended it (or the attempts ran out, or its survey ended). */
export type CallTaskStatus = 'open' | 'done';

export interface CallTaskEntry {
  /** `phone_revealed`: the caller was shown the number (the audit trail of who saw it, and when). */
  action: 'phone_revealed' | CallOutcome;
  at: string;
  by: Actor;
  note?: string | undefined;
  score?: number | undefined;
}

export interface CallTask {
  id: string;
  surveyId: string;
  departmentId: string;
  status: CallTaskStatus;
  storeId: string;
  surveyType: SurveyType;
  locale: Locale;
  customerName?: string | undefined;
  phoneMasked: string;
  visit: { date: string; serviceType: string; advisorId?: string | undefined };
  createdAt: string;
  dueAt: string;
  /** Calls made so far (each recorded outcome is one). */
  attempts: number;
  /** After a call that did not reach the customer: when to try again. */
  retryAt?: string | undefined;
  outcome?: CallOutcome | undefined;
  score?: number | undefined;
  comment?: string | undefined;
  closedAt?: string | undefined;
  /**
   * Closed with no outcome of its own: the survey ended without this call (answered another way,
   * the customer opted out, or it expired unanswered by the SLA and moved on to its next channel).
   */
  closedBecause?: 'survey_ended' | undefined;
  /** Every reveal and every call, oldest first. */
  log: CallTaskEntry[];
}

/** The script a caller reads: in the customer's language, the survey's own question and scale. */
export interface CallScript {
  locale: Locale;
  opening: string;
  question: string;
  scale: { min: number; max: number; low: string; high: string };
  why: string;
  closing: string;
}

const scripts: Record<
  Locale,
  { opening: (v: { brand: string; store: string; name?: string }) => string; why: string; closing: string }
> = {
  'zh-CN': {
    opening: (v) =>
      `${v.name ? `${v.name}您好` : '您好'}，我是${v.brand}${v.store}的客服。感谢您最近来店保养维修，想占用您一分钟做个回访，可以吗？`,
    why: '能说说打这个分的主要原因吗？',
    closing: '感谢您的反馈，祝您用车愉快！',
  },
  en: {
    opening: (v) =>
      `Hello${v.name ? ` ${v.name}` : ''}, this is customer care at ${v.brand} ${v.store}. Thank you for your recent visit. Do you have one minute for a short follow-up?`,
    why: 'What is the main reason for your score?',
    closing: 'Thank you for your feedback, and safe driving!',
  },
};

export function callScriptOf(
  config: Pick<Config, 'brand' | 'stores'>,
  task: Pick<CallTask, 'locale' | 'surveyType' | 'storeId' | 'customerName'>,
): CallScript {
  const words = scripts[task.locale];
  const asked = surveyQuestions[task.locale][task.surveyType];
  const store = config.stores.find((s) => s.id === task.storeId)?.name ?? task.storeId;
  return {
    locale: task.locale,
    opening: words.opening({ brand: config.brand.name, store, name: task.customerName }),
    question: asked.question,
    scale: { ...scales[task.surveyType], low: asked.low, high: asked.high },
    why: words.why,
    closing: words.closing,
  };
}

/** Who works call tasks: `callbacks.departmentId`, else the default department. */
export const callbackDepartmentOf = (config: Pick<Config, 'callbacks' | 'defaultDepartment'>) =>
  config.callbacks.departmentId ?? config.defaultDepartment;
