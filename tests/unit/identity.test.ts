import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { identifyMachine, identifyPerson } from '#shared/use-cases/identity.ts';

const config = {
  auth: { tokens: [], clients: [], people: [] },
  departments: [{ id: 'workshop' }, { id: 'parts' }],
} as unknown as Parameters<typeof identifyPerson>[0];

describe('identifyPerson', () => {
  it('reads the groups as API Gateway flattens a list claim', () => {
    expect(identifyPerson(config, { sub: 'li.ming', name: '李明', 'cognito:groups': '[department-workshop]' })).toEqual({
      role: 'department',
      departmentId: 'workshop',
      sub: 'li.ming',
      name: '李明',
    });
  });

  it('reads the groups as a list, and cx wins over a department', () => {
    expect(identifyPerson(config, { sub: 's', 'cognito:groups': ['department-parts', 'cx'] })).toMatchObject({ role: 'cx' });
  });

  it('gives a Cognito client its role from its scope, and its client id as the name', () => {
    expect(identifyPerson(config, { sub: 'abc', client_id: 'bi-reader', scope: 'closedloop/department-parts' })).toEqual({
      role: 'department',
      departmentId: 'parts',
      sub: 'abc',
      name: 'bi-reader',
    });
  });

  it('refuses a token whose groups name no configured role with 403, and one without a subject with 401', () => {
    expect(() => identifyPerson(config, { sub: 's', 'cognito:groups': '[department-mars visitors]' })).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => identifyPerson(config, { 'cognito:groups': '[cx]' })).toThrow(expect.objectContaining({ status: 401 }));
  });
});

describe('identifyMachine', () => {
  const keys = [
    { token: 'dev-ingest-token', role: 'ingest' as const, name: 'dms' },
    { token: `sha256:${createHash('sha256').update('hashed-key-1').digest('hex')}`, role: 'ingest' as const },
  ];

  it('knows a key given in the clear and one kept only as its SHA-256', () => {
    expect(identifyMachine(keys, 'Bearer dev-ingest-token')).toEqual({ role: 'ingest', sub: 'key:dms', name: 'dms' });
    expect(identifyMachine(keys, 'bearer hashed-key-1')).toEqual({ role: 'ingest', sub: 'key:ingest', name: 'ingest' });
  });

  it("answers 401 to no key or an unknown one, 403 to a person's token", () => {
    expect(() => identifyMachine(keys, undefined)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => identifyMachine(keys, 'Bearer not-a-key')).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => identifyMachine(keys, 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });
});
