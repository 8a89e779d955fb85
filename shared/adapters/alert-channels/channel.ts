/** The shape every channel sender has, and what the human-readable ones need to write a message. */
import type { Channel, Locale } from '#shared/config/schema.ts';
import type { AlertPayload } from '#shared/ports.ts';
import { type AlertText, alertText } from './alert-text.ts';
import type { RetryPolicy } from './http-delivery.ts';

export type ChannelType = Channel['type'];
export type ChannelOf<T extends ChannelType> = Extract<Channel, { type: T }>;

export interface ChannelSender<T extends ChannelType> {
  deliver(channel: ChannelOf<T>, payload: AlertPayload, idempotencyKey: string): Promise<void>;
}

export interface MessageOptions {
  /** The config's `defaultLocale`: departments read alerts in the business's language. */
  locale: Locale;
  /** The store's time zone, for the due time. */
  timeZoneOf(storeId: string): string;
}

export interface HttpChannelOptions extends MessageOptions {
  env: NodeJS.ProcessEnv;
  retry: RetryPolicy;
  now(): Date;
}

export const textOf = (payload: AlertPayload, options: MessageOptions): AlertText =>
  alertText(payload, { locale: options.locale, timeZone: options.timeZoneOf(payload.alert.storeId) });
