/**
 * Reach: which channel a survey goes out by. A store lists its channels in order; a visit goes to
 * the first one it can use, and a survey that expires unanswered, or whose channel fails, moves
 * to the next usable one once (DESIGN §8).
 */
export type ReachChannel = 'sms' | 'link' | 'wechat' | 'call';

/** What a visit offers to reach its customer by. */
export interface Reachability {
  /** A valid phone number (what a call needs). */
  phone: boolean;
  /** That number takes texts (what `sms` and `link` need): not a landline. */
  textable: boolean;
  /** The customer's WeChat openid for the service account. */
  wechatOpenId: boolean;
  /** A call-back team is configured to call (a phone is needed as well). */
  callTeam: boolean;
}

/** The store's channels in order: its `reach`, else the one channel its `smsMode` names. */
export function reachOf(
  store: { reach?: readonly ReachChannel[] | undefined; smsMode?: 'two-way' | 'link' | undefined },
  config: { smsMode: 'two-way' | 'link' },
): readonly ReachChannel[] {
  if (store.reach?.length) return store.reach;
  return (store.smsMode ?? config.smsMode) === 'link' ? ['link'] : ['sms'];
}

export function canUse(channel: ReachChannel, visit: Reachability): boolean {
  switch (channel) {
    case 'sms':
    case 'link':
      return visit.phone && visit.textable;
    case 'wechat':
      return visit.wechatOpenId;
    case 'call':
      return visit.phone && visit.callTeam;
  }
}

/**
 * What a survey's customer can be reached by: a survey always has a phone (a visit without one is
 * suppressed `invalid_phone`), texts unless it is a landline, WeChat when the visit gave an openid;
 * the call-back team always exists (`callbacks.departmentId`, else the default department).
 */
export const surveyReachability = (survey: {
  wechatOpenIdCipher?: string | undefined;
  landline?: boolean | undefined;
}): Reachability => ({
  phone: true,
  textable: survey.landline !== true,
  wechatOpenId: survey.wechatOpenIdCipher !== undefined,
  callTeam: true,
});

/** The first channel of `reach` this visit can use; undefined when none. */
export function firstChannel(reach: readonly ReachChannel[], visit: Reachability): ReachChannel | undefined {
  return reach.find((c) => canUse(c, visit));
}

/**
 * Where a survey goes when its channel expired unanswered or failed: the next usable channel after
 * `current`, once. A survey that has already moved (`movedFrom` set) goes nowhere else.
 */
export function nextChannel(
  reach: readonly ReachChannel[],
  survey: { reach: ReachChannel; movedFrom?: ReachChannel | undefined },
  visit: Reachability,
): ReachChannel | undefined {
  if (survey.movedFrom) return undefined;
  const at = reach.indexOf(survey.reach);
  return reach.slice(at + 1).find((c) => c !== survey.reach && canUse(c, visit));
}
