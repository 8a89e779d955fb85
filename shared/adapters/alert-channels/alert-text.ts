/**
 * What a person reads in an alert, in one locale: a title, a few label/value fields, the
 * customer's words and the link to act. Each channel's formatter lays this out its own way.
 */
import type { CommentCategory, Locale, SurveyType } from '#shared/config/schema.ts';
import type { AlertPayload } from '#shared/ports.ts';

export interface AlertTextOptions {
  locale: Locale;
  /** IANA time zone of the alert's store: the due time is shown in it. */
  timeZone: string;
}

export interface AlertText {
  /** One line: what happened, where; marked when the customer has priority. */
  title: string;
  /** What happened, alone (subjects, notification previews). */
  headline: string;
  fields: { label: string; value: string }[];
  comment: { label: string; value: string };
  link: { label: string; url: string };
  footer: string;
  /** Whether to colour the message as urgent (escalated or high priority). */
  urgent: boolean;
}

const maxScore: Record<SurveyType, number> = { nps: 10, csat: 5, ces: 7 };
/** Long comments are cut: chat platforms cap message sizes (WeCom markdown: 4096 bytes). */
const MAX_COMMENT = 500;
/** The first answer's words beside a reopened case's new ones: a field, so shorter. */
const MAX_FIELD_COMMENT = 120;

const texts = {
  'zh-CN': {
    headline: {
      'alert.raised': '新的差评预警',
      'alert.escalated': '差评预警升级：超时未确认',
      'alert.reassigned': '差评预警已转派',
      'alert.reopened': '差评工单重新打开：回访客户仍不满意',
      'retention.raised': '老客户流失预警：请致电回访',
      'retention.escalated': '流失预警升级：超时未跟进',
      'retention.reassigned': '流失预警已转派',
    },
    retention: {
      lastVisit: '上次到店',
      history: '到店 / 消费',
      history_value: (visits: number, spend: string) => `${visits} 次 / ¥${spend}`,
      days: (days: number) => `${days} 天未到店`,
      note: '（忠诚客户长期未到店：致电了解原因并邀约回店）',
    },
    highPriority: '【高优先级】',
    labels: {
      score: '评分',
      priority: '优先级',
      department: '部门',
      store: '门店',
      advisor: '服务顾问',
      serviceType: '服务类型',
      phone: '客户电话',
      categories: '问题分类',
      due: '处理时限',
      comment: '客户原话',
      newScore: '回访评分',
      firstAnswer: '首次评价',
    },
    priority: { high: '高', normal: '普通' },
    noComment: '（客户未留言）',
    none: '—',
    link: '查看并处理',
    alertId: '预警编号',
    listSeparator: '、',
    categories: {
      wait_time: '等待时间',
      price: '价格',
      repair_quality: '维修质量',
      staff_attitude: '服务态度',
      parts: '配件',
      cleanliness_damage: '清洁/车损',
      appointment: '预约',
      communication: '沟通',
    },
    serviceTypes: { first_service: '首保', maintenance: '保养', repair: '维修', warranty: '保修' } as Record<string, string>,
  },
  en: {
    headline: {
      'alert.raised': 'New detractor alert',
      'alert.escalated': 'Alert escalated: not acknowledged in time',
      'alert.reassigned': 'Detractor alert reassigned',
      'alert.reopened': 'Case reopened: the customer is still unhappy',
      'retention.raised': 'Loyal customer at risk: please call them',
      'retention.escalated': 'At-risk customer escalated: not followed up in time',
      'retention.reassigned': 'At-risk customer reassigned',
    },
    retention: {
      lastVisit: 'Last visit',
      history: 'Visits / spend',
      history_value: (visits: number, spend: string) => `${visits} / ${spend}`,
      days: (days: number) => `${days} days without a visit`,
      note: '(A loyal customer gone quiet: call to ask why and invite them back)',
    },
    highPriority: '[High priority] ',
    labels: {
      score: 'Score',
      priority: 'Priority',
      department: 'Department',
      store: 'Store',
      advisor: 'Advisor',
      serviceType: 'Service',
      phone: 'Phone',
      categories: 'Categories',
      due: 'Due',
      comment: 'Customer said',
      newScore: 'Re-survey score',
      firstAnswer: 'First answer',
    },
    priority: { high: 'High', normal: 'Normal' },
    noComment: '(no comment)',
    none: '—',
    link: 'Open the alert',
    alertId: 'Alert',
    listSeparator: ', ',
    categories: {
      wait_time: 'Wait time',
      price: 'Price',
      repair_quality: 'Repair quality',
      staff_attitude: 'Staff attitude',
      parts: 'Parts',
      cleanliness_damage: 'Cleanliness / damage',
      appointment: 'Appointment',
      communication: 'Communication',
    },
    serviceTypes: {
      first_service: 'First service',
      maintenance: 'Maintenance',
      repair: 'Repair',
      warranty: 'Warranty',
    } as Record<string, string>,
  },
} satisfies Record<Locale, unknown>;

