import { openApiDocument } from '#shared/http/openapi.ts';
import { createLogger } from '../lib/logger.ts';
import { httpHandler, json } from '../lib/http.ts';

const logger = createLogger();

const document = openApiDocument();

export const handler = httpHandler(logger, async () => json(200, document));
