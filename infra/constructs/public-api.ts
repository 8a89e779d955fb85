import { Lazy, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  type HttpRouteIntegration,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { routeThrottles, type Trigger } from '../topology.ts';

/**
 * One line per request. Route keys, not paths: a path can carry a web survey's token. The body
 * size limit is the handlers' (functions/lib/http.ts, 64 KB, 413): an HTTP API's own is a fixed 10 MB.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

const HANDLER_AUTHORIZATION =
  'Every route authorizes in its handler (DESIGN §4): /v1 API routes by bearer tokens mapped to roles (401/403), ' +
  'the Twilio webhooks by X-Twilio-Signature (403), /s/{token} by an unguessable single-use survey token, and GET / ' +
  'serves the dashboard shell whose data calls need a bearer token. A JWT authorizer (Cognito) can take over the ' +
  'bearer tokens (DESIGN §3).';

/**
 * The HTTP API and its one `$default` stage: throttled as a whole and per route (each route's
 * throttle from its topology trigger), with access logs.
 */
export class PublicApi extends HttpApi {
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  private readonly routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};

  constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: 'ClosedLoop: webhooks, web survey, scores and alerts',
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Same id and scope as the stage HttpApi makes by default, so the stage is updated in place.
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this,
      stageName: '$default',
      autoDeploy: true,
      throttle: routeThrottles.stage,
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: ACCESS_LOG_FORMAT },
    });
    (this.stage.node.defaultChild as CfnStage).routeSettings = Lazy.any({
      produce: () => (Object.keys(this.routeSettings).length ? this.routeSettings : undefined),
    });
  }

  /** Adds an HTTP trigger's route with its throttle; the stage waits for the route it throttles. */
  addTriggerRoute(trigger: Extract<Trigger, { kind: 'http' }>, integration: HttpRouteIntegration): void {
    const routes = this.addRoutes({ path: trigger.path, methods: [HttpMethod[trigger.method]], integration });
    const { rateLimit, burstLimit } = trigger.throttle;
    this.routeSettings[`${trigger.method} ${trigger.path}`] = {
      ThrottlingRateLimit: rateLimit,
      ThrottlingBurstLimit: burstLimit,
    };
    for (const route of routes) {
      this.stage.node.addDependency(route);
      NagSuppressions.addResourceSuppressions(route, [{ id: 'AwsSolutions-APIG4', reason: HANDLER_AUTHORIZATION }], true);
    }
  }
}
