import { openWebSurvey } from '#shared/use-cases/web-survey.ts';
import { clock, config, surveyStore } from '../lib/compose.ts';
import { httpHandler, pathParameter } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';
import { browserLocale, html, webSurveyErrorPage } from '../lib/web-page.ts';
import { surveyForm } from './web-survey-page.ts';

const logger = createLogger();
const deps = { config, clock, surveys: surveyStore() };

export const handler = httpHandler(logger, async (event) => {
  const token = pathParameter(event, 'token');
  try {
    return html(200, surveyForm(await openWebSurvey(deps, token), token));
  } catch (error) {
    return webSurveyErrorPage(error, browserLocale(event, config.defaultLocale));
  }
});
