/**
 * The pages locally, as CloudFront serves them from the bucket: the same files (web/build.ts),
 * at the same paths, with the same headers (web/site.ts), compressed for a browser that asks.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cacheControlFor, securityHeaders, siteFileFor } from '#web/site.ts';

/** The types the deployment gives the objects by their extension, as S3 then answers them. */
const contentTypes: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};

/** Serves GET and HEAD for the files of `dir`; false for any other request, or a path that names no file. */
export function staticSite(dir: string, signInOrigins: readonly string[]) {
  const headers = securityHeaders(signInOrigins);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const key = siteFileFor(new URL(req.url ?? '/', 'http://local').pathname);
    const file = normalize(join(dir, key));
    const type = contentTypes[extname(file)];
    if (!type || !file.startsWith(`${dir}${sep}`)) return false;
    const body = await readFile(file).catch(() => undefined);
    if (!body) return false;
    // CloudFront compresses these types itself when the viewer accepts gzip.
    const gzip = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? '')) && body.length > 1000;
    const sent = gzip ? gzipSync(body, { level: 9 }) : body;
    res.writeHead(200, {
      'content-type': type,
      'content-length': String(sent.length),
      'cache-control': cacheControlFor(key),
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : sent);
    return true;
  };
}
