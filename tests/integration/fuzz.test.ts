/**
 * Fuzzing every HTTP route with fast-check: random and malformed JSON, wrong types, unicode edge
 * cases, bodies over the size limit, broken form encoding, missing and duplicated headers, path and
 * query injection. Every answer is below 500 — a 4xx with the DESIGN §4 error shape wherever the
 * input is wrong — and not one item is written. CI runs FUZZ_RUNS=1000 cases per route (the
 * default); `FUZZ_RUNS=10000 npx vitest run --project integration tests/integration/fuzz.test.ts`
 * the full size.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '#shared/adapters/sms/twilio-signature.ts';
import { serviceEventSchema } from '#shared/use-cases/schedule-survey.ts';
import { countItems, PUBLIC_BASE_URL, stack, TWILIO_TOKEN, tokens, visit } from './helpers.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Flat name/value pairs: a name may repeat (duplicated headers). */
  headers: string[];
  body?: string | Buffer | undefined;
}

/** One raw HTTP exchange (node:http, so headers can repeat and paths stay unnormalised). */
function send(req: RawRequest): Promise<{ status: number; type: string; text: string }> {
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const call = request(
      // Headers given as a list get no Host header from node:http, and a request without one is a
      // 400 from the server's parser before any route runs: every case would pass untested.
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers: ['host', url.host, ...req.headers] },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    call.on('error', reject);
    call.end(req.body);
  });
}

/** A path segment of any text (lone surrogates become U+FFFD, as a client would send them). */
const segment = (text: string) => encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8')) || 'x';

/** Percent-encodings no decoder accepts: a lone %, non-hex digits, bytes that are not UTF-8, a cut sequence. */
const malformedEncodings = ['%', '%zz', '%ff', '%00%ff', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%%', '%1'];
/** Well-formed encodings of control characters: NUL, C0, DEL and C1, which reach the handlers decoded. */
const controlEncodings = ['%00', '%01', '%0A', '%0D', '%1B', '%7F', '%C2%80', '%C2%9F'];
/** Every route with a path parameter, `{}` where the parameter goes. */
const parameterRoutes: { method: 'GET' | 'POST'; path: string }[] = [
  { method: 'GET', path: '/v1/alerts/{}' },
  { method: 'POST', path: '/v1/alerts/{}/actions' },
  { method: 'POST', path: '/v1/alerts/{}/contact' },
  { method: 'GET', path: '/s/{}' },
  { method: 'POST', path: '/s/{}' },
];

const bearer = (token: string) => ['authorization', `Bearer ${token}`];

/** Text that stresses parsers: unicode edge cases, control characters, injection-looking strings. */
const nasty = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    '\ud800',
    '\uffff',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    '‮override',
    "' OR 1=1 --",
    '{"$ne":null}',
    '../../etc/passwd',
    '%00',
    '%E0%A4%A',
    '<script>alert(1)</script>',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an injection attempt, on purpose
    '${jndi:ldap://x}',
    '__proto__',
    'constructor',
  ),
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.dictionary(nasty, fc.anything(), { maxKeys: 3 }),
);
/** A query string of random, repeated and injected parameters. */
const query = (known: string[]) =>
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...known), nasty), fc.oneof(nasty, fc.integer().map(String))), { maxLength: 6 })
    .map((pairs) => new URLSearchParams(pairs).toString());

/** A body that is not a valid service event: random text or JSON, or a valid event with one field broken. */
const badServiceEvent = fc.oneof(
  nasty,
  fc.json(),
  fc.constantFrom('', '{', '[]', 'null', '{"eventId":', '\u0000'),
  fc
    .tuple(fc.constantFrom('eventId', 'occurredAt', 'storeId', 'serviceType', 'customer', 'amount', 'advisorId'), wrongType)
    .map(([field, value]) => ({ ...visit(), [field]: value }))
    // Some "wrong" values are right (a number for an amount, a customer with no phone): those events are valid.
    .filter((event) => !serviceEventSchema.safeParse(event).success)
    .map((event) => JSON.stringify(event)),
  fc.tuple(nasty).map(([storeId]) => JSON.stringify(visit({ storeId: `x-${storeId}` }))),
  fc.tuple(nasty).map(([occurredAt]) => JSON.stringify(visit({ occurredAt }))),
);

