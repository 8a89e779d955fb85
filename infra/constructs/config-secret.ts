import { RemovalPolicy } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { Config } from '#shared/config/schema.ts';
import { referToSecrets } from '#shared/config/secrets.ts';

/**
 * The config's secrets in AWS: one Secrets Manager secret, a JSON object of names to values,
 * under the data key. The functions get the config with every secret replaced by `secret:NAME`
 * (`shippedConfig`) and read this secret once per cold start, so no secret value is in the
 * template, a function's environment or its bundle.
 *
 * The phone key is generated here when the secret is created; the other values (API tokens,
 * Twilio auth token, channel secrets and credential URLs) come from their issuers, so the
 * operator puts them in (README, "Security and operations").
 */
export class ConfigSecret extends Construct {
  readonly secret: Secret;
  /** The config the functions are bundled with. */
  readonly shippedConfig: Readonly<Config>;
  /** The names the secret must hold. */
  readonly names: string[];

  constructor(scope: Construct, id: string, config: Readonly<Config>, encryptionKey: IKey) {
    super(scope, id);
    const { config: shipped, names } = referToSecrets(config);
    this.shippedConfig = shipped;
    this.names = names;
    const phoneKeyName = shipped.privacy.phoneKey?.replace(/^secret:/, '') ?? 'PHONE_KEY';

    this.secret = new Secret(this, 'Secret', {
      description: `ClosedLoop config secrets: ${names.join(', ')}`,
      encryptionKey,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: phoneKeyName,
        passwordLength: 48,
        excludePunctuation: true,
      },
      // The phone key is what every stored phone hash and ciphertext depends on.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'No automatic rotation: the API tokens, Twilio auth token and channel secrets are issued by their owners and rotated there, ' +
          'and rotating the phone key would orphan every stored phone hash and ciphertext.',
      },
    ]);
  }

  /** What CLOSEDLOOP_SECRETS says to a function: read `secret:NAME` from this secret. */
  get setting(): string {
    return `secretsmanager:${this.secret.secretArn}`;
  }

  /** GetSecretValue on this secret, and the data key's Decrypt through Secrets Manager only. */
  grantRead(grantee: IGrantable): void {
    this.secret.grantRead(grantee);
  }
}
