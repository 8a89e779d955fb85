/**
 * Wiring: what is connected to what, by topology name. Derived once from the topology and
 * once from a synthesized template, the two must be equal (the same check can compare the
 * local runtime against the topology).
 */
import * as z from '#shared/zod.ts';
import { envNamesOf, httpRoutes, type Topology } from './topology.ts';

/** Tag that names every table, queue and function after its topology entry. */
export const NAME_TAG = 'closedloop:name';
/** Where a function finds the JSON config inside its bundle. */
export const FUNCTION_CONFIG_PATH = '/var/task/config.json';
export const deadLetterQueueName = (queue: string) => `${queue}-dlq`;

export interface Wiring {
  tables: string[];
  queues: { name: string; deadLetterQueue: string }[];
  /** Each route's function, and whether the JWT authorizer guards it before the function runs. */
  routes: { routeKey: string; function: string; authorizer: 'jwt' | 'none' }[];
  eventSources: { function: string; queue: string; batchSize: number; maxBatchingWindowSeconds: number }[];
  /** Table change streams and the function each feeds, with the item types that pass its filter. */
  streams: {
    function: string;
    table: string;
    itemTypes: string[];
    batchSize: number;
    maxBatchingWindowSeconds: number;
    onFailure: string;
  }[];
  schedules: { function: string; rateMinutes: number }[];
  /** SNS topics and the queue each delivers to (only AWS has them: the aws SMS provider's replies). */
  topics: { name: string; queue: string }[];
  /** Function name → the names of the environment variables it is given. */
  environment: Record<string, string[]>;
}

/** The wiring the topology asks for; `baseEnvironment` names the variables every function gets. */
export function describeTopologyWiring(topology: Topology, baseEnvironment: readonly string[]): Wiring {
  const fns = topology.functions;
  return normalizeWiring({
    tables: topology.tables.map((t) => t.name),
    queues: topology.queues.map((q) => ({ name: q.name, deadLetterQueue: deadLetterQueueName(q.name) })),
    routes: httpRoutes(topology).map((r) => ({
      routeKey: `${r.method} ${r.path}`,
      function: r.function,
      authorizer: r.auth === 'people' ? 'jwt' : 'none',
    })),
    eventSources: fns.flatMap((fn) =>
      fn.triggers.flatMap((t) =>
        t.kind === 'queue'
          ? [{ function: fn.name, queue: t.queue, batchSize: t.batchSize, maxBatchingWindowSeconds: t.maxBatchingWindowSeconds }]
          : [],
      ),
    ),
    streams: fns.flatMap((fn) =>
      fn.triggers.flatMap((t) =>
        t.kind === 'stream'
          ? [
              {
                function: fn.name,
                table: t.table,
                itemTypes: t.itemTypes,
                batchSize: t.batchSize,
                maxBatchingWindowSeconds: t.maxBatchingWindowSeconds,
                onFailure: t.onFailure,
              },
            ]
          : [],
      ),
    ),
    schedules: fns.flatMap((fn) =>
      fn.triggers.flatMap((t) => (t.kind === 'schedule' ? [{ function: fn.name, rateMinutes: t.rateMinutes }] : [])),
    ),
    environment: Object.fromEntries(fns.map((fn) => [fn.name, [...new Set([...baseEnvironment, ...envNamesOf(fn.bindings)])]])),
    topics: topology.topics.map((t) => ({ name: t.name, queue: t.queue })),
  });
}