/** A Twilio form, signed or not, that misses or breaks a required field. */
const badTwilioForm = (path: string) =>
  fc
    .record({
      fields: fc.dictionary(fc.oneof(fc.constantFrom('From', 'To', 'Body', 'MessageStatus', 'ErrorCode'), nasty), nasty, {
        maxKeys: 5,
      }),
      sid: fc.oneof(fc.constant(undefined), fc.string({ minLength: 65, maxLength: 80 }), fc.constant('SMnothex')),
      signed: fc.boolean(),
      rawBody: fc.option(fc.constantFrom('%', '%%41', 'a=%ZZ&b', '&&&==', 'Body=%E0%A4%A'), { nil: undefined }),
    })
    .map(({ fields, sid, signed, rawBody }) => {
      const entries = Object.entries(fields).filter(([k]) => k !== 'MessageSid');
      if (sid !== undefined) entries.push(['MessageSid', sid]);
      const body = rawBody ?? new URLSearchParams(entries).toString();
      const headers = ['content-type', 'application/x-www-form-urlencoded'];
      if (signed) headers.push('x-twilio-signature', twilioSignature(TWILIO_TOKEN, `${PUBLIC_BASE_URL}${path}`, entries));
      return { method: 'POST' as const, path, headers, body };
    });

const getWithQuery = (path: string, known: string[]) =>
  fc.tuple(query(known), fc.constantFrom(...Object.values(tokens))).map(([q, token]) => ({
    method: 'GET' as const,
    path: `${path}?${q}`,
    headers: bearer(token),
  }));

const routes: [string, fc.Arbitrary<RawRequest>][] = [
  [
    'POST /v1/service-events',
    fc.oneof(
      badServiceEvent.map((body) => ({
        method: 'POST' as const,
        path: '/v1/service-events',
        headers: [...bearer(tokens.ingest), 'content-type', 'application/json'],
        body,
      })),
      // Wrong media types, a second Authorization header, no token, a body over the limit.
      fc.constantFrom<RawRequest>(
        {
          method: 'POST',
          path: '/v1/service-events',
          headers: [...bearer(tokens.ingest), 'content-type', 'text/plain'],
          body: JSON.stringify(visit()),
        },
        {
          method: 'POST',
          path: '/v1/service-events',
          headers: [...bearer(tokens.ingest), ...bearer(tokens.cx), 'content-type', 'application/json'],
          body: JSON.stringify(visit()),
        },
        {
          method: 'POST',
          path: '/v1/service-events',
          headers: ['content-type', 'application/json'],
          body: JSON.stringify(visit()),
        },
        {
          method: 'POST',
          path: '/v1/service-events',
          headers: [...bearer(tokens.ingest), 'content-type', 'application/json'],
          body: JSON.stringify({ ...visit(), pad: 'x'.repeat(70_000) }),
        },
      ),
    ),
  ],
  ['POST /v1/sms/twilio', badTwilioForm('/v1/sms/twilio')],
  ['POST /v1/sms/twilio/status', badTwilioForm('/v1/sms/twilio/status')],
  ['GET /v1/scores', getWithQuery('/v1/scores', ['metric', 'from', 'to', 'granularity', 'groupBy', 'storeId', 'advisorId'])],
  ['GET /v1/funnel', getWithQuery('/v1/funnel', ['from', 'to', 'granularity', 'groupBy', 'departmentId'])],
  ['GET /v1/responses', getWithQuery('/v1/responses', ['metric', 'from', 'to', 'cursor', 'limit', 'sentiment', 'withComment'])],
  ['GET /v1/integrity', getWithQuery('/v1/integrity', ['from', 'to', 'granularity', 'groupBy', 'storeId', 'departmentId'])],
  ['GET /v1/alerts', getWithQuery('/v1/alerts', ['status', 'departmentId', 'limit'])],
  ['GET /v1/closed-loop', getWithQuery('/v1/closed-loop', ['from', 'to', 'groupBy', 'granularity', 'departmentId'])],
  [
    'GET /v1/alerts/{id}',
    nasty.map((id) => ({ method: 'GET' as const, path: `/v1/alerts/${segment(id)}`, headers: bearer(tokens.cx) })),
  ],
  [
    'POST /v1/alerts/{id}/actions',
    fc.tuple(nasty, fc.oneof(fc.json(), nasty)).map(([id, body]) => ({
      method: 'POST' as const,
      path: `/v1/alerts/al_${segment(id)}/actions`,
      headers: [...bearer(tokens.cx), 'content-type', 'application/json'],
      body,
    })),
  ],
  [
    'GET and POST /s/{token}',
    fc.tuple(nasty, fc.constantFrom<'GET' | 'POST'>('GET', 'POST'), nasty).map(([token, method, body]) => ({
      method,
      path: `/s/${segment(token)}`,
      headers: ['content-type', 'application/x-www-form-urlencoded'],
      body: method === 'POST' ? `score=${segment(body)}` : undefined,
    })),
  ],
  [
    'path parameters with malformed or control-character percent-encodings',
    fc
      .record({
        route: fc.constantFrom(...parameterRoutes),
        encoding: fc.constantFrom(...malformedEncodings, ...controlEncodings),
        before: fc.option(nasty, { nil: undefined }),
        after: fc.option(nasty, { nil: undefined }),
      })
      .map(({ route: { method, path }, encoding, before, after }) => ({
        method,
        path: path.replace(
          '{}',
          `${before === undefined ? '' : segment(before)}${encoding}${after === undefined ? '' : segment(after)}`,
        ),
        headers: [...bearer(tokens.cx), 'content-type', 'application/json'],
        body: method === 'POST' ? '{"action":"acknowledge"}' : undefined,
      })),
  ],
  [
    'unknown paths and methods',
    fc.tuple(nasty, fc.constantFrom<RawRequest['method']>('GET', 'POST', 'PUT', 'DELETE')).map(([text, method]) => ({
      method,
      path: `/v1/${segment(text)}/..%2F..%2Fetc`,
      headers: bearer(tokens.cx),
    })),
  ],
];

