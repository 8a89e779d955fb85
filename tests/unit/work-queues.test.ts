import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsWorkQueues } from '#shared/adapters/sqs/work-queues.ts';

/** An SQS client that takes SendMessageBatch calls and refuses the entries `refuse` picks. */
function fakeSqs(refuse: (body: string, call: number) => boolean = () => false) {
  const calls: { QueueUrl?: string; Entries: { Id: string; MessageBody: string }[] }[] = [];
  const client = {
    async send(command: unknown) {
      if (!(command instanceof SendMessageBatchCommand)) throw new Error('unexpected command');
      const input = command.input;
      const entries = (input.Entries ?? []).map((e) => ({ Id: e.Id ?? '', MessageBody: e.MessageBody ?? '' }));
      calls.push({ QueueUrl: input.QueueUrl, Entries: entries });
      const failed = entries.filter((e) => refuse(e.MessageBody, calls.length));
      return {
        Successful: entries.filter((e) => !failed.includes(e)).map((e) => ({ Id: e.Id })),
        Failed: failed.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
      };
    },
  };
  return { client: client as unknown as SQSClient, calls };
}

const urls = { responses: 'http://sqs.local/responses', alerts: () => 'http://sqs.local/alerts' };

describe('SqsWorkQueues.responsesUpdated', () => {
  it('sends the surveys ten to a SendMessageBatch call, as the scorer reads them', async () => {
    const sqs = fakeSqs();
    const ids = Array.from({ length: 23 }, (_, i) => `sv_${i}`);

    await new SqsWorkQueues(sqs.client, urls).responsesUpdated(ids);

    expect(sqs.calls.map((c) => c.Entries.length)).toEqual([10, 10, 3]);
    expect(sqs.calls.every((c) => c.QueueUrl === urls.responses)).toBe(true);
    expect(sqs.calls.flatMap((c) => c.Entries.map((e) => JSON.parse(e.MessageBody)))).toEqual(
      ids.map((surveyId) => ({ surveyId })),
    );
  });

  it('sends again the entries SQS refused inside an accepted batch', async () => {
    const sqs = fakeSqs((body, call) => call === 1 && body.includes('sv_3'));

    await new SqsWorkQueues(sqs.client, urls).responsesUpdated(['sv_1', 'sv_2', 'sv_3']);

    expect(sqs.calls.map((c) => c.Entries.map((e) => JSON.parse(e.MessageBody).surveyId))).toEqual([
      ['sv_1', 'sv_2', 'sv_3'],
      ['sv_3'],
    ]);
  });

  it('fails when SQS keeps refusing an entry, so the caller knows the answer was not handed on', async () => {
    const sqs = fakeSqs((body) => body.includes('sv_2'));

    await expect(new SqsWorkQueues(sqs.client, urls).responsesUpdated(['sv_1', 'sv_2'])).rejects.toThrow(/refused 1 message/);
    expect(sqs.calls).toHaveLength(3);
  });

  it('fails without a binding to the responses queue', async () => {
    await expect(new SqsWorkQueues(fakeSqs().client, { alerts: urls.alerts }).responsesUpdated(['sv_1'])).rejects.toThrow(
      /no binding/,
    );
  });
});
