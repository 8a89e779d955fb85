import { beforeAll, describe, expect, it } from 'vitest';
import { alertOfSurvey, alertState, answeredSurvey, api, type ApiResponse, countItems, tokens, visit } from './helpers.ts';

type Role = 'none' | 'unknown' | 'cx' | 'ingest' | 'workshop' | 'advisors';
const bearer: Record<Role, string | undefined> = {
  none: undefined,
  unknown: 'not-a-known-token',
  cx: tokens.cx,
  ingest: tokens.ingest,
  workshop: tokens.workshop,
  advisors: tokens.advisors,
};
const roles = Object.keys(bearer) as Role[];

let alertId = '';

/** Every token-guarded route, what it needs, and which roles it lets in (the alert belongs to the workshop). */
const routes: { name: string; allowed: Role[]; call: (token: string | undefined) => Promise<ApiResponse> }[] = [
  { name: 'POST /v1/service-events', allowed: ['ingest'], call: (token) => api('/v1/service-events', { token, json: visit() }) },
  {
    name: 'POST /v1/imports',
    allowed: ['ingest'],
    // A row for a store that does not exist: the ingest role gets 400 and nothing is written.
    call: (token) =>
      api('/v1/imports', {
        token,
        body: 'eventId,occurredAt,storeId,serviceType\nIMP-authz,2026-11-01T10:00:00+08:00,mars-base,maintenance\n',
        headers: { 'content-type': 'text/csv' },
      }),
  },
  {
    name: 'GET /v1/scores',
    allowed: ['cx', 'workshop', 'advisors'],
    call: (token) => api('/v1/scores?metric=nps&from=2026-11-01&to=2026-11-30', { token }),
  },
  {
    name: 'GET /v1/funnel',
    allowed: ['cx', 'workshop', 'advisors'],
    call: (token) => api('/v1/funnel?from=2026-11-01&to=2026-11-30', { token }),
  },
  {
    name: 'GET /v1/integrity',
    allowed: ['cx', 'workshop', 'advisors'],
    call: (token) => api('/v1/integrity?from=2026-11-01&to=2026-11-30', { token }),
  },
  {
    name: 'GET /v1/responses',
    allowed: ['cx', 'workshop', 'advisors'],
    call: (token) => api('/v1/responses?metric=nps&from=2026-11-01&to=2026-11-30', { token }),
  },
  { name: 'GET /v1/alerts', allowed: ['cx', 'workshop', 'advisors'], call: (token) => api('/v1/alerts', { token }) },
  { name: 'GET /v1/alerts/{id}', allowed: ['cx', 'workshop'], call: (token) => api(`/v1/alerts/${alertId}`, { token }) },
  {
    name: 'POST /v1/alerts/{id}/actions',
    allowed: ['cx', 'workshop'],
    // An unknown action: an allowed role gets 400 and changes nothing, so every row can run.
    call: (token) => api(`/v1/alerts/${alertId}/actions`, { token, json: { action: 'not-an-action' } }),
  },
  {
    name: 'GET /v1/closed-loop',
    allowed: ['cx', 'workshop', 'advisors'],
    call: (token) => api('/v1/closed-loop?from=2026-11-01&to=2026-11-30', { token }),
  },
];

const expectedStatus = (route: (typeof routes)[number], role: Role) =>
  role === 'none' || role === 'unknown' ? 401 : route.allowed.includes(role) ? 'allowed' : 403;

describe('the authorization matrix: every route × every role', () => {
  beforeAll(async () => {
    const { surveyId } = await answeredSurvey('2', 'the repair did not hold, same noise again');
    alertId = (await alertOfSurvey(surveyId, 'workshop')).id;
  });

  const cases = routes.flatMap((route) => roles.map((role) => [route.name, role, expectedStatus(route, role)] as const));

  it.each(cases)('%s as %s → %s', async (name, role, expected) => {
    const route = routes.find((r) => r.name === name);
    if (!route) throw new Error(name);
    const before = expected === 'allowed' ? undefined : await countItems();
    const alertBefore = await alertState(alertId);

    const response = await route.call(bearer[role]);

    if (expected === 'allowed') {
      expect([200, 202, 400]).toContain(response.status);
    } else {
      expect(response.status).toBe(expected);
      expect(response.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect(await countItems()).toBe(before);
    }
    expect(await alertState(alertId)).toEqual(alertBefore);
  });
});
