import { randomUUID } from 'node:crypto';
import * as z from '#shared/zod.ts';
import type { AccessTokenStore, Clock, SharedAccessToken } from '#shared/ports.ts';
import { WechatApiError } from './errors.ts';

const tokenAnswer = z.object({ access_token: z.string().check(z.minLength(1)), expires_in: z.number().check(z.positive()) });
const errorAnswer = z.object({ errcode: z.number(), errmsg: z.optional(z.string()) });

export interface AccessTokenOptions {
  appId: string;
  appSecret: string;
  apiBaseUrl: string;
  store: AccessTokenStore;
  clock: Clock;
  /** How long a function may hold the refresh lease (a crashed holder's lease lapses after it). */
  leaseMs?: number;
  /** How often a function waiting on another's refresh looks again. */
  waitMs?: number;
  /**
   * A token this close to its expiry is refreshed: WeChat keeps the previous token valid for about
   * five minutes after a refresh, so functions still holding it finish their sends.
   */
  marginMs?: number;
}

/**
 * The service account's access token (`GET /cgi-bin/token`), one for every function: kept in the
 * shared store with its expiry, fetched only by the function holding the refresh lease (a fetch
 * invalidates the previous token), and cached in this container's memory until it is due.
 */
export class WechatAccessTokens {
  private memory: SharedAccessToken | undefined;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly marginMs: number;

  constructor(private readonly options: AccessTokenOptions) {
    this.leaseMs = options.leaseMs ?? 10_000;
    this.waitMs = options.waitMs ?? 200;
    this.marginMs = options.marginMs ?? 5 * 60_000;
  }

  /** A token valid now: this container's, else the shared one, else a fresh one. */
  async get(): Promise<string> {
    if (this.memory && this.usable(this.memory)) return this.memory.token;
    return this.obtain(undefined);
  }

  /**
   * WeChat refused `rejected` (40001, 42001): the shared token if another function has replaced it
   * meanwhile, else a fresh one.
   */
  async refresh(rejected: string): Promise<string> {
    if (this.memory?.token === rejected) this.memory = undefined;
    return this.obtain(rejected);
  }

  private usable(token: SharedAccessToken): boolean {
    return Date.parse(token.expiresAt) - this.marginMs > this.options.clock.now().getTime();
  }

  private async obtain(rejected: string | undefined): Promise<string> {
    const { store, clock } = this.options;
    const owner = randomUUID();
    const waits = Math.ceil(this.leaseMs / this.waitMs) + 1;
    for (let attempt = 0; attempt <= waits; attempt++) {
      const { current } = await store.read();
      if (current && current.token !== rejected && this.usable(current)) {
        this.memory = current;
        return current.token;
      }
      const now = clock.now();
      if (await store.lease(owner, current?.version, now.toISOString(), new Date(now.getTime() + this.leaseMs).toISOString())) {
        const fetched = await this.fetchToken();
        const next: SharedAccessToken = {
          token: fetched.access_token,
          expiresAt: new Date(clock.now().getTime() + fetched.expires_in * 1000).toISOString(),
          version: (current?.version ?? 0) + 1,
        };
        // Lost only when this fetch outlasted the lease and another function refreshed too: the newer token wins there.
        await store.store(owner, next);
        this.memory = next;
        return next.token;
      }
      await new Promise((resolve) => setTimeout(resolve, this.waitMs));
    }
    throw new WechatApiError('the WeChat access token is being refreshed by another function; try again', { retriable: true });
  }

  private async fetchToken() {
    const { appId, appSecret, apiBaseUrl } = this.options;
    const url = new URL(`${apiBaseUrl.replace(/\/$/, '')}/cgi-bin/token`);
    url.search = new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret: appSecret }).toString();
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    } catch (cause) {
      // The URL holds the secret: the error names the endpoint, never the URL.
      throw new WechatApiError('WeChat /cgi-bin/token did not answer', { retriable: true, cause });
    }
    if (!response.ok) throw new WechatApiError(`WeChat /cgi-bin/token answered HTTP ${response.status}`, { retriable: true });
    const body: unknown = await response.json().catch(() => undefined);
    const token = tokenAnswer.safeParse(body);
    if (token.success) return token.data;
    const error = errorAnswer.safeParse(body);
    const errcode = error.success ? error.data.errcode : undefined;
    // -1: WeChat is busy. Anything else (40001 wrong AppSecret, 40013 bad AppID, 40164 this IP not
    // on the account's whitelist) is the account's set-up: retrying will not mend it.
    throw new WechatApiError(
      `WeChat /cgi-bin/token answered errcode ${errcode ?? 'none'} (${error.data?.errmsg ?? 'no message'})`,
      {
        retriable: errcode === -1 || errcode === undefined,
        errcode,
      },
    );
  }
}
