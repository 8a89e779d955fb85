/** `GET /dev/dlq` shows each dead-letter queue's depth; `POST /dev/dlq/redrive` moves its messages back. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export class DeadLetterQueues {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queues: Record<string, { url: string; dlqUrl: string }>,
  ) {}

  async depths() {
    const entries = await Promise.all(
      Object.entries(this.queues).map(async ([name, q]) => {
        const { Attributes = {} } = await this.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: q.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
        );
        return [`${name}-dlq`, Number(Attributes.ApproximateNumberOfMessages ?? 0)] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  /** Like SQS's message move task: each message goes back to its source queue, then leaves the DLQ. */
  async redrive(only?: string) {
    const moved: Record<string, number> = {};
    for (const [name, q] of Object.entries(this.queues)) {
      if (only && only !== name && only !== `${name}-dlq`) continue;
      moved[name] = 0;
      for (;;) {
        const { Messages = [] } = await this.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: q.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30 }),
        );
        if (Messages.length === 0) break;
        await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: q.url,
            Entries: Messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '' })),
          }),
        );
        await this.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: q.dlqUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
        moved[name] += Messages.length;
      }
    }
    return moved;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://local');
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/dev/dlq') {
      send({ deadLetterQueues: await this.depths() });
      return true;
    }
    if (req.method === 'POST' && url.pathname === '/dev/dlq/redrive') {
      send({ moved: await this.redrive(url.searchParams.get('queue') ?? undefined) });
      return true;
    }
    return false;
  }
}
