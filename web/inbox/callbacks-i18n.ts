/** The call-back pages' words (电话回访), in each locale the inbox speaks. */
import type { Locale } from '#shared/config/schema.ts';

const en = {
  cases: 'Cases',
  callbacks: 'Call-backs',
  callbacksTitle: 'Call-backs',
  callbacksHint: 'Customers to call and ask the survey on the phone: the soonest due first.',
  open: 'To call',
  done: 'Done',
  noTasks: 'No call-backs here.',
  attempts: 'Calls {n} of {max}',
  retryAfter: 'try again after {when}',
  dueIn: 'due {when}',
  overdueBy: 'overdue, due {when}',
  visit: 'Visit',
  advisor: 'Advisor',
  serviceType: 'Service',
  visitDate: 'Date',
  store: 'Store',
  call: 'Call the customer',
  reveal: 'Show number',
  phone: 'Phone',
  script: 'Script',
  scriptHint: "Read it in the customer's language; tap the score they give.",
  why: 'Their words',
  score: 'Score',
  note: 'Your note (optional)',
  outcomes: 'How the call ended',
  answered: 'Record answer',
  not_reachable: 'Not reachable',
  refused: 'Refused',
  wrong_number: 'Wrong number',
  pickScore: 'Tap the score the customer gave first.',
  saved: 'Saved.',
  outcome_answered: 'Answered',
  outcome_not_reachable: 'Not reachable',
  outcome_refused: 'Refused',
  outcome_wrong_number: 'Wrong number',
  phone_revealed: 'Number shown',
  log: 'Calls',
  noCalls: 'No calls yet.',
  sla: 'SLA',
  back: 'Call-backs',
};
type CallbackKey = keyof typeof en;

const zhCN: Record<CallbackKey, string> = {
  cases: '案件',
  callbacks: '回访',
  callbacksTitle: '电话回访',
  callbacksHint: '需要电话回访、当面读出问卷的客户：最早到期的在前。',
  open: '待回访',
  done: '已完成',
  noTasks: '这里没有回访任务。',
  attempts: '已拨打 {n}/{max} 次',
  retryAfter: '{when}后再拨',
  dueIn: '{when}到期',
  overdueBy: '已超时，{when}到期',
  visit: '到店',
  advisor: '服务顾问',
  serviceType: '服务',
  visitDate: '日期',
  store: '门店',
  call: '拨打客户电话',
  reveal: '显示号码',
  phone: '电话',
  script: '话术',
  scriptHint: '用客户的语言读出问题，点选客户给出的分数。',
  why: '客户原话',
  score: '分数',
  note: '备注（选填）',
  outcomes: '通话结果',
  answered: '记录回答',
  not_reachable: '未接通',
  refused: '拒访',
  wrong_number: '号码错误',
  pickScore: '请先点选客户给出的分数。',
  saved: '已保存。',
  outcome_answered: '已回答',
  outcome_not_reachable: '未接通',
  outcome_refused: '拒访',
  outcome_wrong_number: '号码错误',
  phone_revealed: '查看号码',
  log: '通话记录',
  noCalls: '还没有通话。',
  sla: '时限',
  back: '回访列表',
};

const tables: Record<Locale, Record<CallbackKey, string>> = { en, 'zh-CN': zhCN };

export type CallbackTranslate = (key: CallbackKey, params?: Record<string, string | number>) => string;
export const isCallbackKey = (key: string): key is CallbackKey => Object.hasOwn(en, key);

export const callbackTranslator =
  (locale: Locale): CallbackTranslate =>
  (key, params = {}) =>
    tables[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole));
