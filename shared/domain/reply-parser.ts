import { revokesConsent } from './consent.ts';

/**
 * Reads what customers actually text back: "9", " 9!", "9分", "九", "十分", "nine",
 * "9/10", "my score is 9", "９". Never throws; undefined means "ask again".
 */
const englishNumbers = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const chineseDigits: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

export function parseScore(text: string, scale: { min: number; max: number }): number | undefined {
  let s = text.normalize('NFKC').toLowerCase();
  // "9/10", "9 out of 10", "9分（满分10）": drop the scale's own maximum.
  s = s.replace(/(\/|out of|of|满分)\s*\d+/g, ' ');
  s = s.replace(new RegExp(`\\b(${englishNumbers.join('|')})\\b`, 'g'), (w) => String(englishNumbers.indexOf(w)));
  s = s.replace(/([零〇一二两三四五六七八九])?十([一二三四五六七八九])?|[零〇一二两三四五六七八九]/g, (m, tens, ones) => {
    if (!m.includes('十')) return ` ${chineseDigits[m]} `;
    const t = tens ? (chineseDigits[tens] ?? 1) : 1;
    const o = ones ? (chineseDigits[ones] ?? 0) : 0;
    return ` ${t * 10 + o} `;
  });
  const numbers = [...new Set(s.match(/\d+(\.\d+)?/g) ?? [])];
  if (numbers.length !== 1) return undefined;
  const value = Number(numbers[0]);
  if (!Number.isInteger(value) || value < scale.min || value > scale.max) return undefined;
  return value;
}

/** Carrier keywords, and R: Chinese platforms end marketing texts with "拒收请回复R", so customers answer R. */
const optOutWords = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
  'TD',
  'T',
  'R',
  '退订',
]);
const helpWords = new Set(['HELP', 'INFO', '帮助']);
const startWords = new Set(['START', 'UNSTOP', 'YES', '订阅']);

export type Keyword = 'opt_out' | 'help' | 'opt_in';

/** Carrier keywords first (the whole reply), then consent revoked in a sentence ("请不要再给我发短信了", "remove me"). */
export function keywordOf(text: string): Keyword | undefined {
  const word = text
    .normalize('NFKC')
    .trim()
    .replace(/[\s.!！。,，?？]+$/u, '')
    .toUpperCase();
  if (optOutWords.has(word)) return 'opt_out';
  if (helpWords.has(word)) return 'help';
  if (startWords.has(word)) return 'opt_in';
  if (revokesConsent(text)) return 'opt_out';
  return undefined;
}

/**
 * A short conversation's one reply: the score first, then the customer's reason ("9 等太久了",
 * "9分，等太久了", "9分等太久了" (分 ends the score), "八 服务很好", "7/10 slow", "nine - friendly staff"). A reply that does not lead
 * with a score is read whole as a score ("给9分吧") with no reason. Undefined means "ask again".
 */
export function parseScoreAndReason(
  text: string,
  scale: { min: number; max: number },
): { score: number; reason?: string | undefined } | undefined {
  const lead =
    /^\s*((?:\d{1,2}|[０-９]{1,2}|[零〇一二两三四五六七八九十]{1,3}|zero|one|two|three|four|five|six|seven|eight|nine|ten)(?:\s*(?:分|\/\s*10|out of 10))?)(?:(?<=分)|(?=$|[\s,，.。:：;；!！、~～-]))[\s,，.。:：;；!！、~～-]*([\s\S]*)$/iu.exec(
      text,
    );
  if (lead) {
    const score = parseScore(lead[1] ?? '', scale);
    const reason = (lead[2] ?? '').trim();
    if (score !== undefined) return { score, ...(reason ? { reason: reason.slice(0, 1600) } : {}) };
  }
  const score = parseScore(text, scale);
  return score === undefined ? undefined : { score };
}
