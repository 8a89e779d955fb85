/**
 * The WeChat service account's template messages, for the functions that reach customers: built
 * once per cold start from the config's `wechat` block, the access token shared through the main
 * table. Undefined when the config has no `wechat` block (no store can reach by WeChat then).
 */
import { DynamoAccessTokenStore } from '#shared/adapters/dynamodb/access-token-store.ts';
import { WechatAccessTokens } from '#shared/adapters/wechat/access-tokens.ts';
import { WechatTemplateMessages } from '#shared/adapters/wechat/template-messages.ts';
import type { WechatNotifier } from '#shared/ports.ts';
import { clock, config, db, phoneVault, runtime } from './compose.ts';

export function wechatNotifier(): WechatNotifier | undefined {
  const wechat = config.wechat;
  if (!wechat) return undefined;
  const appSecret = runtime.secret('WECHAT_APP_SECRET');
  if (!appSecret) throw new Error('the wechat block needs its AppSecret: set WECHAT_APP_SECRET or wechat.appSecret');
  const store = new DynamoAccessTokenStore(db(), runtime.table('main'), wechat.appId, phoneVault());
  const tokens = new WechatAccessTokens({ appId: wechat.appId, appSecret, apiBaseUrl: wechat.apiBaseUrl, store, clock });
  return new WechatTemplateMessages({
    apiBaseUrl: wechat.apiBaseUrl,
    templateId: wechat.templateId,
    fields: wechat.fields,
    tokens,
  });
}