export function alertText(payload: AlertPayload, options: AlertTextOptions): AlertText {
  const t = texts[options.locale];
  const { alert } = payload;
  const high = alert.priority === 'high';
  const headline = t.headline[payload.type];
  const categories = alert.categories.map((c) => (t.categories as Record<string, string>)[c as CommentCategory] ?? c);
  if (alert.retention) return retentionText(payload, alert.retention, options);
  const scoreOf = (score: number | null) =>
    alert.surveyType ? `${alert.surveyType.toUpperCase()} ${score}/${maxScore[alert.surveyType]}` : t.none;
  // A reopened case leads with what the customer said on the re-survey; their first answer follows.
  const reopened = payload.type === 'alert.reopened' ? alert.reopened : null;
  const comment = (reopened ? reopened.comment : alert.comment)?.trim();
  const first = alert.comment?.trim();
  return {
    title: `${high ? t.highPriority : ''}${headline} · ${alert.storeName}`,
    headline,
    fields: [
      ...(reopened
        ? [
            { label: t.labels.newScore, value: scoreOf(reopened.score) },
            {
              label: t.labels.firstAnswer,
              value: `${scoreOf(alert.score)}${first ? ` · ${clip(first, MAX_FIELD_COMMENT)}` : ''}`,
            },
          ]
        : [{ label: t.labels.score, value: scoreOf(alert.score) }]),
      { label: t.labels.priority, value: high ? t.priority.high : t.priority.normal },
      { label: t.labels.department, value: alert.departmentName },
      { label: t.labels.store, value: alert.storeName },
      { label: t.labels.advisor, value: alert.advisorId ?? t.none },
      { label: t.labels.serviceType, value: t.serviceTypes[alert.serviceType] ?? alert.serviceType },
      { label: t.labels.phone, value: alert.phone },
      { label: t.labels.categories, value: categories.length ? categories.join(t.listSeparator) : t.none },
      { label: t.labels.due, value: formatDue(alert.dueAt, options) },
    ],
    comment: { label: t.labels.comment, value: comment ? clip(comment, MAX_COMMENT) : t.noComment },
    link: { label: t.link, url: payload.links.view },
    footer: `${t.alertId}: ${alert.id}`,
    urgent: high || payload.type === 'alert.escalated' || payload.type === 'alert.reopened',
  };
}

/** A loyal customer gone quiet: how long, how loyal, where they were last; no score, no words. */
function retentionText(
  payload: AlertPayload,
  facts: NonNullable<AlertPayload['alert']['retention']>,
  options: AlertTextOptions,
): AlertText {
  const t = texts[options.locale];
  const { alert } = payload;
  const headline = t.headline[payload.type];
  const spend = Math.round(facts.spend).toLocaleString(options.locale);
  return {
    title: `${alert.priority === 'high' ? t.highPriority : ''}${headline} · ${alert.storeName}`,
    headline,
    fields: [
      { label: t.retention.lastVisit, value: `${facts.lastVisitAt.slice(0, 10)} · ${t.retention.days(facts.daysSinceVisit)}` },
      { label: t.retention.history, value: t.retention.history_value(facts.visits, spend) },
      { label: t.labels.priority, value: alert.priority === 'high' ? t.priority.high : t.priority.normal },
      { label: t.labels.department, value: alert.departmentName },
      { label: t.labels.store, value: alert.storeName },
      { label: t.labels.serviceType, value: t.serviceTypes[alert.serviceType] ?? alert.serviceType },
      { label: t.labels.phone, value: alert.phone },
      { label: t.labels.due, value: formatDue(alert.dueAt, options) },
    ],
    comment: { label: t.labels.comment, value: t.retention.note },
    link: { label: t.link, url: payload.links.view },
    footer: `${t.alertId}: ${alert.id}`,
    urgent: alert.priority === 'high' || payload.type === 'retention.escalated',
  };
}

/** `2026-11-20 17:30 GMT+8`: the store's wall clock, with its offset so nobody has to guess. */
export function formatDue(iso: string, { timeZone }: { timeZone: string }): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Neutralises markdown and markup in text that came from outside (the customer's words, ids
 * from the DMS) before it goes into a markdown message, by swapping the few characters that
 * carry syntax for their full-width look-alikes: the reader sees the same words, no link or
 * mention can be injected.
 */
export function inertMarkdown(text: string): string {
  return text
    .replace(/[<>[\]()*_`#~|\\@]/g, (c) => String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0))
    .replace(/\s*\n\s*/g, ' ');
}
