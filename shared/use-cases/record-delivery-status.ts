import * as z from '#shared/zod.ts';
import { twilioMessageSid } from './handle-inbound-sms.ts';
import type { Clock, DeliveryStatusStore } from '#shared/ports.ts';

/** Twilio's message statuses, in the order a message goes through them. */
export const twilioMessageStatuses = [
  'accepted',
  'scheduled',
  'canceled',
  'queued',
  'sending',
  'sent',
  'failed',
  'undelivered',
  'delivered',
  'partially_delivered',
  'read',
  'receiving',
  'received',
] as const;

/** How far along its life a status is; the final outcomes share a rank, and `read` comes after delivery. */
const rank: Record<(typeof twilioMessageStatuses)[number], number> = {
  accepted: 0,
  scheduled: 0,
  receiving: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  canceled: 4,
  failed: 4,
  undelivered: 4,
  delivered: 4,
  partially_delivered: 4,
  received: 4,
  read: 5,
};

/** The fields of Twilio's status callback this use case reads (the form has more; they are ignored). */
export const twilioStatusCallbackSchema = z.object({
  MessageSid: twilioMessageSid,
  MessageStatus: z.enum(twilioMessageStatuses),
  // Twilio sends ErrorCode only for failed and undelivered messages; an empty one means none.
  ErrorCode: z.pipe(
    z.optional(z.string().check(z.regex(/^\d{0,10}$/, 'a numeric Twilio error code'))),
    z.transform((code) => code || undefined),
  ),
});
export type TwilioStatusCallback = z.infer<typeof twilioStatusCallbackSchema>;

/**
 * Records a delivery status Twilio reported for an outbound text. A message we have not stored
 * yet is recorded all the same (Twilio may call before the sender saved its sid), and a repeated
 * callback changes nothing.
 */
export async function recordDeliveryStatus(
  deps: { clock: Clock; deliveries: DeliveryStatusStore },
  callback: TwilioStatusCallback,
): Promise<'recorded' | 'duplicate'> {
  return deps.deliveries.record({
    provider: 'twilio',
    messageId: callback.MessageSid,
    status: callback.MessageStatus,
    rank: rank[callback.MessageStatus],
    errorCode: callback.ErrorCode,
    at: deps.clock.now().toISOString(),
  });
}
