import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { api } from './helpers.ts';

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const { status, body } = await api('/openapi.json');

    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    // Validates against the OpenAPI 3.1 schema and resolves every $ref.
    await expect(SwaggerParser.validate(structuredClone(body))).resolves.toBeDefined();
  });

  it('documents every route the running API serves, and only those', async () => {
    const [{ body: document }, { body: wiring }] = await Promise.all([api('/openapi.json'), api('/dev/wiring')]);
    const documented = Object.entries(document.paths as Record<string, object>)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = (wiring.routes as { routeKey: string }[]).map((r) => r.routeKey).sort();

    expect(documented).toEqual(served);
  });

  it('documents request parameters from the same schemas the handlers parse', async () => {
    const { body } = await api('/openapi.json');
    const scores = body.paths['/v1/scores'].get.parameters.map((p: { name: string }) => p.name).sort();

    expect(scores).toEqual([
      'advisorId',
      'channel',
      'departmentId',
      'excludeFlagged',
      'from',
      'granularity',
      'groupBy',
      'metric',
      'serviceType',
      'storeId',
      'to',
    ]);
    for (const path of ['/v1/scores', '/v1/funnel']) {
      const parameter = (name: string) =>
        body.paths[path].get.parameters.find((p: { name: string }) => p.name === name)?.schema.enum;
      expect(parameter('groupBy')).toContain('channel');
      expect(parameter('channel')).toEqual(['sms', 'link', 'wechat', 'call']);
    }
    expect(body.paths['/v1/service-events'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['eventId', 'occurredAt', 'storeId', 'serviceType', 'customer']),
    );
  });
});
