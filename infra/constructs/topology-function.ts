import { join } from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Architecture, FilterCriteria, FilterRule, Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type Binding, envNameForBinding, type FunctionSpec, type Trigger } from '../topology.ts';
import { FUNCTION_CONFIG_PATH, NAME_TAG } from '../wiring.ts';

/** What bindings and triggers refer to by their topology names. */
export interface TopologyResources {
  api: HttpApi;
  table(name: string): ITableV2;
  queue(name: string): IQueue;
}

export interface TopologyFunctionProps {
  spec: FunctionSpec;
  /** The repository root: entries are relative to it and it holds package-lock.json. */
  repoRoot: string;
  /** Absolute path of the JSON config, shipped inside every bundle. */
  configPath: string;
}

/** One handler module as a Lambda function, plus the helpers that wire it the way the topology says. */
export class TopologyFunction extends Construct {
  readonly function: NodejsFunction;
  private integration?: HttpLambdaIntegration;

  constructor(scope: Construct, id: string, { spec, repoRoot, configPath }: TopologyFunctionProps) {
    super(scope, id);
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
      logGroup: new LogGroup(this, 'Logs', {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      environment: {
        CLOSEDLOOP_CONFIG: FUNCTION_CONFIG_PATH,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'closedloop',
      },
      bundling: bundling(configPath),
    });
    Tags.of(this.function).add(NAME_TAG, spec.name);
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
        if (binding.access === 'read') table.grantReadData(this.function);
        else table.grantReadWriteData(this.function);
        setEnv(table.tableName);
        return;
      }
      case 'queue': {
        const queue = resources.queue(binding.queue);
        queue.grantSendMessages(this.function);
        setEnv(queue.queueUrl);
        return;
      }
      case 'api':
        // A custom domain in front of the API goes in the config's publicBaseUrl instead.
        setEnv(resources.api.apiEndpoint);
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
        resources.api.addRoutes({
          path: trigger.path,
          methods: [HttpMethod[trigger.method]],
          integration: this.integration,
        });
        return;
      case 'queue':
        this.function.addEventSource(
          new SqsEventSource(resources.queue(trigger.queue), {
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
            onFailure: new SqsDlq(resources.queue(trigger.onFailure)),
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

/** How every function is bundled (esbuild through NodejsFunction); `npm run bench` bundles with the very same options. */
export function bundling(configPath: string): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    // Stack traces need only the mappings; without the sources the map is far smaller,
    // and --enable-source-maps parses it at cold start.
    sourcesContent: false,
    mainFields: ['module', 'main'],
    // Bundle the AWS SDK too: the functions then run the exact SDK versions of package-lock.json
    // that the tests ran, tree-shaken, instead of whatever version the Lambda runtime carries.
    externalModules: [],
    // CommonJS dependencies call require() for Node built-ins, which ESM lacks. The alias keeps
    // the banner's import from clashing with a bundled module's own `createRequire` import.
    banner:
      "import { createRequire as __closedloopCreateRequire } from 'node:module'; const require = __closedloopCreateRequire(import.meta.url);",
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        `cp ${shellQuote(configPath)} ${shellQuote(join(outputDir, 'config.json'))}`,
      ],
    },
  };
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
