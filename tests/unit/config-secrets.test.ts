import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '#shared/config/load.ts';
import { loadRuntime } from '#shared/config/runtime.ts';
import { literalSecretsOf, referToSecrets, resolveSecrets, type SecretSource } from '#shared/config/secrets.ts';
import { localConfig } from './fakes.ts';

const local = localConfig();
/** A config with every kind of secret: Twilio, chat robots with credential URLs and signing secrets, env: references. */
const everyKind = parseConfig({
  ...local,
  sms: {
    ...local.sms,
    provider: 'twilio',
    accountSid: `AC${'a'.repeat(32)}`,
    from: '+15005550006',
    authToken: 'twilio-auth-token-1234',
  },
  departments: [
    ...local.departments.filter((d) => d.id !== 'parts'),
    {
      id: 'parts',
      name: '配件部',
      slaHours: 48,
      channels: [
        { type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/slack-credential' },
        { type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=ding-credential', secret: 'SECding-signing' },
        { type: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/feishu-credential' },
        { type: 'webhook', url: 'https://example.com/hook', secret: 'env:PARTS_HOOK_SECRET' },
        { type: 'webhook', url: 'https://example.com/hook-2', secret: 'whsec_second' },
      ],
    },
  ],
});
const sourceOf = (values: Record<string, string>, description = 'the test source'): SecretSource => ({
  description,
  get: (name) => values[name],
});

describe('referToSecrets', () => {
  it('replaces every secret of config/local.json by a named reference and leaves no secret value in the config', () => {
    const { config, names } = referToSecrets(local);

    const text = JSON.stringify(config);
    for (const secret of literalSecretsOf(local)) expect(text).not.toContain(secret);
    expect(config.privacy.phoneKey).toBe('secret:PHONE_KEY');
    expect(config.auth.tokens.map((t) => t.token)).toEqual(['secret:API_TOKEN_INGEST']);
    // The local provider's people and client secrets never ship: in AWS they are Cognito's.
    expect(config.auth.people).toEqual([]);
    expect(config.auth.clients.map((c) => c.secret)).toEqual([undefined, undefined]);
    for (const p of local.auth.people) expect(text).not.toContain(p.password);
    expect(config.departments.find((d) => d.id === 'customer-care')?.channels).toEqual([
      { type: 'webhook', url: '/dev/webhooks/customer-care', secret: 'secret:CUSTOMER_CARE_WEBHOOK_SECRET' },
      { type: 'email', to: ['kefu@example.com'], from: 'alerts@example.com' },
    ]);
    expect(names).toContain('WORKSHOP_WEBHOOK_SECRET');
    expect(config.wechat?.appSecret).toBe('secret:WECHAT_APP_SECRET');
    // The phone key, the one machine key, five webhook secrets and the WeChat AppSecret.
    expect(names).toHaveLength(8);
  });

  it('names credential URLs and signing secrets per department and channel, keeps env: names, and numbers repeats', () => {
    const { config, names } = referToSecrets(everyKind);

    expect(config.departments.find((d) => d.id === 'parts')?.channels).toEqual([
      { type: 'slack', url: 'secret:PARTS_SLACK_URL' },
      { type: 'dingtalk', url: 'secret:PARTS_DINGTALK_URL', secret: 'secret:PARTS_DINGTALK_SECRET' },
      { type: 'feishu', url: 'secret:PARTS_FEISHU_URL' },
      { type: 'webhook', url: 'https://example.com/hook', secret: 'secret:PARTS_HOOK_SECRET' },
      { type: 'webhook', url: 'https://example.com/hook-2', secret: 'secret:PARTS_WEBHOOK_SECRET_2' },
    ]);
    expect(config.sms).toMatchObject({ provider: 'twilio', authToken: 'secret:TWILIO_AUTH_TOKEN' });
    expect(names).not.toContain('PARTS_FEISHU_SECRET');
  });

  it('asks for the phone key and the Twilio auth token even when the file leaves them to the environment', () => {
    const { privacy, sms, ...rest } = everyKind;
    const { authToken: _, ...twilio } = sms as Extract<typeof sms, { provider: 'twilio' }>;
    const { config, names } = referToSecrets(parseConfig({ ...rest, sms: twilio, privacy: { retentionDays: 30 } }));

    expect(config.privacy.phoneKey).toBe('secret:PHONE_KEY');
    expect(config.sms).toMatchObject({ authToken: 'secret:TWILIO_AUTH_TOKEN' });
    expect(names).toEqual(expect.arrayContaining(['PHONE_KEY', 'TWILIO_AUTH_TOKEN']));
  });

  it('asks for the WeChat AppSecret when the wechat block leaves it to the environment, and for none without the block', () => {
    const { appSecret: _, ...wechat } = local.wechat ?? { appSecret: undefined };
    const without = referToSecrets(parseConfig({ ...local, wechat }));
    const { wechat: __, ...rest } = local;
    // Without the block no store may reach by WeChat.
    const noWechat = referToSecrets(parseConfig({ ...rest, stores: rest.stores.map(({ reach: ___, ...store }) => store) }));

    expect(without.config.wechat?.appSecret).toBe('secret:WECHAT_APP_SECRET');
    expect(without.names).toContain('WECHAT_APP_SECRET');
    expect(noWechat.names).not.toContain('WECHAT_APP_SECRET');
  });
});

describe('resolveSecrets', () => {
  it('gives back the original config from the references and a source holding its values', () => {
    const webhookSecret = (departmentId: string) => {
      const channel = local.departments.find((d) => d.id === departmentId)?.channels[0];
      return channel?.type === 'webhook' ? channel.secret : '';
    };
    const source = sourceOf({
      PHONE_KEY: everyKind.privacy.phoneKey ?? '',
      TWILIO_AUTH_TOKEN: 'twilio-auth-token-1234',
      API_TOKEN_INGEST: 'dev-ingest-token',
      WORKSHOP_WEBHOOK_SECRET: webhookSecret('workshop'),
      SERVICE_ADVISORS_WEBHOOK_SECRET: webhookSecret('service-advisors'),
      BILLING_WEBHOOK_SECRET: webhookSecret('billing'),
      CUSTOMER_CARE_WEBHOOK_SECRET: webhookSecret('customer-care'),
      PARTS_SLACK_URL: 'https://hooks.slack.com/services/T000/B000/slack-credential',
      PARTS_DINGTALK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=ding-credential',
      PARTS_DINGTALK_SECRET: 'SECding-signing',
      PARTS_FEISHU_URL: 'https://open.feishu.cn/open-apis/bot/v2/hook/feishu-credential',
      PARTS_HOOK_SECRET: 'whsec_from_the_store',
      PARTS_WEBHOOK_SECRET_2: 'whsec_second',
      WECHAT_APP_SECRET: local.wechat?.appSecret ?? '',
    });

    const resolved = resolveSecrets(referToSecrets(everyKind).config, source);

    // The env: reference was sent to the store under its name; everything else is as it was.
    const parts = everyKind.departments.find((d) => d.id === 'parts');
    const expected = parseConfig({
      ...everyKind,
      auth: { ...everyKind.auth, people: [], clients: everyKind.auth.clients.map(({ secret: _, ...c }) => c) },
      departments: everyKind.departments.map((d) =>
        d === parts
          ? {
              ...d,
              channels: d.channels.map((c) =>
                c.type === 'webhook' && c.secret.startsWith('env:') ? { ...c, secret: 'whsec_from_the_store' } : c,
              ),
            }
          : d,
      ),
    });
    expect(resolved).toEqual(expected);
  });

  it('changes nothing in a config without references, env: channel secrets included', () => {
    expect(resolveSecrets(everyKind, sourceOf({}))).toEqual(everyKind);
  });

  it('stops the cold start naming every secret the source lacks, and no value', () => {
    const { config } = referToSecrets(local);

    const message = (() => {
      try {
        resolveSecrets(config, sourceOf({ PHONE_KEY: 'a-phone-key-of-some-length' }, 'Secrets Manager secret arn:x'));
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).message;
      }
      throw new Error('expected the config to be refused');
    })();

    expect(message).toContain('Secrets Manager secret arn:x does not hold: ');
    for (const name of ['WORKSHOP_WEBHOOK_SECRET', 'API_TOKEN_INGEST', 'CUSTOMER_CARE_WEBHOOK_SECRET'])
      expect(message).toContain(name);
    expect(message).not.toContain('PHONE_KEY');
    expect(message).not.toContain('a-phone-key-of-some-length');
  });

  it('validates the values it puts in: a credential URL must be a URL, a phone key 16 characters', () => {
    const { config, names } = referToSecrets(everyKind);
    const values = Object.fromEntries(names.map((name) => [name, 'https://example.com/valid-enough-value']));

    expect(() => resolveSecrets(config, sourceOf({ ...values, PARTS_SLACK_URL: 'not a url' }))).toThrow(/departments/);
    expect(() => resolveSecrets(config, sourceOf({ ...values, PHONE_KEY: 'short' }))).toThrow(/privacy\.phoneKey/);
  });
});

describe('loadRuntime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'closedloop-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a config whose secrets are references from the environment, the local secret source', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(referToSecrets(local).config));
    const env = Object.fromEntries(referToSecrets(local).names.map((name) => [name, `${name.toLowerCase()}-from-env-value`]));

    const runtime = loadRuntime({ CLOSEDLOOP_CONFIG: file, ...env });

    expect(runtime.config.auth.tokens[0]?.token).toBe('api_token_ingest-from-env-value');
    expect(runtime.secret('PHONE_KEY')).toBe('phone_key-from-env-value');
  });
});
