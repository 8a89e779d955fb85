import type { Locale } from '#shared/config/schema.ts';
import { AppError, ConflictError, NotFoundError } from '#shared/errors.ts';
import { SurveyClosedError } from '#shared/use-cases/web-survey.ts';
import { resultPage } from '../http/web-survey-page.ts';
import type { HttpEvent, HttpResult } from './http.ts';

export const html = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  },
  body,
});

/** The customer's language when we do not know the survey: their browser's, else the brand's. */
export const browserLocale = (event: HttpEvent, fallback: Locale): Locale =>
  /^en\b/i.test(event.headers['accept-language'] ?? '') ? 'en' : fallback;

/** Link problems a customer can meet, as friendly pages with the right status; anything else is rethrown. */
export function webSurveyErrorPage(error: unknown, locale: Locale): HttpResult {
  if (error instanceof NotFoundError) return html(404, resultPage(locale, 'notFound'));
  if (error instanceof ConflictError) return html(409, resultPage(locale, 'used'));
  if (error instanceof SurveyClosedError) return html(410, resultPage(locale, 'closed'));
  if (error instanceof AppError) return html(error.status, resultPage(locale, 'notFound'));
  throw error;
}
