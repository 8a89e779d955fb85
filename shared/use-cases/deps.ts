import type { Config } from '#shared/config/schema.ts';
import type {
  AlertChannelSender,
  AlertStore,
  CallTaskStore,
  Clock,
  PhoneVault,
  ResponseStore,
  RetentionStore,
  RollupStore,
  SmsSender,
  StreakStore,
  SurveyStore,
  TimerIndex,
  WorkQueues,
} from '#shared/ports.ts';

/** Everything a use case may need; each takes only the part it uses. */
export interface Deps {
  config: Readonly<Config>;
  clock: Clock;
  surveys: SurveyStore;
  responses: ResponseStore;
  /** Each advisor's answers by answer time, for the perfect-streak flag. */
  streaks: StreakStore;
  rollups: RollupStore;
  retention: RetentionStore;
  alerts: AlertStore;
  /** Call-backs: the call-back department's tasks. */
  calls: CallTaskStore;
  timers: TimerIndex;
  queues: WorkQueues;
  sms: SmsSender;
  vault: PhoneVault;
  channels: AlertChannelSender;
  /** Where links in alerts point (the dashboard and API). */
  publicBaseUrl?: string | undefined;
}

/** How long a fired timer is left alone before the sweeper fires it again (the outbox's retry). */
export const TIMER_LEASE_MS = 5 * 60_000;

export const addMs = (iso: Date | string, ms: number) => new Date(new Date(iso).getTime() + ms).toISOString();
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
