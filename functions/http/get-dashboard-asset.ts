import { gzipSync } from 'node:zlib';
import { NotFoundError } from '#shared/errors.ts';
import { script, scriptName } from '#web/dashboard/dist/assets.js';
import { httpHandler, pathParameter } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();

// API Gateway does not compress: the script is gzipped once per cold start, for clients that accept it.
const gzipped = gzipSync(script, { level: 9 }).toString('base64');

/** The dashboard's compiled script, under a name that changes with its content, so browsers keep it for good. */
export const handler = httpHandler(logger, async (event) => {
  if (pathParameter(event, 'file') !== scriptName) throw new NotFoundError('no such asset');
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
    body: gzip ? gzipped : script,
    isBase64Encoded: gzip,
  };
});
