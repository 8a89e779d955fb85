import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DueTimer, TimerIndex } from '#shared/ports.ts';
import { type DocumentClient, isConditionFailure } from './client.ts';
import { keys, TIMER_SHARDS } from './keys.ts';

const entityOf = (type: unknown): DueTimer['entity'] => (type === 'alert' || type === 'customer' ? type : 'survey');
const keyOf = { alert: keys.alert, survey: keys.survey, customer: keys.customer } satisfies Record<
  DueTimer['entity'],
  (id: string) => { pk: string; sk: string }
>;

/** The sparse `due` index: only items with a pending timer are in it, spread over shards. */
export class DynamoTimerIndex implements TimerIndex {
  constructor(
    private readonly db: DocumentClient,
    private readonly table: string,
  ) {}

  /**
   * An item is due when the time its dueSk starts with has come: its timer's, or the end of the
   * lease it was handed off under (which may come before its timer, e.g. a score handed to the
   * scorer while the why-question stays open).
   */
  async due(now: string, limit: number, alsoLeasedUntil?: string): Promise<DueTimer[]> {
    const shards = Array.from({ length: TIMER_SHARDS }, (_, i) => `DUE#${i}`);
    const dueBy = `${now}#~`;
    const pages = await Promise.all(
      shards.map((shard) =>
        this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'due',
            KeyConditionExpression: 'duePk = :shard AND dueSk <= :now',
            ExpressionAttributeValues: { ':shard': shard, ':now': `${alsoLeasedUntil ?? now}#~` },
            Limit: Math.ceil(limit / TIMER_SHARDS),
          }),
        ),
      ),
    );
    return pages.flatMap((page) =>
      (page.Items ?? [])
        // Due now, or (when re-driving) still leased: its dueSk is the lease, not timerAt.
        .filter(
          (item) =>
            String(item.dueSk) <= dueBy ||
            (alsoLeasedUntil !== undefined && !String(item.dueSk).startsWith(`${String(item.timerAt)}#`)),
        )
        .map((item) => ({
          entity: entityOf(item.type),
          id: String(item.id),
          action: String(item.timerAction),
          at: String(item.timerAt),
          departmentId: typeof item.departmentId === 'string' ? item.departmentId : undefined,
          leaseKey: String(item.dueSk),
        })),
    );
  }

  async lease(timer: DueTimer, until: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keyOf[timer.entity](timer.id),
          UpdateExpression: 'SET dueSk = :next',
          ConditionExpression: 'dueSk = :current',
          ExpressionAttributeValues: { ':next': `${until}#${timer.entity}#${timer.id}`, ':current': timer.leaseKey },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
