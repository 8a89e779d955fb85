import { join } from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import {
  Architecture,
  FilterCriteria,
  FilterRule,
  type IEventSourceDlq,
  Runtime,
  StartingPosition,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { SERVICE_NAME } from '#shared/config/metric-names.ts';
import type { Config } from '#shared/config/schema.ts';
import { type Binding, envNameForBinding, type FunctionSpec, type Trigger } from '../topology.ts';
import { FUNCTION_CONFIG_PATH, NAME_TAG } from '../wiring.ts';
import type { ConfigSecret } from './config-secret.ts';
import type { PeopleSignIn } from './people-sign-in.ts';
import type { PublicApi } from './public-api.ts';
import type { QueueWithDeadLetter } from './queue-with-dead-letter.ts';
import type { TopologyTable } from './topology-table.ts';

/** What bindings and triggers refer to by their topology names. */
export interface TopologyResources {
  api: PublicApi;
  /** The pages' and the API's public URL (the distribution's, or the config's publicBaseUrl). */
  publicUrl: string;
  signIn: PeopleSignIn;
  table(name: string): TopologyTable;
  queue(name: string): QueueWithDeadLetter;
}

export interface TopologyFunctionProps {
  spec: FunctionSpec;
  /** The repository root: entries are relative to it and it holds package-lock.json. */
  repoRoot: string;
  /** The config every bundle carries, its secrets as `secret:NAME` references. */
  config: Readonly<Config>;
  /** Where those references are read at cold start. */
  secrets: ConfigSecret;
}

/** One handler module as a Lambda function, plus the helpers that wire it the way the topology says. */
export class TopologyFunction extends Construct {
  readonly function: NodejsFunction;
  private integration?: HttpLambdaIntegration;

  constructor(scope: Construct, id: string, { spec, repoRoot, config, secrets }: TopologyFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own role instead of the managed AWSLambdaBasicExecutionRole: logs go to this function's group only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `ClosedLoop ${spec.name}: what its topology bindings and triggers need`,
    });
    logGroup.grantWrite(role);
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(repoRoot, spec.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
      role,
      logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        CLOSEDLOOP_CONFIG: FUNCTION_CONFIG_PATH,
        CLOSEDLOOP_SECRETS: secrets.setting,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      },
      bundling: bundling(config),
    });
    secrets.grantRead(this.function);
    Tags.of(this.function).add(NAME_TAG, spec.name);
    this.acknowledgeWildcard(
      'Resource::*',
      'X-Ray (active tracing) takes PutTraceSegments and PutTelemetryRecords on no resource narrower than *.',
    );
    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason: 'The project targets nodejs22.x (an LTS runtime in support): the runtime its code and tests are held to.',
      },
    ]);
  }

  /** A wildcard resource this function's policy must have, with the reason (cdk-nag AwsSolutions-IAM5). */
  private acknowledgeWildcard(resource: string, reason: string) {
    NagSuppressions.addResourceSuppressions(
      this.function.role ?? this,
      [{ id: 'AwsSolutions-IAM5', reason, appliesTo: [resource] }],
      true,
    );
  }

  /** Grants the access a binding names and tells the handler where the resource is, in one step. */
  bind(binding: Binding, resources: TopologyResources): void {
    const setEnv = (value: string) => {
      const env = envNameForBinding(binding);
      if (!env) throw new Error(`a ${binding.kind} binding sets no environment variable`);
      this.function.addEnvironment(env, value);
    };
    switch (binding.kind) {
      case 'table': {
        const table = resources.table(binding.table);
        table.grantData(this.function, binding.access);
        setEnv(table.tableName);
        return;
      }
      case 'queue': {
        const queue = resources.queue(binding.queue);
        queue.grantSend(this.function);
        setEnv(queue.queue.queueUrl);
        return;
      }
      case 'api':
        // Links in alerts open the pages, and Twilio signs the URL it was given: both the public one.
        setEnv(resources.publicUrl);
        return;
      case 'email':
        // SES authorises SendEmail against identities (the sender's; in the sandbox also the
        // recipients'): any verified identity of this account, in this region.
        this.function.addToRolePolicy(
          new PolicyStatement({
            actions: ['ses:SendEmail'],
            resources: [
              Stack.of(this).formatArn({
                service: 'ses',
                resource: 'identity',
                resourceName: '*',
                arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
              }),
            ],
          }),
        );
        this.acknowledgeWildcard(
          'Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*',
          "SES authorizes SendEmail against the sender's and (in the sandbox) the recipients' identities, which the config names: any verified identity of this account and region.",
        );
        return;
      case 'sms':
        // SendTextMessage is authorised against the origination identity, its pool, the configuration
        // set and the opt-out list: any of this account's End User Messaging resources, in this region.
        this.function.addToRolePolicy(
          new PolicyStatement({
            actions: ['sms-voice:SendTextMessage'],
            resources: [Stack.of(this).formatArn({ service: 'sms-voice', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME })],
          }),
        );
        this.acknowledgeWildcard(
          'Resource::arn:<AWS::Partition>:sms-voice:<AWS::Region>:<AWS::AccountId>:*',
          'SendTextMessage is authorized against the origination identity, its pool, the configuration set and the opt-out list, which live outside this stack: any End User Messaging resource of this account and region.',
        );
        return;
    }
  }

  /** Makes a trigger invoke this function: an HTTP route, a queue's event source or a schedule. */
  connect(trigger: Trigger, resources: TopologyResources): void {
    switch (trigger.kind) {
      case 'http':
        this.integration ??= new HttpLambdaIntegration('Integration', this.function, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        });
        resources.api.addTriggerRoute(trigger, this.integration, resources.signIn.authorizer);
        return;
      case 'queue':
        this.function.addEventSource(
          new SqsEventSource(resources.queue(trigger.queue).queue, {
            batchSize: trigger.batchSize,
            maxBatchingWindow:
              trigger.maxBatchingWindowSeconds > 0 ? Duration.seconds(trigger.maxBatchingWindowSeconds) : undefined,
            reportBatchItemFailures: true,
          }),
        );
        return;
      case 'stream':
        this.function.addEventSource(
          new DynamoEventSource(resources.table(trigger.table), {
            startingPosition: StartingPosition.TRIM_HORIZON,
            batchSize: trigger.batchSize,
            maxBatchingWindow:
              trigger.maxBatchingWindowSeconds > 0 ? Duration.seconds(trigger.maxBatchingWindowSeconds) : undefined,
            // A retry must be the same batch: the rollups' per-batch markers rely on it.
            bisectBatchOnError: false,
            filters: [FilterCriteria.filter({ dynamodb: { NewImage: { type: { S: FilterRule.or(...trigger.itemTypes) } } } })],
            onFailure: onFailureQueue(resources.queue(trigger.onFailure)),
          }),
        );
        return;
      case 'schedule':
        new Rule(this, `Schedule-every-${trigger.rateMinutes}-min`, {
          schedule: Schedule.rate(Duration.minutes(trigger.rateMinutes)),
          targets: [new LambdaFunction(this.function)],
        });
        return;
    }
  }
}

