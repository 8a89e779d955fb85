import type { Context, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { recordAnswer, recordAnswers, responseUpdatedSchema } from '#shared/use-cases/record-answer.ts';
import { sqsBatchHandler } from '../../functions/lib/sqs.ts';
import { aSurvey, createFakes, type Fakes } from './fakes.ts';

const logger = new Logger({ logLevel: 'SILENT' });
const context = { functionName: 'score-response', awsRequestId: 'req-1' } as unknown as Context;

const aRecord = (messageId: string, body: string) =>
  ({ messageId, body, attributes: { ApproximateReceiveCount: '1' } }) as unknown as SQSRecord;

/** The scorer's consumer over the fakes, as functions/sqs/score-response.ts wires it. */
const scorer = (fakes: Fakes, together = (ids: string[]) => recordAnswers(fakes, ids)) =>
  sqsBatchHandler(
    logger,
    responseUpdatedSchema,
    (messages) => together(messages.map((m) => m.surveyId)),
    async ({ surveyId }, done) => done?.get(surveyId) ?? recordAnswer(fakes, surveyId),
  );

/** An imported answer: completed, its alerts settled. */
const seedAnswer = (fakes: Fakes, id: string, score: number) =>
  fakes.surveys.seed(
    aSurvey({ id, status: 'completed', score, scoredAt: '2026-11-20T02:00:00.000Z', alertsRaisedAt: '2026-11-20T02:00:00.000Z' }),
  );

describe('sqsBatchHandler', () => {
  it('fails a bad message alone: the batch around it is kept', async () => {
    const fakes = createFakes();
    const [a, b] = [seedAnswer(fakes, 'sv_a', 9), seedAnswer(fakes, 'sv_b', 4)];
    const event = {
      Records: [
        aRecord('m1', JSON.stringify({ surveyId: a.id })),
        aRecord('m2', JSON.stringify({ surveyId: 'sv_missing' })),
        aRecord('m3', 'not json'),
        aRecord('m4', JSON.stringify({ surveyId: b.id })),
      ],
    };

    const result = await scorer(fakes)(event, context);

    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm3']);
    expect([...fakes.responses.responses.keys()].sort()).toEqual([a.id, b.id].sort());
  });

  it('takes each message its own way when the batch fails together', async () => {
    const fakes = createFakes();
    const [a, b] = [seedAnswer(fakes, 'sv_a', 9), seedAnswer(fakes, 'sv_b', 10)];
    const event = {
      Records: [aRecord('m1', JSON.stringify({ surveyId: a.id })), aRecord('m2', JSON.stringify({ surveyId: b.id }))],
    };
    const failing = async (): Promise<Map<string, { recorded: boolean; alerts: number }>> => {
      throw new Error('throttled');
    };

    const result = await scorer(fakes, failing)(event, context);

    expect(result.batchItemFailures).toEqual([]);
    expect([...fakes.responses.responses.keys()].sort()).toEqual([a.id, b.id].sort());
  });
});
