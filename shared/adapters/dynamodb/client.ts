import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** The endpoint comes from the SDK's own AWS_ENDPOINT_URL_DYNAMODB, which the local runtime sets. */
export function createDocumentClient(client = new DynamoDBClient({})) {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
export type DocumentClient = ReturnType<typeof createDocumentClient>;

/** Why each item of a cancelled transaction was cancelled ('None', 'ConditionalCheckFailed', 'TransactionConflict', ...). */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof TransactionCanceledException) && (error as Error)?.name !== 'TransactionCanceledException')
    return undefined;
  return ((error as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

/** Which items of a cancelled transaction failed their condition, by position. */
export const failedConditions = (error: unknown): boolean[] | undefined =>
  cancellationCodes(error)?.map((code) => code === 'ConditionalCheckFailed');

export const isConditionFailure = (error: unknown) => (error as Error)?.name === 'ConditionalCheckFailedException';

/** Builds SET/REMOVE update expressions with placeholder names, skipping undefined values. */
export class UpdateBuilder {
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly conditions: string[] = [];
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private n = 0;

  name(attribute: string): string {
    const placeholder = `#${attribute.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }
  value(v: unknown): string {
    const placeholder = `:v${this.n++}`;
    this.values[placeholder] = v;
    return placeholder;
  }
  set(attribute: string, v: unknown) {
    if (v !== undefined) this.sets.push(`${this.name(attribute)} = ${this.value(v)}`);
    return this;
  }
  setRaw(expression: string) {
    this.sets.push(expression);
    return this;
  }
  remove(attribute: string) {
    this.removes.push(this.name(attribute));
    return this;
  }
  condition(expression: string) {
    this.conditions.push(expression);
    return this;
  }
  build() {
    const parts = [];
    if (this.sets.length) parts.push(`SET ${this.sets.join(', ')}`);
    if (this.removes.length) parts.push(`REMOVE ${this.removes.join(', ')}`);
    return {
      UpdateExpression: parts.join(' '),
      ConditionExpression: this.conditions.length ? this.conditions.join(' AND ') : undefined,
      ExpressionAttributeNames: this.names,
      ExpressionAttributeValues: Object.keys(this.values).length ? this.values : undefined,
    };
  }
}

/**
 * A query's pages (lib-dynamodb's paginator), each made into results by `take`, until `limit`
 * results are in hand (pages of `limit` items; a filter or `take` may keep fewer), or to the end
 * without one.
 */
export async function queryPages<T>(
  db: DocumentClient,
  input: QueryCommandInput,
  take: (items: Record<string, unknown>[]) => T[] | Promise<T[]>,
  limit?: number,
): Promise<T[]> {
  const results: T[] = [];
  for await (const page of paginateQuery({ client: db, ...(limit === undefined ? {} : { pageSize: limit }) }, input)) {
    results.push(...(await take(page.Items ?? [])));
    if (limit !== undefined && results.length >= limit) return results.slice(0, limit);
  }
  return results;
}

/** DynamoDB's limit: 100 keys a BatchGetItem. */
const BATCH_GET_SIZE = 100;

/**
 * The items of these keys that exist (keys repeated are read once), 100 keys a request,
 * strongly consistent; keys DynamoDB leaves unprocessed are asked for again after a pause.
 */
export async function batchGetItems(
  db: DocumentClient,
  table: string,
  itemKeys: { pk: string; sk: string }[],
  options: { projection?: string } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const unique = [...new Map(itemKeys.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
  for (let start = 0; start < unique.length; start += BATCH_GET_SIZE) {
    let pending: Record<string, unknown>[] = unique.slice(start, start + BATCH_GET_SIZE);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const { Responses, UnprocessedKeys } = await db.send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: pending, ConsistentRead: true, ProjectionExpression: options.projection } },
        }),
      );
      items.push(...(Responses?.[table] ?? []));
      pending = UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return items;
}
