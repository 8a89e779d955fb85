/** A local HTTP API: builds API Gateway payload-format-2.0 events from the topology's routes. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { RouteAuth } from '#infra/topology.ts';
import { bearerOf } from '#shared/use-cases/identity.ts';
import { Unauthorized, type VerifiedClaims } from './jwt-authorizer.ts';

export type HttpLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | string | object | undefined>;

export interface LocalRoute {
  method: string;
  path: string;
  functionName: string;
  auth: RouteAuth;
  handler: HttpLambda;
}

/** What guards people's routes: a JWT authorizer, and whether a credential is a machine key. */
export interface RouteAuthorizers {
  people(authorization: string | undefined): Promise<VerifiedClaims>;
  isMachineKey(credential: string): boolean;
}

const MAX_REQUEST_BYTES = 1024 * 1024;

type AuthorizerResult = { ok: true; claims?: VerifiedClaims } | { ok: false; status: 401 | 403; code: string; message: string };

/** API Gateway passes these as text; any other body arrives base64-encoded. */
const textTypes = /^(text\/|application\/(json|[\w.+-]+\+json|xml|javascript)\b)/i;

function compile(path: string) {
  const names: string[] = [];
  const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${pattern}$`), names };
}

export function lambdaContext(functionName: string, timeoutSeconds = 30): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export class ApiGatewayEmulator {
  private readonly routes: (LocalRoute & ReturnType<typeof compile>)[];

  constructor(
    routes: LocalRoute[],
    private readonly authorizers: RouteAuthorizers,
  ) {
    this.routes = routes.map((r) => ({ ...r, ...compile(r.path) }));
  }

  /**
   * A people's route runs only for a verified token, as behind API Gateway's JWT authorizer; a
   * refusal is a 401 (here in the API's error shape) and never reaches the handler. A machine
   * key there is a known credential outside its role: 403.
   */
  private async authorize(route: LocalRoute, req: IncomingMessage): Promise<AuthorizerResult> {
    if (route.auth !== 'people') return { ok: true };
    const authorization = req.headers.authorization;
    const credential = bearerOf(authorization);
    if (credential && this.authorizers.isMachineKey(credential)) {
      return { ok: false, status: 403, code: 'forbidden', message: "a machine key cannot call people's routes" };
    }
    try {
      return { ok: true, claims: await this.authorizers.people(authorization) };
    } catch (error) {
      if (!(error instanceof Unauthorized)) throw error;
      return { ok: false, status: 401, code: 'unauthorized', message: `sign in first: ${error.message}` };
    }
  }

  /** The route a request takes; `params` is undefined when a parameter's percent-encoding is malformed. */
  match(method: string, path: string) {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (m) {
        const values = route.names.map((_, i) => decodePathParameter(m[i + 1] ?? ''));
        const params = values.every((v) => v !== undefined)
          ? Object.fromEntries(route.names.map((n, i) => [n, values[i] ?? '']))
          : undefined;
        return { route, params };
      }
    }
    return undefined;
  }

  /** Handles the request if a topology route matches; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://local');
    const found = this.match(req.method ?? 'GET', url.pathname);
    if (!found) return false;
    if (!found.params) {
      // API Gateway refuses a path it cannot decode before any integration runs.
      sendError(res, 400, 'bad_request', 'the path has a malformed percent-encoding');
      return true;
    }
    const body = await readBody(req);
    if (body === undefined) {
      sendError(res, 413, 'payload_too_large', 'request body too large');
      return true;
    }
    const authorized = await this.authorize(found.route, req);
    if (!authorized.ok) {
      sendError(res, authorized.status, authorized.code, authorized.message);
      return true;
    }
    const event = toEvent(req, url, found.route, found.params, body, authorized.claims);
    try {
      const result = await found.route.handler(event, lambdaContext(found.route.functionName));
      writeResult(res, result);
    } catch {
      // What API Gateway answers when the integration fails.
      send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Internal Server Error' }));
    }
    return true;
  }
}

/** A path parameter decoded as API Gateway passes it; undefined for `%`, `%zz`, or bytes that are not UTF-8. */
function decodePathParameter(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: LocalRoute,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: VerifiedClaims | undefined,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || textTypes.test(contentType);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      ...(claims ? { authorizer: { jwt: { claims, scopes: (claims.scope ?? '').split(' ').filter(Boolean) } } } : {}),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: !isText,
  };
}

function sendError(res: ServerResponse, status: number, code: string, message: string) {
  send(res, status, { 'content-type': 'application/json' }, JSON.stringify({ error: { code, message } }));
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer) {
  res.writeHead(status, headers);
  res.end(body);
}

/** API Gateway's mapping of a Lambda result (format 2.0), including its inference for bare values. */
function writeResult(res: ServerResponse, result: unknown) {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const r = result as APIGatewayProxyStructuredResultV2;
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)]));
    const body = r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body;
    send(res, r.statusCode ?? 200, headers, body);
    return;
  }
  send(res, 200, { 'content-type': 'application/json' }, typeof result === 'string' ? result : JSON.stringify(result ?? null));
}
