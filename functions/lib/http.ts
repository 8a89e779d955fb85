import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from '#shared/zod.ts';
import { toDotPath } from 'zod/v4/core';
import type { Config } from '#shared/config/schema.ts';
import { AppError, PayloadTooLargeError, UnauthorizedError, UnsupportedMediaTypeError, ValidationError } from '#shared/errors.ts';
import { type Identity, identifyMachine, identifyPerson, type Role, requireRole } from '#shared/use-cases/identity.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import { observability } from './observability.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/**
 * API Gateway HTTP APIs take bodies up to a fixed 10 MB (no setting lowers it, and WAF cannot
 * front an HTTP API): every handler that reads a body refuses more than this with a 413.
 */
export const MAX_BODY_BYTES = 64 * 1024;

export const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** The one mapping from errors to HTTP answers: typed errors keep their status, anything else is a bare 500. */
export function errorResponse(logger: Logger, error: unknown): HttpResult {
  if (error instanceof AppError) {
    return json(error.status, {
      error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) },
    });
  }
  logger.error('unhandled error', { error: error as Error });
  return json(500, { error: { code: 'internal_error', message: 'Something went wrong on our side. Please try again.' } });
}

/** Wraps an HTTP adapter: normalised headers, logger context, tracing, metrics, errors mapped once. */
export function httpHandler(logger: Logger, fn: (event: HttpEvent, context: Context) => Promise<HttpResult>) {
  return middy<HttpEvent, HttpResult>()
    .use(httpHeaderNormalizer())
    .use(observability(logger))
    .use({
      onError: (request) => {
        request.response = errorResponse(logger, request.error);
      },
    })
    .handler(fn);
}

export function rawBody(event: HttpEvent, maxBytes = MAX_BODY_BYTES): string {
  const body = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (Buffer.byteLength(text) > maxBytes) throw new PayloadTooLargeError(`the body is over ${maxBytes} bytes`);
  return text;
}

export function fieldErrors(error: z.core.$ZodError, prefix = ''): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = `${prefix}${toDotPath(issue.path)}` || '(body)';
    fields[path] ??= issue.message;
  }
  return fields;
}

export function parseJsonBody<S extends z.ZodMiniType>(event: HttpEvent, schema: S): z.infer<S> {
  const type = event.headers['content-type'] ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) throw new UnsupportedMediaTypeError('send application/json');
  let raw: unknown;
  try {
    raw = JSON.parse(rawBody(event));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new ValidationError('the body is not valid JSON');
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new ValidationError('the body has invalid fields', fieldErrors(result.error));
  return result.data;
}

export function parseQuery<S extends z.ZodMiniType>(event: HttpEvent, schema: S): z.infer<S> {
  const params = new URLSearchParams(event.rawQueryString ?? '');
  const query: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in query) throw new ValidationError(`query parameter ${key} is given twice`, { [key]: 'given twice' });
    query[key] = value;
  }
  const result = schema.safeParse(query);
  if (!result.success) throw new ValidationError('invalid query parameters', fieldErrors(result.error));
  return result.data;
}

/** Fields already read from a form (e.g. a verified webhook) checked against their schema. */
export function parseFields<S extends z.ZodMiniType>(fields: Record<string, string>, schema: S): z.infer<S> {
  const result = schema.safeParse(fields);
  if (!result.success) throw new ValidationError('the form has invalid fields', fieldErrors(result.error));
  return result.data;
}

export function pathParameter(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value || value.length > 128) throw new ValidationError(`missing or invalid ${name}`, { [name]: 'invalid' });
  return value;
}

/** Where API Gateway's JWT authorizer (and the local emulator's) puts the verified token's claims. */
const jwtAuthorizerContext = z.object({ authorizer: z.object({ jwt: z.object({ claims: z.record(z.string(), z.unknown()) }) }) });

/**
 * The signed-in person (or OAuth client) calling a people's route, allowed only in one of
 * `roles`: checked before anything of the request is parsed, so a caller without the right
 * learns nothing about the route's fields.
 */
export function personCalling(config: Pick<Config, 'auth' | 'departments'>, event: HttpEvent, ...roles: Role[]): Identity {
  const context = jwtAuthorizerContext.safeParse(event.requestContext);
  if (!context.success) throw new UnauthorizedError('sign in first');
  const identity = identifyPerson(config, context.data.authorizer.jwt.claims);
  requireRole(identity, ...roles);
  return identity;
}

/** The machine calling a machine route (visits, imports), by its key; checked before the body is read. */
export function machineCalling(config: Pick<Config, 'auth'>, event: HttpEvent, ...roles: Role[]): Identity {
  const identity = identifyMachine(config.auth.tokens, event.headers.authorization);
  requireRole(identity, ...roles);
  return identity;
}
