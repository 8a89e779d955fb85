import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CallTask, CallTaskEntry, CallTaskStatus } from '#shared/domain/call-tasks.ts';
import type { CallTaskChanges, CallTaskStore } from '#shared/ports.ts';
import { type DocumentClient, isConditionFailure, queryPages, UpdateBuilder } from './client.ts';
import { epochSeconds, keys } from './keys.ts';
import { isLive } from './survey-store.ts';

const DAY_S = 86_400;
const internal = new Set(['pk', 'sk', 'type', 'lookupPk', 'lookupSk', 'expiresAt']);

const toTask = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !internal.has(k))) as unknown as CallTask;

/**
 * Call tasks in the main table, one item each, listed through the `lookup` index: a department's
 * open tasks sorted by due time (what to call first), its done ones by when they closed. A task
 * moves from one list to the other in the write that finishes it.
 */
export class DynamoCallTaskStore implements CallTaskStore {
  constructor(
    private readonly db: DocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  private lookup(task: Pick<CallTask, 'id' | 'departmentId' | 'status' | 'dueAt'> & { closedAt?: string | undefined }) {
    return {
      lookupPk: keys.departmentCalls(task.departmentId, task.status),
      lookupSk: `${task.status === 'open' ? task.dueAt : (task.closedAt ?? task.dueAt)}#${task.id}`,
    };
  }

  async create(task: CallTask): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.callTask(task.id),
            type: 'call-task',
            ...task,
            ...this.lookup(task),
            expiresAt: epochSeconds(task.createdAt) + this.retentionDays * DAY_S,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async get(taskId: string): Promise<CallTask | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.callTask(taskId), ConsistentRead: true }),
    );
    return Item && isLive(Item) ? toTask(Item) : undefined;
  }

  async list(
    departmentId: string,
    options: { status: CallTaskStatus; storeId?: string | undefined; limit: number },
  ): Promise<CallTask[]> {
    return queryPages(
      this.db,
      {
        TableName: this.table,
        IndexName: 'lookup',
        KeyConditionExpression: 'lookupPk = :pk',
        FilterExpression: options.storeId ? 'storeId = :store' : undefined,
        ExpressionAttributeValues: {
          ':pk': keys.departmentCalls(departmentId, options.status),
          ...(options.storeId ? { ':store': options.storeId } : {}),
        },
        // Open: the soonest due first. Done: the latest closed first.
        ScanIndexForward: options.status === 'open',
      },
      (items) => items.filter((i) => isLive(i)).map(toTask),
      options.limit,
    );
  }

  async update(
    taskId: string,
    changes: CallTaskChanges,
    expect: { status?: CallTaskStatus; attempts?: number },
    entry?: CallTaskEntry,
  ): Promise<boolean> {
    const { retryAt, ...fields } = changes;
    const u = new UpdateBuilder().condition('attribute_exists(pk)');
    for (const [k, v] of Object.entries(fields)) u.set(k, v);
    if (retryAt === null) u.remove('retryAt');
    else u.set('retryAt', retryAt);
    if (changes.status) {
      const current = await this.get(taskId);
      if (!current) return false;
      const next = this.lookup({ ...current, ...fields, id: taskId, status: changes.status });
      u.set('lookupPk', next.lookupPk).set('lookupSk', next.lookupSk);
    }
    if (entry) u.setRaw(`${u.name('log')} = list_append(${u.name('log')}, ${u.value([entry])})`);
    if (expect.status) u.condition(`${u.name('status')} = ${u.value(expect.status)}`);
    if (expect.attempts !== undefined) u.condition(`${u.name('attempts')} = ${u.value(expect.attempts)}`);
    try {
      await this.db.send(new UpdateCommand({ TableName: this.table, Key: keys.callTask(taskId), ...u.build() }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
