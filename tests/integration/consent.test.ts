/**
 * Consent revoked by any reasonable means (issue 22), through the local runtime: a customer who
 * answers R, or writes a sentence that takes consent back, at any step of the conversation, is
 * opted out of every store with one confirmation, and the sentence is never kept as their words;
 * a comment that merely holds "stop" is kept as the comment. The suite's stack has no quiet hours
 * and its visits are three hours old, so every text goes out at once whatever the time of day;
 * nothing here reads a local date.
 */
import { describe, expect, it } from 'vitest';
import { alertOfSurvey, outbox, postVisit, reply, stack, stackClient, visit, waitForTexts } from './helpers.ts';

const { surveyItem } = stackClient(stack);

/** A fresh visit's survey texted to a fresh number; its phone as the customer's replies come from it. */
async function surveyed(overrides: Record<string, unknown> = {}, customer: Record<string, unknown> = {}) {
  const body = visit(overrides, customer);
  const ingested = await postVisit(body);
  expect(ingested.body.survey.status).toBe('scheduled');
  const [question] = await waitForTexts(body.customer.phone, 1, 60_000);
  return { phone: question?.to ?? '', surveyId: ingested.body.survey.id as string };
}

/** What a later visit of the same number, at another store, comes to. */
const laterVisit = async (phone: string, storeId: string, customer: Record<string, unknown> = {}) =>
  (await postVisit(visit({ storeId, occurredAt: new Date().toISOString() }, { phone, ...customer }))).body.survey;

/** A UK mobile number, so the survey is an English one. */
const ukPhone = () => `07911 2${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;

describe('consent revoked by any reasonable means', () => {
  it('opts a number out on R, the answer to "拒收请回复R", with one confirmation', async () => {
    const { phone, surveyId } = await surveyed();

    expect((await reply(phone, 'R')).body.reply).toContain('您已退订');
    expect((await reply(phone, 'r')).body.reply).toBeNull();

    expect(await surveyItem(surveyId)).toMatchObject({ status: 'opted_out' });
    expect(await laterVisit(phone, 'bj-chaoyang')).toEqual({ status: 'suppressed', reason: 'opted_out' });
    expect(await outbox(phone)).toHaveLength(2);
  });

  it('opts out on a Chinese sentence while the why-question is open, keeping the score but not the sentence', async () => {
    const { phone, surveyId } = await surveyed({ storeId: 'sh-minhang' });
    expect((await reply(phone, '3分')).body.reply).toContain('原因');

    expect((await reply(phone, '请不要再给我发短信了')).body.reply).toContain('您已退订');

    const survey = await surveyItem(surveyId);
    expect(survey).toMatchObject({ status: 'completed', score: 3 });
    expect(survey?.reason).toBeUndefined();
    // The detractor is still followed up, without the sentence as their comment.
    const alert = await alertOfSurvey(surveyId);
    expect(alert.score).toBe(3);
    expect(alert.comment).toBeUndefined();
    expect(await laterVisit(phone, 'bj-chaoyang')).toEqual({ status: 'suppressed', reason: 'opted_out' });
    expect((await outbox(phone)).map((text) => text.body)).toEqual([
      expect.stringContaining('闵行服务中心'),
      expect.stringContaining('原因'),
      expect.stringContaining('您已退订'),
    ]);
  });

  it('opts out on an English sentence while the score is asked, in English', async () => {
    const { phone, surveyId } = await surveyed({ storeId: 'uk-reading' }, { phone: ukPhone(), locale: 'en', name: 'Sam' });

    expect((await reply(phone, 'Who is this? Please stop texting me')).body.reply).toContain('You have opted out');

    const survey = await surveyItem(surveyId);
    expect(survey).toMatchObject({ status: 'opted_out' });
    expect(survey?.score).toBeUndefined();
    expect(await laterVisit(phone, 'sh-pudong')).toEqual({ status: 'suppressed', reason: 'opted_out' });
    expect(await outbox(phone)).toHaveLength(2);
  });

  it('opts out on an English sentence after the survey ended, leaving the comment as it was', async () => {
    const { phone, surveyId } = await surveyed({ storeId: 'uk-reading' }, { phone: ukPhone(), locale: 'en' });
    await reply(phone, '9');
    expect((await reply(phone, 'Friendly staff')).body.reply).toContain('Thanks');

    expect((await reply(phone, 'remove me from your list')).body.reply).toContain('You have opted out');

    expect(await surveyItem(surveyId)).toMatchObject({ status: 'completed', score: 9, reason: 'Friendly staff' });
    expect(await laterVisit(phone, 'uk-reading', { locale: 'en' })).toEqual({ status: 'suppressed', reason: 'opted_out' });
  });

  it('keeps a comment that merely holds "stop" as the comment, and the number surveyed', async () => {
    const { phone, surveyId } = await surveyed({ storeId: 'uk-reading' }, { phone: ukPhone(), locale: 'en' });
    await reply(phone, '4');

    const comment = 'the brakes squeal every time I stop the car';
    const answered = await reply(phone, comment);

    expect(answered.body.reply).not.toContain('opted out');
    expect(await surveyItem(surveyId)).toMatchObject({ status: 'completed', score: 4, reason: comment });
    expect((await alertOfSurvey(surveyId)).comment).toBe(comment);
    // Throttled, not opted out: an opt-out is the first reason a visit is suppressed for.
    expect(await laterVisit(phone, 'sh-pudong')).toEqual({ status: 'suppressed', reason: 'throttled' });
    expect(await outbox(phone)).toHaveLength(3);
  });
});
