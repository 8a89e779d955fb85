import type { CommentCategory } from '#shared/config/schema.ts';

/**
 * Keyword lists, zh and en, per comment category. Chinese keywords match as substrings;
 * English ones as whole words, or as word stems where they end in `*`.
 */
const keywords: Record<CommentCategory, string[]> = {
  wait_time: [
    '等了',
    '等太久',
    '排队',
    '太慢',
    '很慢',
    '时间太长',
    '拖了',
    '拖延',
    '延误',
    '耽误',
    'wait*',
    'slow',
    'took forever',
    'hours',
    'delay*',
    'late',
    'queue*',
  ],
  price: [
    '贵',
    '价格',
    '收费',
    '费用',
    '多收',
    '报价',
    '加价',
    'price*',
    'pricey',
    'expensive',
    'overcharg*',
    'cost*',
    'bill*',
    'charg*',
    'quote*',
    'rip off',
    'ripped off',
  ],
  repair_quality: [
    '没修好',
    '没有修好',
    '还是坏',
    '又坏',
    '返修',
    '问题依旧',
    '老问题',
    '异响',
    '故障',
    'not fixed',
    'still broken',
    'still not',
    'broke again',
    'came back',
    'repeat repair',
    'same problem',
    'noise',
    'leak*',
    'warning light',
  ],
  staff_attitude: [
    '态度',
    '不耐烦',
    '冷漠',
    '不理人',
    '爱答不理',
    '粗鲁',
    '不礼貌',
    'rude',
    'attitude',
    'unfriendly',
    'ignored',
    'impolite',
    'dismissive',
    'unhelpful',
  ],
  parts: ['配件', '零件', '缺货', '没货', '备件', 'part', 'parts', 'out of stock', 'backorder*'],
  cleanliness_damage: [
    '脏',
    '划痕',
    '刮花',
    '刮伤',
    '损坏',
    '弄坏',
    '油污',
    '烟味',
    'dirty',
    'scratch*',
    'dent*',
    'damage*',
    'greasy',
    'filthy',
    'stain*',
  ],
  appointment: ['预约', '约不上', '改期', '改约', 'appointment*', 'booking*', 'book', 'reschedul*'],
  communication: [
    '没通知',
    '没人通知',
    '没告诉',
    '沟通',
    '没人联系',
    '不解释',
    '没解释',
    '不回电',
    'no one called',
    'nobody called',
    'never called',
    'nobody told',
    'no one told',
    'call back',
    'called back',
    'callback',
    'communicat*',
    'not informed',
    'explain*',
  ],
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const matchers = Object.fromEntries(
  Object.entries(keywords).map(([category, words]) => [
    category,
    words.map((word) =>
      /^[a-z *]+$/.test(word)
        ? (text: string) => new RegExp(`\\b${escapeRegExp(word.replace(/\*$/, ''))}${word.endsWith('*') ? '' : '\\b'}`).test(text)
        : (text: string) => text.includes(word),
    ),
  ]),
) as Record<CommentCategory, ((text: string) => boolean)[]>;

/** The categories a customer's comment touches, in the config's order. */
export function categorize(comment: string | undefined): CommentCategory[] {
  if (!comment) return [];
  const text = comment.normalize('NFKC').toLowerCase();
  return (Object.keys(matchers) as CommentCategory[]).filter((category) => matchers[category].some((match) => match(text)));
}