/** Stands in for @aws-sdk/credential-provider-node in every bundle (relative to the project root). */
export const lambdaCredentialsModule = 'functions/lib/lambda-credentials.ts';
/** Stands in for @smithy/core/event-streams in every bundle (relative to the project root). */
export const noEventStreamsModule = 'functions/lib/no-event-streams.ts';
/** Runs before the bundle's own modules (after the banner): stack traces mapped to the sources on demand (relative to the project root). */
export const bundlePreludeModule = 'functions/lib/bundle-prelude.ts';

/** How every function is bundled (esbuild through NodejsFunction); `npm run bench` bundles with the very same options. */
export function bundling(config: Readonly<Config>): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    // Stack traces need only the mappings; without the sources the map is far smaller. It is read
    // on the first stack trace (functions/lib/source-mapped-stacks.ts), not at cold start.
    sourcesContent: false,
    mainFields: ['module', 'main'],
    // Bundle the AWS SDK too: the functions then run the exact SDK versions of package-lock.json
    // that the tests ran, tree-shaken, instead of whatever version the Lambda runtime carries.
    externalModules: [],
    // On Lambda the role's credentials are in the environment: the SDK's default chain, with its
    // nested STS and SSO clients, gives way to the environment provider alone. esbuild runs in
    // the project root (NodejsFunction's local bundling), which the path is relative to.
    // The event-stream code gives way to a stub: none of the bundled clients streams events, and the
    // SDK's import() of it made esbuild wrap about 130 modules in lazy initialisers.
    esbuildArgs: {
      '--alias:@aws-sdk/credential-provider-node': `./${lambdaCredentialsModule}`,
      '--alias:@smithy/core/event-streams': `./${noEventStreamsModule}`,
    },
    inject: [`./${bundlePreludeModule}`],
    // CommonJS dependencies call require() for Node built-ins, which ESM lacks. The alias keeps
    // the banner's import from clashing with a bundled module's own `createRequire` import.
    // Then zod without its compiled checkers. Our schemas are zod/mini's, whose objects never compile
    // one; the classic API's objects, which zod-openapi brings into get-openapi, compile a checker
    // per object schema with `new Function`, which pays off over many parses of one schema, not
    // over a few requests per cold start (8 to 10 ms of a cold load when every schema was classic).
    // zod reads the setting as it builds each schema, so it must be set before zod loads: zod keeps
    // a `__zod_globalConfig` it finds on globalThis, for "an inline script before the bundle" (its
    // global-config tests). The bundle-size test fails if any bundle compiles code from strings.
    banner: [
      "import { createRequire as __closedloopCreateRequire } from 'node:module'; const require = __closedloopCreateRequire(import.meta.url);",
      'globalThis.__zod_globalConfig = { jitless: true };',
    ].join(' '),
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        `printf '%s' ${shellQuote(JSON.stringify(config))} > ${shellQuote(join(outputDir, 'config.json'))}`,
      ],
    },
  };
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * A stream's on-failure destination, granted like a queue binding (SendMessage and the data key
 * through SQS only) rather than CDK's SqsDlq grant, whose key actions are wildcards.
 */
function onFailureQueue(queue: QueueWithDeadLetter): IEventSourceDlq {
  return {
    bind: (_mapping, handler) => {
      queue.grantSend(handler);
      return { destination: queue.queue.queueArn };
    },
  };
}