/** The wiring a synthesized CloudFormation template actually has (`Template#toJSON()`). */
export function describeStackWiring(template: unknown): Wiring {
  const stack = readTemplate(template);
  const nameOf = (logicalId: string) => {
    const name = stack.names.get(logicalId);
    if (!name) throw new Error(`${logicalId} is referenced but carries no ${NAME_TAG} tag`);
    return name;
  };
  const integrations = new Map(stack.integrations().map(([id, p]) => [id, p.IntegrationUri]));

  return normalizeWiring({
    tables: stack.tables().map(([id]) => nameOf(id)),
    queues: stack
      .queues()
      .flatMap(([id, p]) =>
        p.RedrivePolicy ? [{ name: nameOf(id), deadLetterQueue: nameOf(p.RedrivePolicy.deadLetterTargetArn) }] : [],
      ),
    routes: stack.routes().map(([, p]) => {
      const integration = p.Target['Fn::Join'][1][1];
      const fn = integrations.get(integration);
      if (!fn) throw new Error(`route ${p.RouteKey} targets unknown integration ${integration}`);
      return { routeKey: p.RouteKey, function: nameOf(fn), authorizer: p.AuthorizationType === 'JWT' ? 'jwt' : 'none' };
    }),
    eventSources: stack
      .eventSources()
      .filter(([, p]) => !stack.isTable(p.EventSourceArn))
      .map(([, p]) => ({
        function: nameOf(p.FunctionName),
        queue: nameOf(p.EventSourceArn),
        batchSize: p.BatchSize,
        maxBatchingWindowSeconds: p.MaximumBatchingWindowInSeconds,
      })),
    streams: stack
      .eventSources()
      .filter(([, p]) => stack.isTable(p.EventSourceArn))
      .map(([, p]) => ({
        function: nameOf(p.FunctionName),
        table: nameOf(p.EventSourceArn),
        itemTypes: (p.FilterCriteria?.Filters ?? []).flatMap((f) => itemTypesOf(f.Pattern)),
        batchSize: p.BatchSize,
        maxBatchingWindowSeconds: p.MaximumBatchingWindowInSeconds,
        onFailure: p.DestinationConfig ? nameOf(p.DestinationConfig.OnFailure.Destination) : '',
      })),
    schedules: stack
      .rules()
      .flatMap(([, p]) =>
        p.Targets.map((target) => ({ function: nameOf(target.Arn), rateMinutes: rateMinutes(p.ScheduleExpression) })),
      ),
    // CDK's own deploy-time handlers (the pages' BucketDeployment) carry no topology name: no topology function.
    environment: Object.fromEntries(
      stack
        .functions()
        .filter(([id]) => stack.names.has(id))
        .map(([id, p]) => [nameOf(id), Object.keys(p.Environment?.Variables ?? {})]),
    ),
    topics: stack.subscriptions().map(([, p]) => ({ name: nameOf(p.TopicArn), queue: nameOf(p.Endpoint) })),
  });
}

/** Topology name → logical id, per kind; dead-letter queues are named `<queue>-dlq`. */
export function namedResources(template: unknown) {
  const stack = readTemplate(template);
  const byName = (ids: string[]) =>
    new Map(
      ids.flatMap((id) => {
        const name = stack.names.get(id);
        return name ? [[name, id] as const] : [];
      }),
    );
  return {
    tables: byName(stack.tables().map(([id]) => id)),
    queues: byName(stack.queues().map(([id]) => id)),
    functions: byName(stack.functions().map(([id]) => id)),
    topics: byName(stack.topics().map(([id]) => id)),
  };
}

const logicalId = z.union([
  z.pipe(
    z.object({ Ref: z.string() }),
    z.transform((v) => v.Ref),
  ),
  z.pipe(
    z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.string()]) }),
    z.transform((v) => v['Fn::GetAtt'][0]),
  ),
]);
const tags = z._default(z.array(z.object({ Key: z.string(), Value: z.string() })), []);
const table = z.object({ Replicas: z.array(z.object({ Tags: tags })).check(z.length(1)) });
const queue = z.object({ Tags: tags, RedrivePolicy: z.optional(z.object({ deadLetterTargetArn: logicalId })) });
const lambda = z.object({
  Tags: tags,
  Environment: z.optional(z.object({ Variables: z.record(z.string(), z.unknown()) })),
});
const route = z.object({
  RouteKey: z.string(),
  AuthorizationType: z.optional(z.enum(['NONE', 'JWT'])),
  Target: z.object({ 'Fn::Join': z.tuple([z.literal(''), z.tuple([z.literal('integrations/'), logicalId])]) }),
});
const integration = z.object({ IntegrationUri: logicalId });
const eventSource = z.object({
  FunctionName: logicalId,
  EventSourceArn: logicalId,
  BatchSize: z.number(),
  MaximumBatchingWindowInSeconds: z._default(z.number(), 0),
  FilterCriteria: z.optional(z.object({ Filters: z.array(z.object({ Pattern: z.string() })) })),
  DestinationConfig: z.optional(z.object({ OnFailure: z.object({ Destination: logicalId }) })),
});
/** The item types a stream filter lets through: `{"dynamodb":{"NewImage":{"type":{"S":[...]}}}}`. */
const streamFilter = z.object({
  dynamodb: z.object({ NewImage: z.object({ type: z.object({ S: z.array(z.string()) }) }) }),
});
const itemTypesOf = (pattern: string) => streamFilter.parse(JSON.parse(pattern)).dynamodb.NewImage.type.S;
const topic = z.object({ Tags: tags });
const subscription = z.object({ Protocol: z.string(), TopicArn: logicalId, Endpoint: logicalId });
const rule = z.object({ ScheduleExpression: z.string(), Targets: z.array(z.object({ Arn: logicalId })) });
const templateSchema = z.object({
  Resources: z.record(z.string(), z.object({ Type: z.string(), Properties: z.unknown() })),
});

