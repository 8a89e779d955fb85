import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StreakAnswer, StreakStore } from '#shared/ports.ts';
import { type DocumentClient, isConditionFailure } from './client.ts';
import { epochSeconds } from './keys.ts';
import { streakItem } from './stored-response.ts';

const DAY_S = 86_400;
/** Answers read a page at a time past the new ones; a batch of one advisor's answers is rarely more. */
const PAGE = 200;

// Not `STREAK#`: that partition held the version-checked run item this store replaces.
const streakPk = (streak: string) => `STREAK_ANSWERS#${streak}`;

const answerOf = (item: Record<string, unknown>): StreakAnswer => {
  const { type, ...answer } = streakItem.parse(item);
  return answer;
};

/** An answer's place in its streak, written once: a scorer's retry must not undo a flag decided since. */
export const streakAnswerPut = (table: string, answer: StreakAnswer, retentionDays: number) => ({
  TableName: table,
  Item: {
    pk: streakPk(answer.streak),
    sk: answer.at,
    type: 'streak-answer',
    ...answer,
    // Kept as long as the answer it places.
    expiresAt: epochSeconds(answer.response.answeredAt) + retentionDays * DAY_S,
  },
  ConditionExpression: 'attribute_not_exists(pk)',
});

/**
 * One partition per advisor's streak (`STREAK_ANSWERS#<store>|<advisor>`), sorted by answer time: the
 * answers around new ones are two range reads, and, one partition being one stream shard at a
 * time, the stream hands an advisor's new answers over in order, never to two consumers at once.
 */
export class DynamoStreakStore implements StreakStore {
  constructor(
    private readonly db: DocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  async add(answer: StreakAnswer) {
    try {
      await this.db.send(new PutCommand(streakAnswerPut(this.table, answer, this.retentionDays)));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async around(streak: string, from: string, to: string, count: number) {
    const { Items: earlier = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk < :from',
        ExpressionAttributeValues: { ':pk': streakPk(streak), ':from': from },
        ScanIndexForward: false,
        Limit: count,
        ConsistentRead: true,
      }),
    );
    const range: StreakAnswer[] = [];
    let past = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk >= :from',
          ExpressionAttributeValues: { ':pk': streakPk(streak), ':from': from },
          Limit: PAGE,
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const answer = answerOf(item);
        if (answer.at > to && past++ >= count) return { before: earlier.map(answerOf).reverse(), range };
        range.push(answer);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return { before: earlier.map(answerOf).reverse(), range };
  }

  async setFlagged(answer: StreakAnswer, flagged: boolean) {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: streakPk(answer.streak), sk: answer.at },
          UpdateExpression: 'SET flagged = :flagged',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':flagged': flagged },
        }),
      );
    } catch (error) {
      // Expired meanwhile: nothing left to flag.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
