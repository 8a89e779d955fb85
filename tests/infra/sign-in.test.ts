import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '#shared/config/load.ts';
import { buildTopology, httpRoutes } from '#infra/topology.ts';
import { localConfigPath, synthesizeStack } from './synthesize.ts';

const config = loadConfigFile(localConfigPath);
const topology = buildTopology(config);

let template: Template;
let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
beforeAll(() => {
  template = Template.fromStack(synthesizeStack(config).stack);
  resources = template.toJSON().Resources;
});

const logicalIdOf = (type: string, properties: Record<string, unknown> = {}) => {
  const ids = Object.keys(template.findResources(type, { Properties: properties }));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};
const routeOf = (routeKey: string) => {
  const [route] = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }));
  if (!route) throw new Error(`no route ${routeKey}`);
  return route.Properties;
};

describe('people sign in with Cognito', () => {
  it('has a user pool nobody signs up to themselves, with a strong password policy, MFA and threat protection', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('has the groups cx and department-<id> for every configured department', () => {
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['cx', ...config.departments.map((d) => `department-${d.id}`)].sort());
  });

  it('gives the pages a public client: no secret, the authorization code flow only, callback on the distribution', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'closedloop-web',
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: Match.arrayWith(['openid', 'profile']),
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      CallbackURLs: [
        {
          'Fn::Join': [
            '',
            [
              'https://',
              { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0], 'DomainName'] },
              '/auth/callback',
            ],
          ],
        },
      ],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('gives each configured BI or CRM client a secret and the client-credentials scope of its role only', () => {
    const server = logicalIdOf('AWS::Cognito::UserPoolResourceServer', { Identifier: 'closedloop' });
    for (const client of config.auth.clients) {
      const scope = client.role === 'cx' ? 'cx' : `department-${client.departmentId}`;
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        ClientName: client.clientId,
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: [{ 'Fn::Join': ['', [{ Ref: server }, `/${scope}`]] }],
      });
    }
  });

  it('ships no person or client secret in any function', () => {
    const text = JSON.stringify(template.toJSON());
    for (const person of config.auth.people) expect(text).not.toContain(person.password);
    for (const client of config.auth.clients) expect(text).not.toContain(client.secret);
  });
});

describe('the JWT authorizer', () => {
  it('trusts the pool as issuer and its app clients as audience', () => {
    const pool = logicalIdOf('AWS::Cognito::UserPool');
    const authorizer = resources[logicalIdOf('AWS::ApiGatewayV2::Authorizer')]?.Properties;
    expect(authorizer).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: pool }]] },
      },
    });
    const clients = Object.keys(template.findResources('AWS::Cognito::UserPoolClient'));
    expect(authorizer?.JwtConfiguration.Audience.map((a: { Ref: string }) => a.Ref).sort()).toEqual(clients.sort());
  });

  it("guards every people's route and none of the webhooks, the web survey or the pages", () => {
    const authorizer = logicalIdOf('AWS::ApiGatewayV2::Authorizer');
    for (const route of httpRoutes(topology)) {
      const properties = routeOf(`${route.method} ${route.path}`);
      if (route.auth === 'people') {
        expect(properties, route.path).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizer } });
      } else {
        expect(properties.AuthorizationType ?? 'NONE', route.path).toBe('NONE');
      }
    }
    expect(
      httpRoutes(topology)
        .filter((r) => r.auth === 'people')
        .map((r) => r.path),
    ).toEqual(expect.arrayContaining(['/v1/scores', '/v1/alerts', '/v1/alerts/{id}/actions', '/v1/closed-loop']));
    for (const path of ['/v1/service-events', '/v1/imports', '/v1/sms/twilio', '/s/{token}']) {
      expect(httpRoutes(topology).find((r) => r.path === path)?.auth).not.toBe('people');
    }
  });

  it('hands the pages the issuer and the public client in /sign-in.json, written beside them on deploy', () => {
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment')).find(
      (r) => r.Properties.Prune === true,
    );
    const markers = JSON.stringify(deployment?.Properties.SourceMarkers);

    expect(markers).toContain(logicalIdOf('AWS::Cognito::UserPool', {}));
    expect(markers).toContain(logicalIdOf('AWS::Cognito::UserPoolClient', { ClientName: 'closedloop-web' }));
  });
});

describe('an existing issuer instead of Cognito', () => {
  it('creates no user pool and trusts the named issuer and audience', () => {
    const own = parseConfig({
      ...config,
      auth: {
        ...config.auth,
        oidc: { issuer: 'https://login.example.com/realms/service', audience: 'closedloop-api', clientId: 'closedloop-web' },
      },
    });
    const synthesized = Template.fromStack(synthesizeStack(own).stack);

    synthesized.resourceCountIs('AWS::Cognito::UserPool', 0);
    synthesized.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://login.example.com/realms/service', Audience: ['closedloop-api'] },
    });
  });
});