function readTemplate(template: unknown) {
  const { Resources } = templateSchema.parse(template);
  const resources = <S extends z.ZodMiniType>(type: string, schema: S): [string, z.output<S>][] =>
    Object.entries(Resources).flatMap(([id, r]) => {
      if (r.Type !== type) return [];
      const parsed = schema.safeParse(r.Properties);
      if (!parsed.success) throw new Error(`${type} ${id} has an unexpected shape: ${parsed.error.message}`);
      return [[id, parsed.data]];
    });
  const nameTag = (tagList: { Key: string; Value: string }[]) => tagList.find((t) => t.Key === NAME_TAG)?.Value;
  const names = new Map<string, string>();
  const addName = (id: string, name: string | undefined) => name && names.set(id, name);
  for (const [id, p] of resources('AWS::DynamoDB::GlobalTable', table)) addName(id, nameTag(p.Replicas[0]?.Tags ?? []));
  for (const [id, p] of resources('AWS::SQS::Queue', queue)) addName(id, nameTag(p.Tags));
  for (const [id, p] of resources('AWS::Lambda::Function', lambda)) addName(id, nameTag(p.Tags));
  for (const [id, p] of resources('AWS::SNS::Topic', topic)) addName(id, nameTag(p.Tags));

  const tableIds = new Set(resources('AWS::DynamoDB::GlobalTable', table).map(([id]) => id));
  return {
    names,
    isTable: (id: string) => tableIds.has(id),
    tables: () => resources('AWS::DynamoDB::GlobalTable', table),
    queues: () => resources('AWS::SQS::Queue', queue),
    functions: () => resources('AWS::Lambda::Function', lambda),
    routes: () => resources('AWS::ApiGatewayV2::Route', route),
    integrations: () => resources('AWS::ApiGatewayV2::Integration', integration),
    eventSources: () => resources('AWS::Lambda::EventSourceMapping', eventSource),
    rules: () => resources('AWS::Events::Rule', rule),
    topics: () => resources('AWS::SNS::Topic', topic),
    subscriptions: () => resources('AWS::SNS::Subscription', subscription),
  };
}

function rateMinutes(expression: string): number {
  const match = /^rate\((\d+) minutes?\)$/.exec(expression);
  if (!match?.[1]) throw new Error(`unexpected schedule expression ${expression}`);
  return Number(match[1]);
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

export function normalizeWiring(wiring: Wiring): Wiring {
  return {
    tables: [...wiring.tables].sort(),
    queues: [...wiring.queues].sort(byKey((q) => q.name)),
    routes: [...wiring.routes].sort(byKey((r) => r.routeKey)),
    eventSources: [...wiring.eventSources].sort(byKey((e) => `${e.function} ${e.queue}`)),
    streams: [...wiring.streams]
      .map((s) => ({ ...s, itemTypes: [...s.itemTypes].sort() }))
      .sort(byKey((s) => `${s.function} ${s.table}`)),
    schedules: [...wiring.schedules].sort(byKey((s) => `${s.function} ${s.rateMinutes}`)),
    topics: [...wiring.topics].sort(byKey((t) => `${t.name} ${t.queue}`)),
    environment: Object.fromEntries(
      Object.entries(wiring.environment)
        .sort(byKey(([fn]) => fn))
        .map(([fn, names]) => [fn, [...names].sort()]),
    ),
  };
}
