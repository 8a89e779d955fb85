import { openWebSurvey, submitWebSurvey, webAnswerSchema } from '#shared/use-cases/web-survey.ts';
import { clock, config, phoneVault, surveyStore, workQueues } from '../lib/compose.ts';
import { httpHandler, json, pathParameter, rawBody } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';
import { browserLocale, html, webSurveyErrorPage } from '../lib/web-page.ts';
import { pickScoreMessage, resultPage, surveyForm } from './web-survey-page.ts';

const logger = createLogger();
const deps = { config, clock, surveys: surveyStore(), queues: workQueues(), vault: phoneVault() };

export const handler = httpHandler(logger, async (event) => {
  const token = pathParameter(event, 'token');
  const isJson = /json/i.test(event.headers['content-type'] ?? '');
  const body = rawBody(event);
  let fields: unknown;
  try {
    fields = isJson ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body));
  } catch {
    fields = undefined;
  }
  try {
    const answer = webAnswerSchema.safeParse(fields);
    if (!answer.success) {
      const view = await openWebSurvey(deps, token);
      if (isJson)
        return json(400, { error: { code: 'invalid_request', message: 'score is required', fields: { score: 'required' } } });
      return html(400, surveyForm(view, token, pickScoreMessage(view.survey.locale)));
    }
    const { sourceIp, userAgent } = event.requestContext.http;
    const result = await submitWebSurvey(deps, token, answer.data, { sourceIp, userAgent });
    logger.info('web survey answered', { surveyType: result.surveyType });
    if (isJson) return json(200, { status: 'answered' });
    return html(200, resultPage(result.locale, result.detractor ? 'sorry' : 'thanks'));
  } catch (error) {
    if (isJson) throw error;
    return webSurveyErrorPage(error, browserLocale(event, config.defaultLocale));
  }
});
