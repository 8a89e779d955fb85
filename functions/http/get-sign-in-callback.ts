import { callback } from '#web/dashboard/dist/assets.js';
import { config, runtime } from '../lib/compose.ts';
import { appPage, signInClient } from '../lib/app-page.ts';
import { httpHandler } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';
import { callbackPage } from './inbox-page.ts';

const logger = createLogger();

const signIn = signInClient(runtime.env);
const page = callbackPage(config, callback.scriptName, signIn);

/** GET /auth/callback: where the provider sends the browser back with the code. */
export const handler = httpHandler(logger, async () => appPage(page, signIn));
