import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AlertDeliveryMessage, CustomerTimerMessage, SurveyTimerMessage, WorkQueues } from '#shared/ports.ts';

export interface QueueUrls {
  surveyDispatch?: string | undefined;
  responses?: string | undefined;
  alerts: (departmentId: string) => string;
}

/** SQS takes at most ten messages per SendMessageBatch. */
const BATCH_SIZE = 10;
/** Entries SQS refuses inside an accepted batch (throttling, an internal error) are sent again this often. */
const BATCH_ATTEMPTS = 3;

/** The pipeline's queues; each function gets URLs only for the queues it is bound to. */
export class SqsWorkQueues implements WorkQueues {
  constructor(
    private readonly sqs: SQSClient,
    private readonly urls: QueueUrls,
  ) {}

  private queueUrl(url: string | undefined): string {
    if (!url) throw new Error('this function has no binding to that queue (infra/topology.ts)');
    return url;
  }

  private async send(url: string | undefined, body: unknown) {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl(url), MessageBody: JSON.stringify(body) }));
  }

  /** Sends every body, ten per call; fails if any is still refused after the retries. */
  private async sendBatch(url: string | undefined, bodies: unknown[]) {
    const queueUrl = this.queueUrl(url);
    for (let start = 0; start < bodies.length; start += BATCH_SIZE) {
      let entries = bodies
        .slice(start, start + BATCH_SIZE)
        .map((body, i) => ({ Id: String(i), MessageBody: JSON.stringify(body) }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        const { Failed = [] } = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        const failed = new Set(Failed.map((f) => f.Id));
        entries = entries.filter((e) => failed.has(e.Id));
        if (entries.length > 0 && attempt >= BATCH_ATTEMPTS) {
          const reasons = [...new Set(Failed.map((f) => f.Code))].join(', ');
          throw new Error(`SQS refused ${entries.length} message(s) after ${attempt} attempts (${reasons})`);
        }
      }
    }
  }

  surveyTimer(message: SurveyTimerMessage) {
    return this.send(this.urls.surveyDispatch, message);
  }
  customerTimer(message: CustomerTimerMessage) {
    return this.send(this.urls.surveyDispatch, message);
  }
  responseUpdated(surveyId: string) {
    return this.send(this.urls.responses, { surveyId });
  }
  responsesUpdated(surveyIds: string[]) {
    return this.sendBatch(
      this.urls.responses,
      surveyIds.map((surveyId) => ({ surveyId })),
    );
  }
  alertDelivery(departmentId: string, message: AlertDeliveryMessage) {
    return this.send(this.urls.alerts(departmentId), message);
  }
}
