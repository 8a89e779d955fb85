/** Item keys of the main table. Timers live on their entity's item, in the sparse `due` index. */
import { createHash } from 'node:crypto';
import type { Timer } from '#shared/domain/records.ts';

export const TIMER_SHARDS = 8;

export const keys = {
  survey: (id: string) => ({ pk: `SURVEY#${id}`, sk: 'SURVEY' }),
  event: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' }),
  throttle: (phoneHash: string) => ({ pk: `THROTTLE#${phoneHash}`, sk: 'THROTTLE' }),
  optOut: (phoneHash: string) => ({ pk: `OPTOUT#${phoneHash}`, sk: 'OPTOUT' }),
  inbound: (key: string) => ({ pk: `INBOUND#${key}`, sk: 'INBOUND' }),
  alert: (id: string) => ({ pk: `ALERT#${id}`, sk: 'ALERT' }),
  /** A reopened case's entry in its department's list of reopened cases (beside the alert, in its partition). */
  reopenedAlert: (id: string) => ({ pk: `ALERT#${id}`, sk: 'REOPENED' }),
  customer: (phoneHash: string) => ({ pk: `CUSTOMER#${phoneHash}`, sk: 'CUSTOMER' }),
  webToken: (tokenHash: string) => ({ pk: `WEBTOKEN#${tokenHash}`, sk: 'WEBTOKEN' }),
  /** The customers who answered from one device (a keyed hash of address and user agent, never the address). */
  device: (deviceHash: string) => ({ pk: `DEVICE#${deviceHash}`, sk: 'DEVICE' }),
  /** An outbound text's delivery status history, by the provider's message id (Twilio's sid). */
  delivery: (messageId: string) => ({ pk: `DELIVERY#${messageId}`, sk: 'DELIVERY' }),
  /** A WeChat account's access token, shared by every function (WeChat keeps one valid per account). */
  wechatToken: (appId: string) => ({ pk: `WECHAT_TOKEN#${appId}`, sk: 'WECHAT_TOKEN' }),
  /** Texts sent to one number on one local day of the customer's, against `sms.maxPerNumberPerDay`. */
  textQuota: (phoneHash: string, day: string) => ({ pk: `TEXTS#${phoneHash}#${day}`, sk: 'TEXTS' }),
  /** A call-back's task (one per survey asked on the phone). */
  callTask: (id: string) => ({ pk: `CALLTASK#${id}`, sk: 'CALLTASK' }),
  phoneLookup: (phoneHash: string) => `PHONE#${phoneHash}`,
  departmentAlerts: (departmentId: string) => `ALERTS#${departmentId}`,
  departmentReopened: (departmentId: string) => `REOPENED#${departmentId}`,
  /** A department's call tasks in one status (open: sorted by due time; done: by closing time). */
  departmentCalls: (departmentId: string, status: string) => `CALLS#${departmentId}#${status}`,
};

/** Spreads timers over shards so no single index partition takes every write. */
export const timerShard = (id: string) => `DUE#${createHash('sha1').update(id).digest().readUInt8(0) % TIMER_SHARDS}`;

/** The attributes that put an entity's timer into the `due` index (or take it out). */
export function timerAttributes(entity: 'survey' | 'alert' | 'customer', id: string, timer: Timer<string>, leaseUntil?: string) {
  return {
    timerAction: timer.action,
    timerAt: timer.at,
    duePk: timerShard(id),
    dueSk: `${leaseUntil ?? timer.at}#${entity}#${id}`,
  };
}
export const timerAttributeNames = ['timerAction', 'timerAt', 'duePk', 'dueSk'] as const;

export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
