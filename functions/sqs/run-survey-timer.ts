import * as z from '#shared/zod.ts';
import { businessMetrics } from '#shared/config/metric-names.ts';
import type { Survey } from '#shared/domain/records.ts';
import { openCallTask, withdrawCallTask } from '#shared/use-cases/open-call-task.ts';
import { customerTimerMessageSchema, raiseRetentionTask } from '#shared/use-cases/retention-tasks.ts';
import { type ChannelDispatch, runSurveyTimer, surveyTimerMessageSchema } from '#shared/use-cases/run-survey-timer.ts';
import { sendWechatNotice } from '#shared/use-cases/send-wechat-notice.ts';
import { reviewSegment } from '#shared/use-cases/track-retention.ts';
import {
  alertStore,
  callTaskStore,
  clock,
  config,
  phoneVault,
  retentionStore,
  runtime,
  surveyStore,
  textQuota,
  workQueues,
} from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { count } from '../lib/observability.ts';
import { smsSender } from '../lib/sms-sender.ts';
import { sqsHandler } from '../lib/sqs.ts';
import { wechatNotifier } from '../lib/wechat-notifier.ts';

const logger = createLogger();

const wechat = wechatNotifier();
/** A survey whose channel is WeChat: its template message; a customer WeChat cannot reach moves the survey on. */
const wechatDispatch: ChannelDispatch | undefined = wechat
  ? async (survey) => {
      const outcome = await sendWechatNotice(
        { config, vault: phoneVault(), publicBaseUrl: runtime.publicBaseUrl, wechat },
        survey,
        'question',
      );
      // `rejected` is the account's set-up (template, AppSecret, IP whitelist): every WeChat survey goes on to its next channel until it is mended.
      if (outcome.kind === 'unreachable')
        logger[outcome.reason === 'rejected' ? 'error' : 'info']('wechat unreachable', {
          surveyId: survey.id,
          reason: outcome.reason,
        });
      return outcome.kind;
    }
  : undefined;

/** A survey whose channel is a call-back: a call task for the call-back department. */
const callDispatch: ChannelDispatch = (survey) => openCallTask({ config, clock, calls: callTaskStore() }, survey);

const deps = {
  dispatch: { wechat: wechatDispatch, call: callDispatch },
  withdraw: { call: (survey: Survey) => withdrawCallTask({ clock, calls: callTaskStore() }, survey.id) },
  config,
  clock,
  surveys: surveyStore(),
  queues: workQueues(),
  sms: smsSender(),
  vault: phoneVault(),
  quota: textQuota(),
  publicBaseUrl: runtime.publicBaseUrl,
  retention: retentionStore(),
  alerts: alertStore(),
};

/** The timers of surveys (send, remind, expire, close, resurvey) and of customers (recency, at risk). */
const timerMessageSchema = z.union([surveyTimerMessageSchema, customerTimerMessageSchema]);

export const handler = sqsHandler(logger, timerMessageSchema, async (message) => {
  if ('phoneHash' in message) {
    const { action } = message;
    const outcome =
      action === 'at_risk' ? await raiseRetentionTask(deps, { ...message, action }) : await reviewSegment(deps, message);
    logger.info('customer timer', { action, at: message.at, outcome });
    if (outcome === 'raised') count(businessMetrics.retentionTasksRaised);
    return;
  }
  const outcome = await runSurveyTimer(deps, message);
  logger.info('survey timer', { surveyId: message.surveyId, action: message.action, outcome });
  if (outcome === 'sent') count(message.action === 'remind' ? businessMetrics.remindersSent : businessMetrics.surveysSent);
});
