/**
 * SMS segments per completed survey: one conversation per locale through the running stack
 * (visit → survey text → score → why-question → reason → thanks), every text of it counted
 * with the segment arithmetic carriers bill by.
 */
import { encodingOf, segmentsOf, smsLength } from '#shared/domain/sms-segments.ts';
import type { Config } from '#shared/config/schema.ts';
import { type Customer, customersFor } from './end-to-end.ts';
import type { StackApi } from './stack-api.ts';
import { waitUntil } from './stats.ts';

interface SmsMessageFigure {
  direction: 'outbound' | 'inbound';
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  length: number;
  segments: number;
  body: string;
}

export interface SmsSegmentsFigure {
  /** Texts ClosedLoop sent, and their segments: what the business pays for. */
  outbound: { messages: number; segments: number };
  /** The customer's replies. */
  inbound: { messages: number; segments: number };
  totalSegments: number;
  messages: SmsMessageFigure[];
}

const conversations = {
  'zh-CN': { score: '9分', reason: '师傅很专业，交车准时，车也洗得很干净' },
  en: { score: '9', reason: 'Quick and friendly, and the car came back spotless' },
} as const;
export type BenchLocale = keyof typeof conversations;

const figureOf = (direction: 'outbound' | 'inbound', body: string): SmsMessageFigure => ({
  direction,
  encoding: encodingOf(body),
  length: smsLength(body),
  segments: segmentsOf(body),
  body,
});

async function completedSurvey(api: StackApi, customer: Customer, locale: BenchLocale): Promise<SmsSegmentsFigure> {
  const visit = customer.visit as { customer: Record<string, unknown> };
  await api.ingest({ ...visit, customer: { ...visit.customer, locale } });
  await waitUntil(async () => ((await api.outbox(customer.phone)).length > 0 ? true : undefined), 'the survey text', 30_000);
  const replies = [conversations[locale].score, conversations[locale].reason];
  for (const body of replies) {
    if ((await api.reply(customer.phone, body)) === null) throw new Error(`no answer to the ${locale} customer's "${body}"`);
  }
  const outbound = (await api.outbox(customer.phone)).map((m) => figureOf('outbound', m.body));
  const inbound = replies.map((body) => figureOf('inbound', body));
  const total = (list: SmsMessageFigure[]) => list.reduce((n, m) => n + m.segments, 0);
  return {
    outbound: { messages: outbound.length, segments: total(outbound) },
    inbound: { messages: inbound.length, segments: total(inbound) },
    totalSegments: total(outbound) + total(inbound),
    messages: [...outbound, ...inbound],
  };
}

export async function measureSmsSegments(api: StackApi, config: Readonly<Config>, seed: number) {
  const [zh, en] = customersFor(config, 2, seed, '137');
  if (!zh || !en) throw new Error('two customers expected');
  // The first store that takes replies, and an NPS visit: the conversation every SMS survey has.
  const store = config.stores.find((s) => (s.smsMode ?? config.smsMode) === 'two-way');
  const plan = config.surveyPlans.find((p) => p.survey === 'nps');
  if (!store || !plan) throw new Error('the config has no two-way store or no NPS survey plan');
  const nps = (c: Customer): Customer => ({ ...c, visit: { ...c.visit, storeId: store.id, serviceType: plan.serviceType } });
  return {
    'zh-CN': await completedSurvey(api, nps(zh), 'zh-CN'),
    en: await completedSurvey(api, nps(en), 'en'),
  };
}
