import { scriptName, styles } from '#web/dashboard/dist/assets.js';
import { config, runtime } from '../lib/compose.ts';
import { appPage, signInClient } from '../lib/app-page.ts';
import { httpHandler } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';
import { dashboardPage } from './dashboard-page.ts';

const logger = createLogger();

const signIn = signInClient(runtime.env);
const page = dashboardPage(config, { scriptName, styles }, signIn);

export const handler = httpHandler(logger, async () => appPage(page, signIn));
