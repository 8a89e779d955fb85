import { describe, expect, it } from 'vitest';
import { answeredSurvey, api, queueDepth, scores, sendToQueue, tokens, visitDay, waitFor } from './helpers.ts';

const advisorBucket = async (advisorId: string) =>
  (await scores(`metric=nps&groupBy=advisor&advisorId=${advisorId}&from=${visitDay()}&to=${visitDay()}&granularity=day`)).body
    .buckets[0];

describe('exactly-once scoring', () => {
  it('counts an answer once when its queue message is delivered again and again', async () => {
    const { surveyId } = await answeredSurvey('9', 'quick and friendly', { advisorId: 'A-once-1' });
    await waitFor(async () => (await advisorBucket('A-once-1'))?.responses === 1, 'the first count');

    // The same message redelivered, as SQS at-least-once delivery and consumer retries do.
    await Promise.all(Array.from({ length: 5 }, () => sendToQueue('responses', { surveyId })));
    await waitFor(async () => (await queueDepth('responses')) === 0, 'the responses queue to drain');
    await new Promise((r) => setTimeout(r, 500));

    expect(await advisorBucket('A-once-1')).toMatchObject({ responses: 1, promoters: 1, score: 100 });
  });

  it('raises one alert per department however often the answer is replayed', async () => {
    const { surveyId } = await answeredSurvey('0', 'parts were out of stock, waited a week', { advisorId: 'A-once-2' });
    await Promise.all(Array.from({ length: 3 }, () => sendToQueue('responses', { surveyId })));
    await waitFor(async () => (await queueDepth('responses')) === 0, 'the responses queue to drain');
    const { body } = await api('/v1/alerts', { token: tokens.cx });
    const alerts = body.alerts.filter((a: { surveyId: string }) => a.surveyId === surveyId);
    expect(alerts.map((a: { departmentId: string }) => a.departmentId).sort()).toEqual(['parts', 'service-advisors']);
  });
});

describe('poison messages', () => {
  it('lands a message that can never be processed in the dead-letter queue, after its retries', async () => {
    const before = await queueDepth('responses-dlq');
    await sendToQueue('responses', 'this is not JSON');
    await sendToQueue('responses', { surveyId: 'sv_does_not_exist' });
    await waitFor(async () => (await queueDepth('responses-dlq')) === before + 2, 'two messages in the DLQ', 30_000);
    expect(await queueDepth('responses')).toBe(0);
  });

  it('keeps an alert whose channel keeps failing in the dead-letter queue, visible', async () => {
    const before = await queueDepth('alerts-parts-dlq');
    await answeredSurvey('1', '配件缺货，等了一周', { advisorId: 'A-once-3' });
    await waitFor(async () => (await queueDepth('alerts-parts-dlq')) > before, 'the parts alert in its DLQ', 30_000);
  });
});
