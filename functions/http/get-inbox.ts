import { inbox } from '#web/dashboard/dist/assets.js';
import { config, runtime } from '../lib/compose.ts';
import { appPage, signInClient } from '../lib/app-page.ts';
import { httpHandler } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';
import { inboxPage } from './inbox-page.ts';

const logger = createLogger();

const signIn = signInClient(runtime.env);
const page = inboxPage(config, inbox, signIn);

/** GET /inbox and GET /inbox/alerts/{id}: the same shell; the client reads the case from the API, signed in. */
export const handler = httpHandler(logger, async () => appPage(page, signIn));
