/**
 * WeChat's API failed in a way the caller cannot act on by channel: `retriable` when trying again
 * later may work (rate limit, busy, network, 5xx), else the account's set-up is wrong (a bad
 * template id, AppSecret or IP whitelist). Never holds the access token or the AppSecret.
 */
export class WechatApiError extends Error {
  override name = 'WechatApiError';
  readonly retriable: boolean;
  readonly errcode: number | undefined;
  constructor(message: string, options: { retriable: boolean; errcode?: number | undefined; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retriable = options.retriable;
    this.errcode = options.errcode;
  }
}
