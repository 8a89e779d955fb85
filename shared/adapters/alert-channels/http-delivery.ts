/** What every HTTP alert channel shares: secrets from the environment, and one retrying POST. */
import type * as z from '#shared/zod.ts';

export class ChannelDeliveryError extends Error {
  override name = 'ChannelDeliveryError';
}

/** `env:NAME` in the config means: the secret is in that environment variable. */
export const resolveSecret = (value: string, env: NodeJS.ProcessEnv) => {
  if (!value.startsWith('env:')) return value;
  const secret = env[value.slice(4)];
  if (!secret) throw new Error(`environment variable ${value.slice(4)} (a channel secret) is not set`);
  return secret;
};

export interface RetryPolicy {
  attempts: number;
  /** The wait before the second attempt; it doubles after each failed attempt. */
  firstDelayMs: number;
  /** Per attempt; three attempts must fit the consumer's timeout (30 s). */
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 3,
  firstDelayMs: 300,
  timeoutMs: 5_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ChannelRequest {
  url: string;
  headers?: Record<string, string>;
  body: string;
}

/** Thrown by a response check: the platform answered 2xx but refused the message. */
export class RefusedByPlatform extends ChannelDeliveryError {
  override name = 'RefusedByPlatform';
}

/**
 * POSTs a request built afresh for each attempt (signatures carry the time), retrying network
 * errors, timeouts, 429 and 5xx with exponential backoff. Any other status, a refusal found by
 * `check` in a 2xx body, or the last failed attempt throws, so the queue retries the message
 * later and finally dead-letters it.
 */
export async function postWithRetry(
  channel: string,
  build: () => ChannelRequest,
  policy: RetryPolicy,
  check: (body: string) => void = () => {},
): Promise<void> {
  let lastProblem = '';
  let attempt = 0;
  while (attempt < policy.attempts) {
    attempt++;
    if (attempt > 1) await policy.sleep(policy.firstDelayMs * 2 ** (attempt - 2));
    const request = build();
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...request.headers },
        body: request.body,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
    } catch (error) {
      lastProblem = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'could not be reached';
      continue;
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      check(text);
      return;
    }
    lastProblem = `answered ${response.status}`;
    if (response.status !== 429 && response.status < 500) break;
  }
  // No URL in the message: for Slack, WeCom and DingTalk the URL is the credential.
  throw new ChannelDeliveryError(`${channel} ${lastProblem} (attempt ${attempt} of ${policy.attempts})`);
}

/**
 * A check for platforms that answer HTTP 200 with a result code in the JSON body (WeCom and
 * DingTalk `errcode`, Feishu `code`): anything but 0, or no such body, is a refusal.
 */
export function requireZeroCode(
  channel: string,
  schema: z.ZodMiniType<{ code: number | undefined; message?: string | undefined }>,
) {
  return (text: string) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RefusedByPlatform(`${channel} answered 200 without a JSON result`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success || parsed.data.code === undefined)
      throw new RefusedByPlatform(`${channel} answered 200 without a result code`);
    const { code, message } = parsed.data;
    if (code !== 0)
      throw new RefusedByPlatform(`${channel} refused the message: ${code} ${(message ?? '').slice(0, 120)}`.trim());
  };
}
