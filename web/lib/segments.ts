/** The RFM segments as people read them, in both languages: the dashboard and the inbox both name them so. */
import type { Locale } from '#shared/config/schema.ts';
import type { Segment } from '#shared/domain/rfm.ts';

const names: Record<Locale, Record<Segment, string>> = {
  'zh-CN': {
    champions: '核心客户',
    loyal: '忠诚客户',
    potential_loyalists: '潜力客户',
    new: '新客户',
    at_risk: '流失风险',
    cant_lose: '不能失去',
    hibernating: '沉睡客户',
    lost: '已流失',
  },
  en: {
    champions: 'Champions',
    loyal: 'Loyal',
    potential_loyalists: 'Potential loyalists',
    new: 'New',
    at_risk: 'At risk',
    cant_lose: 'Can’t lose',
    hibernating: 'Hibernating',
    lost: 'Lost',
  },
};

export const segmentName = (locale: Locale, segment: string) => names[locale][segment as Segment] ?? segment.replaceAll('_', ' ');
