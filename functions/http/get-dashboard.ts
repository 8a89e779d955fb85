import { scriptName, styles } from '#web/dashboard/dist/assets.js';
import { config } from '../lib/compose.ts';
import { httpHandler } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';
import { dashboardPage } from './dashboard-page.ts';

const logger = createLogger();

const page = dashboardPage(config, { scriptName, styles });

export const handler = httpHandler(logger, async () => ({
  statusCode: 200,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    // The page names the current script, so it must never be cached stale; the script itself can be.
    'cache-control': 'no-cache',
    'content-security-policy':
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  },
  body: page,
}));
