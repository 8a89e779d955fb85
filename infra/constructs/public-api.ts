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
import type { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { type RouteAuth, routeThrottles, type Trigger } from '../topology.ts';

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

/** Why a route without the JWT authorizer is still guarded, by its topology `auth` kind. */
const OWN_CHECKS: Record<Exclude<RouteAuth, 'people'>, string> = {
  'machine-key':
    'A machine route (a DMS posting visits, an import) is called by a machine with a key, not a person: the handler compares the key by SHA-256 before it reads the body (401/403).',
  'twilio-signature': "Twilio's webhooks carry no token: the handler checks X-Twilio-Signature against the auth token (403).",
  'survey-token':
    'The web survey is answered by a customer who never signs in: an unguessable, expiring, single-use token in the path.',
  public:
    'A public document (the OpenAPI description of this API): it carries no data, and whoever calls what it describes is checked there.',
};

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

  /**
   * Adds an HTTP trigger's route with its throttle and its authorizer (people's routes: the JWT
   * authorizer; the others check the request themselves); the stage waits for the route it throttles.
   */
  addTriggerRoute(
    trigger: Extract<Trigger, { kind: 'http' }>,
    integration: HttpRouteIntegration,
    people: HttpJwtAuthorizer,
  ): void {
    const authorizer = trigger.auth === 'people' ? people : undefined;
    const routes = this.addRoutes({ path: trigger.path, methods: [HttpMethod[trigger.method]], integration, authorizer });
    const { rateLimit, burstLimit } = trigger.throttle;
    this.routeSettings[`${trigger.method} ${trigger.path}`] = {
      ThrottlingRateLimit: rateLimit,
      ThrottlingBurstLimit: burstLimit,
    };
    for (const route of routes) {
      this.stage.node.addDependency(route);
      if (trigger.auth !== 'people') {
        NagSuppressions.addResourceSuppressions(route, [{ id: 'AwsSolutions-APIG4', reason: OWN_CHECKS[trigger.auth] }], true);
      }
    }
  }
}
