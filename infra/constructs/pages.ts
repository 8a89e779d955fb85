import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { SignInClient } from '#shared/config/sign-in.ts';
import {
  ASSETS_PREFIX,
  cacheControlFor,
  contentSecurityPolicy,
  HSTS_MAX_AGE_SECONDS,
  pagePathsFunctionCode,
  SIGN_IN_FILE,
} from '#web/site.ts';
import type { PublicApi } from './public-api.ts';

/** The paths CloudFront hands to the HTTP API; everything else is a file of the pages bucket. */
export const API_PATH_PATTERNS = ['/v1/*', '/s/*', '/openapi.json'] as const;

export interface PagesProps {
  api: PublicApi;
  /** The sign-in issuer's origins the pages talk to (discovery, token endpoint), for the CSP. */
  signInOrigins: string[];
}

/**
 * The one public origin: a CloudFront distribution serving the static pages (web/build.ts) from
 * a private bucket through Origin Access Control, and the API's paths from the HTTP API, so the
 * pages call the API on their own origin. The pages' security headers come from web/site.ts,
 * the same values the local runtime serves.
 */
export class Pages extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution domain>`: the pages, and the API behind them. */
  readonly url: string;

  constructor(scope: Construct, id: string, { api, signInOrigins }: PagesProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // CloudFront's standard logs are written with ACLs, so this bucket keeps them enabled for its owner.
    const logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'pages-bucket/',
    });

    const pageHeaders = new ResponseHeadersPolicy(this, 'PageHeaders', {
      comment: 'ClosedLoop pages: CSP without inline script or style, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(signInOrigins), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    const pagePaths = new CloudFrontFunction(this, 'PagePaths', {
      comment: 'Page paths to their files: / to index.html, /inbox and each case to inbox.html, /auth/callback',
      code: FunctionCode.fromInline(pagePathsFunctionCode),
      runtime: FunctionRuntime.JS_2_0,
    });

    const apiOrigin = new HttpOrigin(`${api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
    });
    // Every request reaches the API as sent (but for Host, which must be the API's own), and nothing is cached.
    const toApi: BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'ClosedLoop: the pages, and the API on the same origin',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: pageHeaders,
        functionAssociations: [{ function: pagePaths, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, toApi])),
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Customers answer surveys and heads of department work their cases from wherever they are: no country is refused.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL yet: the API throttles per route and checks every caller (JWT, machine key, signature, survey token); the pages are static. Add one (webAclId, in us-east-1) when traffic calls for it.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          "The distribution uses CloudFront's default *.cloudfront.net certificate, whose TLS versions CloudFront sets; a custom domain's certificate comes with minimumProtocolVersion TLSv1.2_2021.",
      },
    ]);
  }

  /**
   * Puts the built site in the bucket: the content-hashed assets first (kept, so a page still
   * open in a browser finds its script), then the pages and the sign-in client, pruning what the
   * build no longer has and invalidating CloudFront's copies of them.
   */
  deploy(siteDir: string, signIn: SignInClient): void {
    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [Source.asset(join(siteDir, ASSETS_PREFIX))],
      destinationBucket: this.bucket,
      destinationKeyPrefix: ASSETS_PREFIX,
      prune: false,
      cacheControl: [CacheControl.fromString(cacheControlFor(ASSETS_PREFIX))],
    });
    const pages = new BucketDeployment(this, 'DeployPages', {
      sources: [Source.asset(siteDir, { exclude: [ASSETS_PREFIX] }), Source.jsonData(SIGN_IN_FILE, signIn)],
      destinationBucket: this.bucket,
      exclude: [`${ASSETS_PREFIX}*`],
      cacheControl: [CacheControl.fromString(cacheControlFor(SIGN_IN_FILE))],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    pages.node.addDependency(assets);
    // The deployments' one handler (a CDK singleton at the stack's root).
    const stack = Stack.of(this);
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      NagSuppressions.addResourceSuppressions(
        child,
        [
          {
            id: 'AwsSolutions-IAM4',
            reason: "CDK's BucketDeployment handler logs with AWSLambdaBasicExecutionRole; it runs at deploy time only.",
            appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
          },
          {
            id: 'AwsSolutions-IAM5',
            reason:
              "CDK grants its BucketDeployment handler the site's objects: reading them from the asset bucket, writing and pruning them in the pages bucket.",
            appliesTo: [
              'Action::s3:GetBucket*',
              'Action::s3:GetObject*',
              'Action::s3:List*',
              'Action::s3:Abort*',
              'Action::s3:DeleteObject*',
              { regex: '/^Resource::<PagesBucket[0-9A-F]+\\.Arn>\\/\\*$/' },
              { regex: '/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>\\/\\*$/' },
            ],
          },
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'CloudFront authorizes CreateInvalidation and GetInvalidation on a distribution ARN, but CDK grants its BucketDeployment handler them on any: it invalidates this distribution only.',
            appliesTo: ['Resource::*'],
          },
          {
            id: 'AwsSolutions-L1',
            reason: "CDK pins its BucketDeployment handler's runtime with the CDK version; the handler runs at deploy time only.",
          },
        ],
        true,
      );
    }
  }
}
