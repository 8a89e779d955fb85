/**
 * Lambda's SQS event source mapping, locally: batches up to batchSize within the batching
 * window, deletes only what succeeded, lets failures reappear after the visibility timeout
 * (and reach the DLQ after maxReceiveCount, which the queue itself enforces).
 */
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { lambdaContext } from './api-gateway.ts';

export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface PollerOptions {
  functionName: string;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  timeoutSeconds: number;
  onError?: (error: unknown) => void;
  /** Fault injection: whether to drop the delete of a message that was handled (it then comes back). */
  loseDelete?: () => boolean;
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody:
      message.MD5OfBody ??
      createHash('md5')
        .update(message.Body ?? '')
        .digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  };
}

export class QueuePoller {
  private running = false;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();

  constructor(
    private readonly sqs: SQSClient,
    private readonly handler: SqsLambda,
    private readonly options: PollerOptions,
  ) {}

  start() {
    this.running = true;
    this.loop = this.run();
  }

  async stop() {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    try {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.options.queueUrl,
          MaxNumberOfMessages: Math.min(10, max),
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
        }),
        { abortSignal: this.abort.signal },
      );
      return Messages;
    } catch (error) {
      if (!this.running) return [];
      throw error;
    }
  }

  private async run() {
    const { batchSize, maxBatchingWindowSeconds } = this.options;
    while (this.running) {
      try {
        const batch = await this.receive(batchSize, 1);
        if (batch.length === 0) continue;
        const windowEnds = Date.now() + maxBatchingWindowSeconds * 1000;
        while (this.running && batch.length < batchSize && Date.now() < windowEnds) {
          const more = await this.receive(batchSize - batch.length, 0);
          if (more.length === 0) await new Promise((r) => setTimeout(r, 50));
          batch.push(...more);
        }
        await this.invoke(batch);
      } catch (error) {
        this.options.onError?.(error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async invoke(batch: Message[]) {
    const records = batch.map((m) => toRecord(m, this.options.queueArn));
    let failed: Set<string>;
    try {
      const response = await this.handler(
        { Records: records },
        lambdaContext(this.options.functionName, this.options.timeoutSeconds),
      );
      const ids = new Set(records.map((r) => r.messageId));
      const reported = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      // Lambda treats an unknown or empty identifier as a failure of the whole batch.
      failed = reported.some((id) => !id || !ids.has(id)) ? ids : new Set(reported);
    } catch (error) {
      this.options.onError?.(error);
      failed = new Set(records.map((r) => r.messageId));
    }
    const done = records.filter((r) => !failed.has(r.messageId) && !this.options.loseDelete?.());
    for (let i = 0; i < done.length; i += 10) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: done.slice(i, i + 10).map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
  }
}

/**
 * An EventBridge rate schedule, locally: a timer that never overlaps itself. Until one tick has
 * succeeded, its event's detail says `redriveInFlight`: the local queues live in memory, so what
 * they held before this start is gone, and the function may fire that work again.
 */
export class ScheduleTimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private firstDone = false;

  constructor(
    private readonly functionName: string,
    private readonly handler: (event: unknown, context: Context) => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start() {
    const tick = () => {
      if (this.running) return;
      const event = {
        version: '0',
        id: crypto.randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        time: new Date().toISOString(),
        detail: this.firstDone ? {} : { redriveInFlight: true },
      };
      this.running = this.handler(event, lambdaContext(this.functionName, 60))
        .then(() => {
          this.firstDone = true;
        })
        .catch(this.onError)
        .finally(() => {
          this.running = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
  }

  async stop() {
    clearInterval(this.timer);
    await this.running;
  }
}
