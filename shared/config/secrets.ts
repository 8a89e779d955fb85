/**
 * The config's secrets: the phone key, the Twilio auth token, the WeChat AppSecret, alert channels' signing secrets
 * and credential URLs, and the API tokens. Any of them may be written `secret:NAME` in the
 * file; a function resolves those once at cold start from its secret source (the environment
 * locally, the stack's Secrets Manager secret in AWS). The CDK stack bundles a copy of the
 * config in which every secret is such a reference, so no secret value is in a template or asset.
 */
import { ConfigError, parseConfig } from './load.ts';
import { envPart } from './resource-names.ts';
import type { Channel, Config } from './schema.ts';

/** Where `secret:NAME` references are read from. */
export interface SecretSource {
  /** For error messages: "the environment", "Secrets Manager secret arn:…". */
  description: string;
  get(name: string): string | undefined;
}

export const environmentSecrets = (env: NodeJS.ProcessEnv): SecretSource => ({
  description: 'the environment',
  get: (name) => env[name] || undefined,
});

const REFERENCE = /^(?:secret|env):([A-Za-z_][A-Za-z0-9_]*)$/;
const SECRET_REFERENCE = /^secret:([A-Za-z_][A-Za-z0-9_]*)$/;

interface SecretField {
  /** As written in the config: a value, `secret:NAME`, `env:NAME`, or absent. */
  value: string | undefined;
  /** The name it has in a secret store when the config gives none. */
  name: string;
  /** Needed in AWS even when the file leaves it out (it may come from the environment locally). */
  always: boolean;
}

/** Rebuilds the config with every secret field passed through `rewrite`. */
function rewriteSecrets(config: Readonly<Config>, rewrite: (field: SecretField) => string | undefined): Config {
  const taken = new Map<string, number>();
  const unique = (name: string) => {
    const count = (taken.get(name) ?? 0) + 1;
    taken.set(name, count);
    return count === 1 ? name : `${name}_${count}`;
  };
  const field = (value: string | undefined, name: string, always = false) => rewrite({ value, name: unique(name), always });
  const required = (value: string, name: string) => {
    const rewritten = field(value, name);
    if (rewritten === undefined) throw new Error(`the secret ${name} cannot be removed`);
    return rewritten;
  };
  const channel = (departmentId: string, c: Channel): Channel => {
    const name = (what: string) => `${envPart(departmentId)}_${envPart(c.type)}_${what}`;
    switch (c.type) {
      case 'webhook':
        return { ...c, secret: required(c.secret, name('SECRET')) };
      case 'dingtalk':
      case 'feishu':
        return { ...c, url: required(c.url, name('URL')), secret: field(c.secret, name('SECRET')) };
      case 'slack':
      case 'wecom':
        return { ...c, url: required(c.url, name('URL')) };
      case 'email':
        return c;
    }
  };
  return {
    ...config,
    privacy: { ...config.privacy, phoneKey: field(config.privacy.phoneKey, 'PHONE_KEY', true) },
    sms:
      config.sms.provider === 'twilio'
        ? { ...config.sms, authToken: field(config.sms.authToken, 'TWILIO_AUTH_TOKEN', true) }
        : config.sms,
    ...(config.wechat
      ? { wechat: { ...config.wechat, appSecret: field(config.wechat.appSecret, 'WECHAT_APP_SECRET', true) } }
      : {}),
    departments: config.departments.map((d) => ({ ...d, channels: d.channels.map((c) => channel(d.id, c)) })),
    auth: {
      ...config.auth,
      tokens: config.auth.tokens.map((t) => ({ ...t, token: required(t.token, `API_TOKEN_${envPart(t.role)}`) })),
    },
  };
}

/**
 * The config as the stack ships it: each secret replaced by `secret:NAME` (a value's `env:NAME`
 * or `secret:NAME` keeps its name), and the names the stack's secret must hold.
 */
export function referToSecrets(config: Readonly<Config>): { config: Readonly<Config>; names: string[] } {
  const names: string[] = [];
  // The local provider's people and client secrets stay on this machine: in AWS they are Cognito's.
  const deployed = {
    ...config,
    auth: { ...config.auth, people: [], clients: config.auth.clients.map(({ secret: _, ...client }) => client) },
  };
  const referred = rewriteSecrets(deployed, ({ value, name, always }) => {
    if (value === undefined && !always) return undefined;
    const secretName = (value && REFERENCE.exec(value)?.[1]) ?? name;
    names.push(secretName);
    return `secret:${secretName}`;
  });
  return { config: parseConfig(referred, 'the config with secret references'), names: [...new Set(names)] };
}

/** Every secret the config holds in the clear (not a reference): what must never reach a template. */
export function literalSecretsOf(config: Readonly<Config>): string[] {
  const values: string[] = [];
  rewriteSecrets(config, ({ value }) => {
    if (value !== undefined && !REFERENCE.test(value)) values.push(value);
    return value;
  });
  // The local provider's passwords and client secrets, which never ship at all.
  values.push(...config.auth.people.map((p) => p.password));
  values.push(...config.auth.clients.flatMap((c) => (c.secret ? [c.secret] : [])));
  return values;
}

/**
 * The config with each `secret:NAME` replaced by its value from `source`, validated again. A
 * name the source lacks stops the cold start, naming every missing one. `env:NAME` channel
 * secrets are left for the channel to read when it delivers.
 */
export function resolveSecrets(config: Readonly<Config>, source: SecretSource): Readonly<Config> {
  const missing: string[] = [];
  const resolved = rewriteSecrets(config, ({ value }) => {
    const name = value === undefined ? undefined : SECRET_REFERENCE.exec(value)?.[1];
    if (name === undefined) return value;
    const secret = source.get(name);
    if (secret === undefined) missing.push(name);
    return secret ?? value;
  });
  if (missing.length) {
    throw new ConfigError(`the config refers to secrets that ${source.description} does not hold: ${missing.join(', ')}`);
  }
  return parseConfig(resolved, `the config with its secrets from ${source.description}`);
}
