import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AlertDeliveryMessage, SurveyTimerMessage, WorkQueues } from '#shared/ports.ts';

export interface QueueUrls {
  surveyDispatch?: string | undefined;
  responses?: string | undefined;
  alerts: (departmentId: string) => string;
}

/** The pipeline's queues; each function gets URLs only for the queues it is bound to. */
export class SqsWorkQueues implements WorkQueues {
  constructor(
    private readonly sqs: SQSClient,
    private readonly urls: QueueUrls,
  ) {}

  private async send(url: string | undefined, body: unknown) {
    if (!url) throw new Error('this function has no binding to that queue (infra/topology.ts)');
    await this.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(body) }));
  }

  surveyTimer(message: SurveyTimerMessage) {
    return this.send(this.urls.surveyDispatch, message);
  }
  responseUpdated(surveyId: string) {
    return this.send(this.urls.responses, { surveyId });
  }
  alertDelivery(departmentId: string, message: AlertDeliveryMessage) {
    return this.send(this.urls.alerts(departmentId), message);
  }
}
