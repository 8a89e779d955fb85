import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
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

describe('GET / and the dashboard script', () => {
  it('serves the page uncached, with the display names and targets from the config and no token', async () => {
    const page = await api('/');

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const data = JSON.parse(
      /<script type="application\/json" id="dashboard-bootstrap">(.*?)<\/script>/s.exec(page.text)?.[1] ?? 'null',
    );
    expect(data).toMatchObject({
      brand: config.brand.name,
      stores: expect.arrayContaining([{ id: 'sh-pudong', name: '浦东服务中心' }]),
      departments: expect.arrayContaining([{ id: 'workshop', name: '车间' }]),
      targets: { nps: { green: 50, amber: 30 }, csat: { green: 90, amber: 80 }, ces: { green: 5.5, amber: 5 } },
      minResponses: expect.any(Number),
    });
    for (const { token } of config.auth.tokens) expect(page.text).not.toContain(token);
  });

  it('serves the script the page names for good, gzipped to browsers that take it', async () => {
    const page = await api('/');
    const path = `/${/<script src="(assets\/dashboard\.[0-9a-f]{12}\.js)"/.exec(page.text)?.[1]}`;

    const plain = await fetchRaw(path, 'identity');
    const gzipped = await fetchRaw(path, 'gzip, deflate');

    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.bytes).equals(plain.bytes)).toBe(true);
    expect(gzipped.bytes.length).toBeLessThan(plain.bytes.length / 2);
  });

  it('answers 404 in the error shape for any other asset, such as an earlier build’s script', async () => {
    const response = await api('/assets/dashboard.000000000000.js');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });
});
