import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { Config } from '#shared/config/schema.ts';
import type { SignInClient } from '#shared/config/sign-in.ts';
import { groupOf, SCOPE_PREFIX } from '#shared/use-cases/identity.ts';

/** The Cognito managed login's domain prefix: one per account. */
const loginDomainPrefix = (scope: Construct) => `closedloop-${Stack.of(scope).account}`;

/** The resource server's identifier: client-credentials scopes read `closedloop/<group>`. */
const RESOURCE_SERVER = SCOPE_PREFIX.replace(/\/$/, '');

/**
 * How people sign in, and the one authorizer of every people's route. Unless `auth.oidc` names
 * an existing issuer (Entra ID, Okta, Keycloak, Authing…): a Cognito user pool with the groups
 * `cx` and `department-<id>`, its managed login domain, a public app client for the pages
 * (authorization code only, no secret; the pages send PKCE), and an app client with a secret
 * per `auth.clients` entry for a BI tool or CRM (client credentials, the scope of its role).
 */
export class PeopleSignIn extends Construct {
  /**
   * The origins the pages talk to when they sign someone in: the issuer's (discovery, keys) and,
   * for the stack's Cognito pool, its login domain (authorize, token). Known before the pool is
   * made, so the pages' CSP does not wait for it.
   */
  static originsFor(scope: Construct, config: Config): string[] {
    if (config.auth.oidc) return [new URL(config.auth.oidc.issuer).origin];
    const { region, urlSuffix } = Stack.of(scope);
    return [`https://cognito-idp.${region}.${urlSuffix}`, `https://${loginDomainPrefix(scope)}.auth.${region}.amazoncognito.com`];
  }

  readonly authorizer: HttpJwtAuthorizer;
  /** What the pages need to sign people in (the `signIn` binding's value). */
  readonly client: SignInClient;
  readonly userPool: UserPool | undefined;

  constructor(scope: Construct, id: string, props: { config: Config; pagesUrl: string }) {
    super(scope, id);
    const { config, pagesUrl } = props;
    const oidc = config.auth.oidc;
    if (oidc) {
      this.userPool = undefined;
      this.client = { issuer: oidc.issuer, clientId: oidc.clientId, scope: 'openid profile' };
      const audience = Array.isArray(oidc.audience) ? oidc.audience : [oidc.audience];
      this.authorizer = new HttpJwtAuthorizer('People', oidc.issuer, { jwtAudience: audience });
      return;
    }

    const pool = new UserPool(this, 'People', {
      userPoolName: `${Stack.of(this).stackName}-people`,
      // The CX team adds people (and their groups); nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Threat protection (compromised credentials, risky sign-ins) enforced: the Plus plan.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    this.userPool = pool;

    const groups = [
      { role: 'cx' as const, description: 'CX team: every department, store and figure' },
      ...config.departments.map((d) => ({
        role: 'department' as const,
        departmentId: d.id,
        description: `Head of ${d.name}: its own alerts and figures`,
      })),
    ];
    for (const group of groups) {
      new CfnUserPoolGroup(this, `Group-${groupOf(group)}`, {
        userPoolId: pool.userPoolId,
        groupName: groupOf(group),
        description: group.description,
      });
    }

    const domain = pool.addDomain('Login', {
      cognitoDomain: { domainPrefix: loginDomainPrefix(this) },
    });
    const web = pool.addClient('Web', {
      userPoolClientName: 'closedloop-web',
      generateSecret: false,
      // The pages use the authorization code flow only: no password or SRP flows on this client.
      authFlows: { user: false, userPassword: false, userSrp: false, custom: false, adminUserPassword: false },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.PROFILE, OAuthScope.EMAIL],
        callbackUrls: [`${pagesUrl}/auth/callback`],
        logoutUrls: [`${pagesUrl}/`, `${pagesUrl}/inbox`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.minutes(60),
      idTokenValidity: Duration.minutes(60),
      refreshTokenValidity: Duration.hours(12),
    });

    const scopes = groups.map((g) => new ResourceServerScope({ scopeName: groupOf(g), scopeDescription: g.description }));
    const api = pool.addResourceServer('Api', { identifier: RESOURCE_SERVER, scopes });
    const machines = config.auth.clients.map((c) => {
      const scope = scopes.find((s) => s.scopeName === groupOf(c));
      if (!scope) throw new Error(`auth.clients ${c.clientId}: no scope for its role`);
      const client = pool.addClient(`Client-${c.clientId}`, {
        userPoolClientName: c.clientId,
        generateSecret: true,
        authFlows: { user: false, userPassword: false, userSrp: false, custom: false, adminUserPassword: false },
        oAuth: { flows: { clientCredentials: true }, scopes: [OAuthScope.resourceServer(api, scope)] },
        accessTokenValidity: Duration.minutes(60),
        enableTokenRevocation: true,
      });
      new CfnOutput(this, `ClientId-${c.clientId}`, {
        value: client.userPoolClientId,
        description: `Cognito app client for ${c.clientId} (client credentials; its secret is in the Cognito console)`,
      });
      return client;
    });

    const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${pool.userPoolId}`;
    this.client = { issuer, clientId: web.userPoolClientId, scope: 'openid profile email' };
    // Cognito's access tokens carry no `aud`: API Gateway matches their `client_id` against these.
    this.authorizer = new HttpJwtAuthorizer('People', issuer, {
      jwtAudience: [web.userPoolClientId, ...machines.map((m) => m.userPoolClientId)],
      identitySource: ['$request.header.Authorization'],
    });

    new CfnOutput(this, 'UserPoolId', { value: pool.userPoolId, description: 'Cognito user pool of the people who sign in' });
    new CfnOutput(this, 'LoginDomain', { value: domain.baseUrl(), description: 'Cognito managed login' });
  }
}
