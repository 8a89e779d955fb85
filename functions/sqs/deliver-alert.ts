import { businessMetrics } from '#shared/config/metric-names.ts';
import { alertDeliveryMessageSchema, deliverAlert } from '#shared/use-cases/deliver-alert.ts';
import { alertChannels } from '../lib/alert-channels.ts';
import { alertStore, clock, config, runtime } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { count } from '../lib/observability.ts';
import { sqsHandler } from '../lib/sqs.ts';

const logger = createLogger();

const deps = {
  config,
  clock,
  alerts: alertStore(),
  channels: alertChannels(),
  publicBaseUrl: runtime.publicBaseUrl,
};

export const handler = sqsHandler(logger, alertDeliveryMessageSchema, async (message) => {
  const { delivered, escalated } = await deliverAlert(deps, message);
  logger.info('alert delivered', { alertId: message.alertId, round: message.round, channels: delivered, escalated });
  count(businessMetrics.alertsDelivered, delivered);
  if (escalated) count(businessMetrics.escalations);
});
