/**
 * A function's cold-start configuration: the JSON config, its `secret:NAME` references
 * resolved from the function's secret source, plus the environment its bindings set,
 * parsed once into a frozen object (STYLE §3–4).
 */
import * as z from '#shared/zod.ts';
import { resolveChannelUrls } from './channel-urls.ts';
import { loadConfigFile } from './load.ts';
import { alertQueueName, envNameForQueue, envNameForTable } from './resource-names.ts';
import type { Config } from './schema.ts';
import { environmentSecrets, resolveSecrets, type SecretSource } from './secrets.ts';

export interface Runtime {
  config: Readonly<Config>;
  env: NodeJS.ProcessEnv;
  table(name: 'main' | 'scores'): string;
  queueUrl(name: string): string;
  alertQueueUrl(departmentId: string): string;
  secret(name: SecretName): string | undefined;
  publicBaseUrl: string | undefined;
}

type SecretName = 'PHONE_KEY' | 'TWILIO_AUTH_TOKEN' | 'WECHAT_APP_SECRET';
/** A secret the environment may give instead of the config (the environment wins). */
const configSecret = (config: Readonly<Config>, name: SecretName) => {
  switch (name) {
    case 'PHONE_KEY':
      return config.privacy.phoneKey;
    case 'TWILIO_AUTH_TOKEN':
      return config.sms.provider === 'twilio' ? config.sms.authToken : undefined;
    case 'WECHAT_APP_SECRET':
      return config.wechat?.appSecret;
  }
};

const baseEnv = z.object({ CLOSEDLOOP_CONFIG: z.string().check(z.minLength(1, 'CLOSEDLOOP_CONFIG names the config file')) });

export function loadRuntime(env: NodeJS.ProcessEnv = process.env, secrets: SecretSource = environmentSecrets(env)): Runtime {
  const { CLOSEDLOOP_CONFIG } = baseEnv.parse(env);
  const withSecrets = resolveSecrets(loadConfigFile(CLOSEDLOOP_CONFIG), secrets);
  const publicBaseUrl = env.PUBLIC_BASE_URL || withSecrets.publicBaseUrl;
  // Relative channel URLs: the local runtime's own URL, else the API's; without either, they stay
  // relative, and only a function that delivers alerts refuses them (requireAbsoluteChannelUrls).
  const channelBaseUrl = env.CHANNEL_BASE_URL || publicBaseUrl;
  const config = channelBaseUrl ? resolveChannelUrls(withSecrets, channelBaseUrl, CLOSEDLOOP_CONFIG) : withSecrets;
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set: is the binding missing from infra/topology.ts?`);
    return value;
  };
  return Object.freeze({
    config,
    env,
    table: (name: 'main' | 'scores') => required(envNameForTable(name)),
    queueUrl: (name: string) => required(envNameForQueue(name)),
    alertQueueUrl: (departmentId: string) => required(envNameForQueue(alertQueueName(departmentId))),
    secret: (name: SecretName) => env[name] || configSecret(config, name),
    publicBaseUrl,
  });
}
