/**
 * The pages from S3 and CloudFront: a private bucket behind Origin Access Control, the API's
 * paths on the same distribution, the pages' security headers, and a deployment that
 * invalidates what it replaced.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { API_PATH_PATTERNS } from '#infra/constructs/pages.ts';
import { httpRoutes, buildTopology } from '#infra/topology.ts';
import { loadConfigFile } from '#shared/config/load.ts';
import { pagePathsFunctionCode, pageRoutes, siteFileFor } from '#web/site.ts';
import { localConfigPath, synthesizeStack } from './synthesize.ts';

const config = loadConfigFile(localConfigPath);
const template = Template.fromStack(synthesizeStack(config).stack);
const json = template.toJSON();

const oneIdOf = (type: string, properties: Record<string, unknown> = {}) => {
  const ids = Object.keys(template.findResources(type, { Properties: properties }));
  expect(ids, type).toHaveLength(1);
  return ids[0] as string;
};
const distribution = () => json.Resources[oneIdOf('AWS::CloudFront::Distribution')].Properties.DistributionConfig;
const pagesBucket = () => oneIdOf('AWS::S3::Bucket', { LoggingConfiguration: Match.anyValue() });
const originIdOf = (predicate: (origin: Record<string, any>) => boolean) => {
  const origin = distribution().Origins.find(predicate);
  expect(origin).toBeDefined();
  return origin.Id as string;
};

describe('the pages bucket', () => {
  it('blocks all public access, encrypts, logs its accesses and denies requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'pages-bucket/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: pagesBucket() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets only this distribution read it, through Origin Access Control', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const s3Origin = distribution().Origins.find((o: Record<string, any>) => o.S3OriginConfig);
    expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oneIdOf('AWS::CloudFront::OriginAccessControl'), 'Id'] });
    expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: pagesBucket() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });
});

describe('the distribution', () => {
  it('serves the pages from the bucket by default, over HTTPS, with the page paths rewritten to their files', () => {
    const s3 = originIdOf((o) => o.S3OriginConfig !== undefined);
    const fallback = distribution().DefaultCacheBehavior;

    expect(fallback).toMatchObject({
      TargetOriginId: s3,
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      Compress: true,
      FunctionAssociations: [
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [oneIdOf('AWS::CloudFront::Function'), 'FunctionARN'] } },
      ],
    });
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: pagePathsFunctionCode,
      FunctionConfig: { Runtime: 'cloudfront-js-2.0' },
    });
  });

  it('hands /v1/*, /s/* and /openapi.json to the HTTP API: every method, no caching, every viewer header but Host', () => {
    const apiOrigin = originIdOf((o) => o.CustomOriginConfig !== undefined);
    const behaviours = distribution().CacheBehaviors as Record<string, any>[];

    expect(behaviours.map((b) => b.PathPattern).sort()).toEqual(['/openapi.json', '/s/*', '/v1/*']);
    for (const behaviour of behaviours) {
      expect(behaviour, behaviour.PathPattern).toMatchObject({
        TargetOriginId: apiOrigin,
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        // CloudFront's managed CachingDisabled and AllViewerExceptHostHeader policies.
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
      });
    }
    const origin = distribution().Origins.find((o: Record<string, any>) => o.Id === apiOrigin);
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(JSON.stringify(origin.DomainName)).toContain(oneIdOf('AWS::ApiGatewayV2::Api'));
  });

  it('routes every API route of the topology to the API, and none to the bucket', () => {
    const globToRegex = (glob: string) => new RegExp(`^${glob.replace(/\*/g, '.*')}$`);
    for (const route of httpRoutes(buildTopology(config))) {
      const samplePath = route.path.replace(/\{[^}]+\}/g, 'x');
      expect(
        API_PATH_PATTERNS.some((p) => globToRegex(p).test(samplePath)),
        route.path,
      ).toBe(true);
    }
    for (const page of ['/', '/inbox', '/inbox/alerts/x', '/auth/callback', '/sign-in.json', '/assets/inbox.0.js']) {
      expect(
        API_PATH_PATTERNS.some((p) => globToRegex(p).test(page)),
        page,
      ).toBe(false);
    }
  });

  it('logs requests to the log bucket', () => {
    const logs = oneIdOf('AWS::S3::Bucket', { OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } });

    expect(distribution().Logging).toEqual({ Bucket: { 'Fn::GetAtt': [logs, 'RegionalDomainName'] }, Prefix: 'cloudfront/' });
  });
});

describe("the pages' response headers", () => {
  const policy = () =>
    json.Resources[oneIdOf('AWS::CloudFront::ResponseHeadersPolicy')].Properties.ResponseHeadersPolicyConfig
      .SecurityHeadersConfig;
  const csp = () => JSON.stringify(policy().ContentSecurityPolicy.ContentSecurityPolicy);

  it('are on the pages behaviour', () => {
    expect(distribution().DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({
      Ref: oneIdOf('AWS::CloudFront::ResponseHeadersPolicy'),
    });
  });

  it("allow scripts and styles from this origin only, never inline, no framing, and connections to this origin and the sign-in's", () => {
    expect(policy().ContentSecurityPolicy.Override).toBe(true);
    expect(csp()).not.toContain('unsafe-inline');
    expect(csp()).toContain("script-src 'self';");
    expect(csp()).toContain("style-src 'self';");
    expect(csp()).toContain("img-src 'self' data:;");
    expect(csp()).toContain("frame-ancestors 'none'");
    expect(csp()).toMatch(/connect-src 'self' https:\/\/cognito-idp\..*https:\/\/closedloop-.*\.amazoncognito\.com/);
  });

  it('set HSTS for two years with subdomains, nosniff, DENY framing and no referrer', () => {
    expect(policy()).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
  });
});

describe('the deployment of the site', () => {
  const deployments = () => Object.values(template.findResources('Custom::CDKBucketDeployment'));

  it('puts the hashed assets under assets/ for good, and never prunes them: an open page still finds its script', () => {
    const assets = deployments().find((d) => d.Properties.DestinationBucketKeyPrefix === 'assets/');

    expect(assets?.Properties).toMatchObject({
      DestinationBucketName: { Ref: pagesBucket() },
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
  });

  it('then the pages and the sign-in client, uncached, invalidating the distribution on every deploy', () => {
    const pages = deployments().find((d) => d.Properties.Prune === true);

    expect(pages?.Properties).toMatchObject({
      DestinationBucketName: { Ref: pagesBucket() },
      Exclude: ['assets/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionId: { Ref: oneIdOf('AWS::CloudFront::Distribution') },
      DistributionPaths: ['/*'],
    });
    expect(pages?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^PagesDeployAssetsCustomResource/)]));
  });

  it('outputs the public URL, the distribution, and the bucket', () => {
    template.hasOutput('PublicUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [oneIdOf('AWS::CloudFront::Distribution'), 'DomainName'] }]] },
    });
    template.hasOutput('PagesBucketName', { Value: { Ref: pagesBucket() } });
  });
});

describe('page paths (web/site.ts), the same for CloudFront and the local runtime', () => {
  it('answers /, /inbox, every case and the callback with their files, and any other path with itself', () => {
    expect(siteFileFor('/')).toBe('index.html');
    expect(siteFileFor('/inbox')).toBe('inbox.html');
    expect(siteFileFor('/inbox/alerts/a-1')).toBe('inbox.html');
    expect(siteFileFor('/auth/callback')).toBe('auth/callback.html');
    expect(siteFileFor('/assets/inbox.0.js')).toBe('assets/inbox.0.js');
    expect(siteFileFor('/inbox/alerts/a/b')).toBe('inbox/alerts/a/b');
  });

  it("rewrites in CloudFront's function exactly as the local runtime maps them", () => {
    const handler = new Function(`${pagePathsFunctionCode}; return handler;`)() as (event: { request: { uri: string } }) => {
      uri: string;
    };
    for (const path of ['/', '/inbox', '/inbox/alerts/a-1', '/auth/callback', '/sign-in.json', '/assets/x.js', '/inbox/x']) {
      expect(handler({ request: { uri: path } }).uri, path).toBe(`/${siteFileFor(path)}`);
    }
    expect(pageRoutes.length).toBeGreaterThan(0);
  });
});
