import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TextQuota } from '#shared/ports.ts';
import { type DocumentClient, isConditionFailure } from './client.ts';
import { epochSeconds, keys } from './keys.ts';

/**
 * The daily cap as one counter item per number and local day in the main table (`TEXTS#<hash>#<day>`),
 * raised by a conditional update, so parallel senders never pass the cap together; TTL removes it.
 */
export class DynamoTextQuota implements TextQuota {
  constructor(
    private readonly db: DocumentClient,
    private readonly table: string,
  ) {}

  async take(phoneHash: string, day: string, limit: number, expiresAt: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.textQuota(phoneHash, day),
          UpdateExpression: 'SET #sent = if_not_exists(#sent, :zero) + :one, #type = :type, #expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(#sent) OR #sent < :limit',
          ExpressionAttributeNames: { '#sent': 'sent', '#type': 'type', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ':limit': limit,
            ':type': 'text-quota',
            ':expiresAt': epochSeconds(expiresAt),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
