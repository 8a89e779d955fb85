import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryStatusReport, DeliveryStatusStore } from '#shared/ports.ts';
import { type DocumentClient, isConditionFailure, UpdateBuilder } from './client.ts';
import { epochSeconds, keys } from './keys.ts';

const DAY_S = 86_400;

/**
 * One item per outbound message (`DELIVERY#<id>`): its status history, each status once, and the
 * furthest status reported so far. Providers report out of order and retry, so the history and the
 * current status are conditional writes on that one item; nothing is read first.
 */
export class DynamoDeliveryStatusStore implements DeliveryStatusStore {
  constructor(
    private readonly db: DocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  async record(report: DeliveryStatusReport): Promise<'recorded' | 'duplicate'> {
    // At least as far along as the current status: it becomes the message's status.
    const advance = this.historyUpdate(report);
    advance
      .set('type', 'delivery')
      .set('provider', report.provider)
      .set('messageId', report.messageId)
      .set('status', report.status)
      .set('statusRank', report.rank)
      .set('errorCode', report.errorCode)
      .set('updatedAt', report.at)
      .set('expiresAt', epochSeconds(report.at) + this.retentionDays * DAY_S)
      .condition(`(attribute_not_exists(#statusRank) OR #statusRank <= ${advance.value(report.rank)})`);
    if (!report.errorCode) advance.remove('errorCode');
    if (await this.apply(report, advance)) return 'recorded';

    // Behind the current status (it arrived late): history only. Already in it: a provider's retry.
    return (await this.apply(report, this.historyUpdate(report))) ? 'recorded' : 'duplicate';
  }

  /** Appends the report to the history, on condition that its status is not in it yet. */
  private historyUpdate(report: DeliveryStatusReport) {
    const u = new UpdateBuilder();
    const history = u.name('history');
    const statuses = u.name('statuses');
    const entry = { status: report.status, at: report.at, ...(report.errorCode ? { errorCode: report.errorCode } : {}) };
    u.setRaw(`${history} = list_append(if_not_exists(${history}, ${u.value([])}), ${u.value([entry])})`);
    u.condition(`(attribute_not_exists(${statuses}) OR NOT contains(${statuses}, ${u.value(report.status)}))`);
    return u;
  }

  /** Runs the update, adding the status to the item's set of statuses seen; false if its condition failed. */
  private async apply(report: DeliveryStatusReport, u: UpdateBuilder): Promise<boolean> {
    const statusSet = u.value(new Set([report.status]));
    const update = u.build();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.delivery(report.messageId),
          ...update,
          UpdateExpression: `${update.UpdateExpression} ADD ${u.name('statuses')} ${statusSet}`,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
