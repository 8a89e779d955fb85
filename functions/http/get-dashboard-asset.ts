import { gzipSync } from 'node:zlib';
import { NotFoundError } from '#shared/errors.ts';
import { scripts } from '#web/dashboard/dist/assets.js';
import { httpHandler, pathParameter } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();

// API Gateway does not compress: each script is gzipped once per cold start, when first asked for by a client that accepts it.
const gzipped = new Map<string, string>();
const gzipOf = (name: string, script: string) => {
  let body = gzipped.get(name);
  if (body === undefined) {
    body = gzipSync(script, { level: 9 }).toString('base64');
    gzipped.set(name, body);
  }
  return body;
};

/** The pages' compiled scripts, under names that change with their content, so browsers keep them for good. */
export const handler = httpHandler(logger, async (event) => {
  const name = pathParameter(event, 'file');
  const script = Object.hasOwn(scripts, name) ? scripts[name] : undefined;
  if (script === undefined) throw new NotFoundError('no such asset');
  const gzip = /\bgzip\b/i.test(event.headers['accept-encoding'] ?? '');
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    },
    body: gzip ? gzipOf(name, script) : script,
    isBase64Encoded: gzip,
  };
});
