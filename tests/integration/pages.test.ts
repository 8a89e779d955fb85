import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from '#web/site.ts';
import { api, stack } from './helpers.ts';

const config = JSON.parse(readFileSync(stack.configPath, 'utf8'));

/** The bytes on the wire (fetch would unzip them), with the headers. */
function fetchRaw(
  path: string,
  acceptEncoding: string,
): Promise<{ status: number; headers: Record<string, unknown>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    get(`${stack.url}${path}`, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

const headersOf = (response: { headers: Headers }, names: string[]) =>
  Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));

describe('the pages, served as the static files CloudFront serves', () => {
  it('serves the dashboard at / uncached, with the display names and targets from the config and no token', async () => {
    const page = await api('/');

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const data = JSON.parse(
      /<script type="application\/json" id="dashboard-bootstrap">(.*?)<\/script>/s.exec(page.text)?.[1] ?? 'null',
    );
    expect(data).toMatchObject({
      brand: config.brand.name,
      stores: expect.arrayContaining([{ id: 'sh-pudong', name: '浦东服务中心' }]),
      departments: expect.arrayContaining([{ id: 'workshop', name: '车间' }]),
      serviceTypes: expect.arrayContaining([{ id: 'repair', survey: 'csat', name: { 'zh-CN': '维修', en: 'Repair' } }]),
      targets: { nps: { green: 50, amber: 30 }, csat: { green: 90, amber: 80 }, ces: { green: 5.5, amber: 5 } },
      minResponses: expect.any(Number),
    });
    for (const { token } of config.auth.tokens) expect(page.text).not.toContain(token);
  });

  it('sends on every page the security headers of the CloudFront policy: no inline script or style, HSTS, no framing', async () => {
    const expected = securityHeaders([new URL(stack.url).origin]);
    for (const path of ['/', '/inbox', '/inbox/alerts/some-alert', '/auth/callback']) {
      const page = await api(path);

      expect(page.status, path).toBe(200);
      expect(headersOf(page, Object.keys(expected)), path).toEqual(expected);
      expect(page.headers.get('content-security-policy'), path).not.toContain('unsafe-inline');
      expect(page.text, path).not.toMatch(/<style|<script>|<script src="(?!\/assets\/)/);
    }
  });

  it('answers every case path with the one inbox shell', async () => {
    const [inbox, one, another] = await Promise.all([api('/inbox'), api('/inbox/alerts/a-1'), api('/inbox/alerts/b-2')]);

    expect(one.text).toBe(inbox.text);
    expect(another.text).toBe(inbox.text);
    expect(inbox.text).toContain('id="inbox-bootstrap"');
    const data = JSON.parse(
      /<script type="application\/json" id="inbox-bootstrap">(.*?)<\/script>/s.exec(inbox.text)?.[1] ?? 'null',
    );
    expect(data.serviceTypes).toContainEqual({ id: 'repair', name: { 'zh-CN': '维修', en: 'Repair' } });
  });

  it('names the sign-in client in /sign-in.json, written when the stack started', async () => {
    const client = await api('/sign-in.json');

    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toBe('application/json');
    expect(client.body).toEqual({ issuer: stack.url, clientId: expect.any(String), scope: expect.stringContaining('openid') });
  });

  it('serves the script and styles the page names for good, gzipped to browsers that take it', async () => {
    const page = await api('/');
    for (const path of [
      /<script src="(\/assets\/dashboard\.[0-9a-f]{12}\.js)"/.exec(page.text)?.[1],
      /<link rel="stylesheet" href="(\/assets\/dashboard\.[0-9a-f]{12}\.css)"/.exec(page.text)?.[1],
    ]) {
      const plain = await fetchRaw(path ?? '/assets/missing', 'identity');
      const gzipped = await fetchRaw(path ?? '/assets/missing', 'gzip, deflate');

      expect(plain.status, path).toBe(200);
      expect(plain.headers['content-type']).toBe(path?.endsWith('.js') ? 'text/javascript' : 'text/css');
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzipped.bytes).equals(plain.bytes)).toBe(true);
      expect(gzipped.bytes.length).toBeLessThan(plain.bytes.length / 2);
    }
  });

  it('answers 404 for any other asset, such as an earlier build’s script, and for a path outside the site', async () => {
    expect((await api('/assets/dashboard.000000000000.js')).status).toBe(404);
    expect((await api('/assets/../../config/local.json')).status).toBe(404);
    expect((await api('/index.html/../../../package.json')).status).toBe(404);
  });
});
