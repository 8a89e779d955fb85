import type { Locale } from '#shared/config/schema.ts';
import type { Survey } from '#shared/domain/records.ts';
import type { WechatNotifier, WechatUnreachable } from '#shared/ports.ts';
import type { Deps } from './deps.ts';
import { webSurveyLink } from './web-survey.ts';

export type WechatDeps = Pick<Deps, 'config' | 'vault' | 'publicBaseUrl'> & { wechat: WechatNotifier };

/** What the message says beside the store and the date (a template's `thing` field: at most 20 characters). */
const prompts: Record<Locale, Record<'question' | 'reminder', string>> = {
  'zh-CN': { question: '点击详情,为本次服务评分', reminder: '还没评价?点击详情为服务评分' },
  en: { question: 'Tap to rate us', reminder: 'A minute to rate us?' },
};

const visitDateIn = (locale: Locale, date: string) => {
  const [year, month, day] = date.split('-').map(Number);
  return locale === 'zh-CN' ? `${year}年${month}月${day}日` : date;
};

/**
 * A survey's question or reminder as a WeChat template message that opens its web survey:
 * `unreachable` when the customer cannot get it (no openid, not following, refused), so the
 * survey moves to its next channel. Retriable failures of WeChat throw, for the queue to retry.
 * It sends only; moving the survey along (sent, next timer, next channel) is the caller's.
 */
export async function sendWechatNotice(
  deps: WechatDeps,
  survey: Survey,
  step: 'question' | 'reminder',
): Promise<{ kind: 'sent'; messageId: string } | { kind: 'unreachable'; reason: WechatUnreachable | 'no_openid' }> {
  if (!survey.wechatOpenIdCipher) return { kind: 'unreachable', reason: 'no_openid' };
  const url = webSurveyLink(deps, survey);
  // Without a public URL there is no page to open: a set-up error, not the customer's.
  if (!url) throw new Error('a WeChat notice needs the web survey link: set PUBLIC_BASE_URL or publicBaseUrl');
  const store = deps.config.stores.find((s) => s.id === survey.storeId);
  return deps.wechat.send({
    openId: deps.vault.decrypt(survey.wechatOpenIdCipher),
    url,
    store: store?.name ?? deps.config.brand.name,
    visitDate: visitDateIn(survey.locale, survey.visitDate),
    prompt: prompts[survey.locale][step],
  });
}
