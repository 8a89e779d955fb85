import { awsInboundSmsSchema, toInboundSms } from '#shared/adapters/sms/aws-end-user-messaging.ts';
import { answerInboundSms } from '#shared/use-cases/answer-inbound-sms.ts';
import { clock, config, phoneVault, surveyStore, textQuota, workQueues } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { smsSender } from '../lib/sms-sender.ts';
import { sqsHandler } from '../lib/sqs.ts';

const logger = createLogger();

const deps = {
  config,
  clock,
  surveys: surveyStore(),
  queues: workQueues(),
  vault: phoneVault(),
  sms: smsSender(),
  quota: textQuota(),
};

/**
 * Two-way SMS through AWS End User Messaging: its SNS topic delivers each inbound text to the
 * sms-inbound queue with raw message delivery, so a record's body is End User Messaging's JSON.
 */
export const handler = sqsHandler(logger, awsInboundSmsSchema, async (message) => {
  const outcome = await answerInboundSms(deps, toInboundSms(message));
  logger.info('inbound sms handled', { inboundMessageId: message.inboundMessageId, ...outcome });
});