describe('fuzzing every route', () => {
  let before = 0;
  beforeAll(async () => {
    before = await countItems();
  });

  it.each(routes)(
    '%s never answers 5xx, and a refusal has the error shape',
    async (_, arbitrary) => {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (req) => {
          const res = await send(req);
          expect(res.status, `${req.method} ${req.path} → ${res.status} ${res.text.slice(0, 200)}`).toBeLessThan(500);
          if (res.status >= 400 && res.type.startsWith('application/json')) {
            const body = JSON.parse(res.text);
            expect(body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
          }
        }),
        { numRuns: RUNS },
      );
    },
    600_000,
  );

  it.each(parameterRoutes.flatMap(({ method, path }) => malformedEncodings.map((encoding) => ({ method, path, encoding }))))(
    '$method $path with $encoding answers 400 in the error shape, as API Gateway refuses it',
    async ({ method, path, encoding }) => {
      const res = await send({ method, path: path.replace('{}', encoding), headers: bearer(tokens.cx), body: undefined });

      expect(res.status, res.text).toBe(400);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'bad_request', message: expect.any(String) } });
    },
  );

  it.each(parameterRoutes.flatMap(({ method, path }) => controlEncodings.map((encoding) => ({ method, path, encoding }))))(
    '$method $path with $encoding decoded reaches the handler and answers a 4xx',
    async ({ method, path, encoding }) => {
      const res = await send({
        method,
        path: path.replace('{}', `x${encoding}y`),
        headers: [...bearer(tokens.cx), 'content-type', 'application/json'],
        body: method === 'POST' ? '{"action":"acknowledge"}' : undefined,
      });

      expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      expect(res.status, res.text).toBeLessThan(500);
    },
  );

  it('wrote nothing', async () => {
    expect(await countItems()).toBe(before);
  });
});
