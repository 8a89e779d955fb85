import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireAbsoluteChannelUrls, resolveChannelUrls } from '#shared/config/channel-urls.ts';
import { ConfigError, parseConfig } from '#shared/config/load.ts';
import { loadRuntime } from '#shared/config/runtime.ts';
import { localConfig } from './fakes.ts';

const shipped = localConfig();
const webhookUrls = (config: typeof shipped) =>
  config.departments.flatMap((d) => d.channels.flatMap((c) => (c.type === 'webhook' ? [c.url] : [])));
const withWorkshopUrl = (url: string) => ({
  ...shipped,
  departments: shipped.departments.map((d) =>
    d.id === 'workshop' ? { ...d, channels: [{ type: 'webhook', url, secret: 'whsec_x' }] } : d,
  ),
});
describe('channel URLs relative to the stack', () => {
  it('ships config/local.json with webhooks relative to the stack, so it works on any port', () => {
    expect(webhookUrls(shipped).every((url) => url.startsWith('/dev/webhooks/'))).toBe(true);
  });

  it('appends a relative URL to the base URL, keeping the base path and the absolute URLs', () => {
    const config = parseConfig({
      ...withWorkshopUrl('/dev/webhooks/workshop?x=1'),
      departments: [
        ...withWorkshopUrl('/dev/webhooks/workshop?x=1').departments,
        {
          id: 'crm',
          name: 'CRM',
          slaHours: 1,
          channels: [{ type: 'webhook', url: 'https://crm.example.com/hook', secret: 's' }],
        },
      ],
    });

    const resolved = resolveChannelUrls(config, 'https://api.example.com/prod/');

    expect(webhookUrls(resolved)).toContain('https://api.example.com/prod/dev/webhooks/workshop?x=1');
    expect(webhookUrls(resolved)).toContain('https://crm.example.com/hook');
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it.each(['//evil.example.com/hook', '/dev/web hooks', 'dev/webhooks/workshop', 'ftp://example.com/hook'])(
    'refuses %j as a channel URL, naming the field',
    (url) => {
      expect(() => parseConfig(withWorkshopUrl(url))).toThrow(ConfigError);
      expect(() => parseConfig(withWorkshopUrl(url))).toThrow('departments[0].channels[0].url');
    },
  );

  it('stops a function that delivers alerts when a relative URL had no base URL, naming the field', () => {
    expect(() => requireAbsoluteChannelUrls(shipped, 'config/prod.json')).toThrow(ConfigError);
    expect(() => requireAbsoluteChannelUrls(shipped, 'config/prod.json')).toThrow(
      /config\/prod\.json is invalid:\n {2}departments\[0\]\.channels\[0\]\.url: a relative URL needs the stack's base URL/,
    );
    expect(() => requireAbsoluteChannelUrls(resolveChannelUrls(shipped, 'http://127.0.0.1:3456'))).not.toThrow();
  });

  describe('loadRuntime', () => {
    const dir = mkdtempSync(join(tmpdir(), 'closedloop-channel-urls-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(shipped));

    it("resolves against the local stack's own URL before the public one", () => {
      const runtime = loadRuntime({
        CLOSEDLOOP_CONFIG: file,
        CHANNEL_BASE_URL: 'http://127.0.0.1:3456',
        PUBLIC_BASE_URL: 'https://tunnel.example.com',
      });

      expect(webhookUrls(runtime.config)[0]).toBe('http://127.0.0.1:3456/dev/webhooks/workshop');
      expect(runtime.publicBaseUrl).toBe('https://tunnel.example.com');
    });

    it("resolves against the API's public URL in a deployed function", () => {
      const runtime = loadRuntime({
        CLOSEDLOOP_CONFIG: file,
        PUBLIC_BASE_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      });

      expect(webhookUrls(runtime.config)[0]).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/dev/webhooks/workshop');
    });
  });
});
