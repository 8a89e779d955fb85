/**
 * Reads what a function's role may do out of a synthesized template, resource by resource,
 * with the topology's names: `table:main`, `table:main/index/due`, `queue:responses`,
 * `key via dynamodb` (the data key, usable only through that service), `key`, `secret`,
 * `logs` (the function's own log group), or `*` (no resource of this stack: `*` itself or an
 * account-wide ARN pattern).
 */
import type { FunctionSpec, Topology } from '#infra/topology.ts';
import { namedResources } from '#infra/wiring.ts';

export interface Grant {
  action: string;
  resource: string;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: { StringEquals?: Record<string, unknown> };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> & { Role?: unknown } }>;

/** `template`: a synthesized template (`Template#toJSON()`). */
export function grantReader(template: unknown) {
  const { Resources } = template as { Resources: Resources };
  const named = namedResources(template);
  const propertiesOf = (id: string) => {
    const resource = Resources[id];
    if (!resource) throw new Error(`no resource ${id} in the template`);
    return resource.Properties;
  };
  const labels = new Map<string, string>([
    ...[...named.tables].map(([name, id]) => [id, `table:${name}`] as const),
    ...[...named.queues].map(([name, id]) => [id, `queue:${name}`] as const),
    ...idsOf(Resources, 'AWS::KMS::Key').map((id) => [id, 'key'] as const),
    ...idsOf(Resources, 'AWS::SecretsManager::Secret').map((id) => [id, 'secret'] as const),
  ]);

  const roleOf = (functionName: string): string => {
    const id = named.functions.get(functionName);
    if (!id) throw new Error(`no function named ${functionName} in the template`);
    return (propertiesOf(id).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  };

  /** Every statement of the inline policies attached to the function's role. */
  const statementsOf = (functionName: string): Statement[] => {
    const role = roleOf(functionName);
    return Object.values(Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === role))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  };

  const grantsOf = (functionName: string): Grant[] => {
    const logGroup = (propertiesOf(named.functions.get(functionName) ?? '').LoggingConfig as { LogGroup: { Ref: string } })
      .LogGroup.Ref;
    const label = (resource: unknown, statement: Statement): string => {
      const ids = referencedIds(resource);
      const [id] = ids;
      if (!id || ids.length > 1) return ids.length ? JSON.stringify(resource) : '*';
      if (id === logGroup) return 'logs';
      const name = labels.get(id) ?? id;
      const via = statement.Condition?.StringEquals?.['kms:ViaService'];
      if (via) return `${name} via ${JSON.stringify(via).match(/"(\w+)\./)?.[1]}`;
      const suffix = JSON.stringify(resource).match(/"(\/index\/[^"]+)"/)?.[1];
      return suffix ? `${name}${suffix}` : name;
    };
    return statementsOf(functionName).flatMap((statement) => {
      if (statement.Effect !== 'Allow') throw new Error(`${functionName} has a ${statement.Effect} statement`);
      return [statement.Action]
        .flat()
        .flatMap((action) => [statement.Resource].flat().map((resource) => ({ action, resource: label(resource, statement) })));
    });
  };

  return { grantsOf, statementsOf, roleOf };
}

function idsOf(resources: Resources, type: string): string[] {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
}

/** The logical ids a value refers to (pseudo parameters such as AWS::Region excluded). */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (!value || typeof value !== 'object') return [];
  if ('Ref' in value && typeof value.Ref === 'string') return value.Ref.startsWith('AWS::') ? [] : [value.Ref];
  if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) return [String(value['Fn::GetAtt'][0])];
  return Object.values(value).flatMap(referencedIds);
}

const capabilities: Record<string, string> = {
  'dynamodb:DescribeStream': 'stream',
  'dynamodb:GetRecords': 'stream',
  'dynamodb:GetShardIterator': 'stream',
  'dynamodb:ListStreams': 'stream',
  'dynamodb:GetItem': 'read',
  'dynamodb:Query': 'read',
  'dynamodb:ConditionCheckItem': 'write',
  'dynamodb:DeleteItem': 'write',
  'dynamodb:PutItem': 'write',
  'dynamodb:UpdateItem': 'write',
  'sqs:SendMessage': 'send',
  'sqs:ReceiveMessage': 'receive',
  'sqs:DeleteMessage': 'receive',
  'sqs:ChangeMessageVisibility': 'receive',
  // Queue metadata comes with receiving (Lambda's event source mapping asks for it).
  'sqs:GetQueueAttributes': 'receive',
  'sqs:GetQueueUrl': 'receive',
  'kms:Decrypt': 'decrypt',
  'kms:DescribeKey': 'decrypt',
  'kms:Encrypt': 'encrypt',
  'kms:GenerateDataKey': 'encrypt',
  'secretsmanager:GetSecretValue': 'read',
  'secretsmanager:DescribeSecret': 'read',
  'logs:CreateLogStream': 'write',
  'logs:PutLogEvents': 'write',
  'xray:PutTraceSegments': 'trace',
  'xray:PutTelemetryRecords': 'trace',
};

/** Resource → what the function can do with it; an action outside the known list shows as itself. */
export function accessOf(grants: Grant[]): Record<string, string[]> {
  const access: Record<string, Set<string>> = {};
  for (const { action, resource } of grants) {
    access[resource] ??= new Set();
    access[resource].add(capabilities[action] ?? action);
  }
  return Object.fromEntries(Object.entries(access).map(([resource, caps]) => [resource, [...caps].sort()]));
}

/** What a function's bindings and triggers call for, in `accessOf`'s terms. */
export function expectedAccess(fn: FunctionSpec, topology: Topology): Record<string, string[]> {
  const access: Record<string, Set<string>> = {};
  const add = (resource: string, ...caps: string[]) => {
    access[resource] ??= new Set();
    for (const cap of caps) access[resource].add(cap);
  };
  // Every function: its own log group, X-Ray, and the config secret.
  add('logs', 'write');
  add('*', 'trace');
  add('secret', 'read');
  for (const b of fn.bindings) {
    if (b.kind === 'table') {
      const caps = b.access === 'read' ? ['read'] : ['read', 'write'];
      add(`table:${b.table}`, ...caps);
      for (const index of topology.tables.find((t) => t.name === b.table)?.indexes ?? []) {
        add(`table:${b.table}/index/${index.name}`, 'read');
      }
      add('key via dynamodb', ...(b.access === 'read' ? ['decrypt'] : ['decrypt', 'encrypt']));
    } else if (b.kind === 'queue') {
      add(`queue:${b.queue}`, 'send');
      add('key via sqs', 'decrypt', 'encrypt');
    }
    // SES identities and End User Messaging resources: account-wide ARN patterns, no resource of this stack.
    else if (b.kind === 'email') add('*', 'ses:SendEmail');
    else if (b.kind === 'sms') add('*', 'sms-voice:SendTextMessage');
  }
  for (const t of fn.triggers) {
    if (t.kind === 'queue') {
      add(`queue:${t.queue}`, 'receive');
      // Lambda's event source mapping receives with the function's role: SQS decrypts with it.
      add('key', 'decrypt');
    }
    if (t.kind === 'stream') {
      // The stream's records are under the table's key; what it gives up on goes to its queue.
      add(`table:${t.table}`, 'stream');
      add('key via dynamodb', 'decrypt');
      add(`queue:${t.onFailure}`, 'send');
      add('key via sqs', 'decrypt', 'encrypt');
    }
  }
  return Object.fromEntries(Object.entries(access).map(([resource, caps]) => [resource, [...caps].sort()]));
}
