/**
 * `npm run redrive`: moves dead-lettered messages back to their queues, once their cause is fixed.
 *   local (default): the running stack at CLOSEDLOOP_URL (or http://127.0.0.1:$PORT)
 *   --aws:           every ClosedLoop DLQ in the account/region of the AWS environment, by SQS message move tasks
 * `--queue NAME` limits it to one queue; `--list` only shows depths.
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { aws: { type: 'boolean' }, queue: { type: 'string' }, list: { type: 'boolean' } },
});

if (values.aws) {
  const { ListQueuesCommand, GetQueueAttributesCommand, SQSClient, StartMessageMoveTaskCommand } = await import(
    '@aws-sdk/client-sqs'
  );
  const sqs = new SQSClient({});
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'ClosedLoop' }));
  for (const url of QueueUrls.filter((u) => /dlq/i.test(u) && (!values.queue || u.includes(values.queue)))) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'] }),
    );
    const depth = Number(Attributes.ApproximateNumberOfMessages ?? 0);
    console.log(`${url}: ${depth} message(s)`);
    if (!values.list && depth > 0 && Attributes.QueueArn) {
      const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: Attributes.QueueArn }));
      console.log(`  moving back to the source queue (task ${task.TaskHandle})`);
    }
  }
} else {
  const base = process.env.CLOSEDLOOP_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  try {
    if (values.list) {
      console.log(JSON.stringify((await (await fetch(`${base}/dev/dlq`)).json()).deadLetterQueues, null, 2));
    } else {
      const query = values.queue ? `?queue=${encodeURIComponent(values.queue)}` : '';
      const { moved } = await (await fetch(`${base}/dev/dlq/redrive${query}`, { method: 'POST' })).json();
      for (const [queue, count] of Object.entries(moved as Record<string, number>))
        if (count) console.log(`${queue}: ${count} moved back`);
      console.log('redrive done');
    }
  } catch (error) {
    console.error(`cannot reach the local stack at ${base}: is \`npm start\` running? (${(error as Error).message})`);
    process.exit(1);
  }
}
