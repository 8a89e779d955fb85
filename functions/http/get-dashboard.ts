import { dashboardPage } from './dashboard-page.ts';
import { config } from '../lib/compose.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler } from '../lib/http.ts';

const logger = createLogger();

const page = dashboardPage(config);

export const handler = httpHandler(logger, async () => ({
  statusCode: 200,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
  body: page,
}));
