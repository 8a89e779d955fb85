import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from '#shared/zod.ts';
import { environmentSecrets, type SecretSource } from '#shared/config/secrets.ts';

const setting = z._default(
  z.union([z.literal('env'), z.string().check(z.regex(/^secretsmanager:.+$/, 'secretsmanager:<secret ARN or name>'))]),
  'env',
);

/**
 * Where the config's `secret:NAME` references are read, as CLOSEDLOOP_SECRETS says: `env` (the
 * environment; the local runtime) or `secretsmanager:<secret>` (a JSON object of names to
 * values, read once per cold start; the stack sets it on every function).
 */
export async function secretSource(env: NodeJS.ProcessEnv): Promise<SecretSource> {
  const parsed = setting.safeParse(env.CLOSEDLOOP_SECRETS);
  if (!parsed.success) {
    throw new Error(`CLOSEDLOOP_SECRETS must be "env" or "secretsmanager:<secret>", got "${env.CLOSEDLOOP_SECRETS}"`);
  }
  if (parsed.data === 'env') return environmentSecrets(env);
  const secretId = parsed.data.slice('secretsmanager:'.length);
  const provider = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
  const values = z
    .record(z.string(), z.string(), { error: `Secrets Manager secret ${secretId} is not a JSON object of names to strings` })
    .parse(await provider.get(secretId, { transform: 'json' }));
  return { description: `Secrets Manager secret ${secretId}`, get: (name) => values[name] || undefined };
}
