/** The comment categories (and the root cause `other`) as people read them, in both languages. */
import type { Locale } from '#shared/config/schema.ts';

const names: Record<Locale, Record<string, string>> = {
  'zh-CN': {
    wait_time: '等待时间',
    price: '价格收费',
    repair_quality: '维修质量',
    staff_attitude: '服务态度',
    parts: '配件',
    cleanliness_damage: '清洁与车损',
    appointment: '预约',
    communication: '沟通',
    other: '其他',
  },
  en: {
    wait_time: 'Waiting time',
    price: 'Price',
    repair_quality: 'Repair quality',
    staff_attitude: 'Staff attitude',
    parts: 'Parts',
    cleanliness_damage: 'Cleanliness or damage',
    appointment: 'Appointment',
    communication: 'Communication',
    other: 'Other',
  },
};

export const categoryName = (locale: Locale, id: string) => names[locale][id] ?? id.replaceAll('_', ' ');
