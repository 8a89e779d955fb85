import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '#shared/config/load.ts';
import { isTimeZone } from '#shared/config/schema.ts';
import { localConfigPath } from './fakes.ts';

const raw = () => JSON.parse(readFileSync(localConfigPath, 'utf8'));

const messageOf = (document: unknown) => {
  try {
    parseConfig(document, 'config/test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected the config to be rejected');
};

describe('parseConfig', () => {
  it('accepts config/local.json', () => {
    const config = parseConfig(raw());

    expect(config.stores.map((s) => s.id)).toContain('sh-pudong');
    expect(config.defaultDepartment).toBe('customer-care');
  });

  it('fills in documented defaults', () => {
    const document = raw();
    delete document.reasonWaitMinutes;
    delete document.routing;

    const config = parseConfig(document);

    expect(config.reasonWaitMinutes).toBe(30);
    expect(config.routing).toEqual([]);
  });

  it('fills in the dashboard targets, whole or per score', () => {
    const document = raw();
    delete document.targets;
    expect(parseConfig(document).targets).toEqual({
      nps: { green: 50, amber: 30 },
      csat: { green: 90, amber: 80 },
      ces: { green: 5.5, amber: 5 },
    });

    document.targets = { nps: { green: 40, amber: 10 } };
    const config = parseConfig(document);

    expect(config.targets.nps).toEqual({ green: 40, amber: 10 });
    expect(config.targets.ces).toEqual({ green: 5.5, amber: 5 });
  });

  it('names a target whose amber is above its green, or off its scale', () => {
    const document = raw();
    document.targets.csat = { green: 80, amber: 90 };
    document.targets.ces = { green: 8, amber: 5 };

    const message = messageOf(document);

    expect(message).toContain('targets.csat.amber: must not be above green');
    expect(message).toContain('targets.ces.green');
  });

  it('returns a deeply frozen object', () => {
    const config = parseConfig(raw());

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.stores[0])).toBe(true);
    const store = config.stores[0] as { name: string };
    expect(() => {
      store.name = 'changed';
    }).toThrow(TypeError);
  });

  it('names the store whose time zone is not a time zone', () => {
    const document = raw();
    document.stores[0].timezone = 'Mars/Olympus';

    const message = messageOf(document);

    expect(message).toContain('stores[0].timezone');
    expect(message).toContain('config/test.json');
  });

  it('names a routing rule that sends to an unknown department', () => {
    const document = raw();
    document.routing[0].departments[0] = 'marketing';

    expect(messageOf(document)).toContain('routing[0].departments[0]: unknown department "marketing"');
  });

  it('names an unknown default department', () => {
    const document = raw();
    document.defaultDepartment = 'nobody';

    expect(messageOf(document)).toContain('defaultDepartment');
  });

  it('names a person of an unknown department', () => {
    const document = raw();
    document.auth.people[1].departmentId = 'nobody';

    expect(messageOf(document)).toContain('auth.people[1].departmentId');
  });

  it('refuses a machine key for a role people sign in for, naming the field', () => {
    const document = raw();
    document.auth.tokens.push({ token: 'dev-cx-token', role: 'cx' });

    expect(messageOf(document)).toContain('auth.tokens[1].role');
  });

  it('names a malformed quiet-hours time', () => {
    const document = raw();
    document.quietHours.end = '8am';

    expect(messageOf(document)).toContain('quietHours.end');
  });

  it('names an unknown comment category in a routing rule', () => {
    const document = raw();
    document.routing[1].when.categories = ['weather'];

    expect(messageOf(document)).toContain('routing[1].when.categories[0]');
  });

  it("accepts one Chinese signature for every locale, as in the design's example config", () => {
    const document = raw();
    document.brand.smsSignature = '【星途服务】';

    expect(parseConfig(document).brand.smsSignature).toBe('【星途服务】');
  });

  it('names an English signature that is not GSM-7', () => {
    const document = raw();
    document.brand.smsSignature = { 'zh-CN': '【星途服务】', en: '【Xingtu】' };

    expect(messageOf(document)).toContain('brand.smsSignature.en: an English signature must be GSM-7');
  });

  it('rejects duplicate store ids', () => {
    const document = raw();
    document.stores[1].id = document.stores[0].id;

    expect(messageOf(document)).toContain('duplicate "sh-pudong"');
  });

  it('lists every bad field, not just the first', () => {
    const document = raw();
    document.stores[0].timezone = 'Mars/Olympus';
    document.stores[3].country = 'sg';

    const message = messageOf(document);

    expect(message).toContain('stores[0].timezone');
    expect(message).toContain('stores[3].country');
  });

  it('rejects a document that is not an object', () => {
    expect(messageOf(null)).toContain('(root)');
  });

  it("takes a service type's name in each locale, and names one that lacks a locale", () => {
    const document = raw();
    document.surveyPlans[0].name = { 'zh-CN': '首次保养', en: 'First service' };
    document.surveyPlans[1].name = undefined;
    const config = parseConfig(document);
    expect(config.surveyPlans[0]?.name).toEqual({ 'zh-CN': '首次保养', en: 'First service' });
    expect(config.surveyPlans[1]?.name).toBeUndefined();

    document.surveyPlans[2].name = { 'zh-CN': '维修' };
    expect(messageOf(document)).toContain('surveyPlans[2].name.en');
  });

  it('reads one retention horizon written as a number as a list of one', () => {
    const document = raw();
    document.retention = { horizonDays: 180 };

    expect(parseConfig(document).retention.horizonDays).toEqual([180]);
  });

  it('keeps retention horizons written as a list, and the default when there are none', () => {
    const document = raw();
    document.retention = { horizonDays: [90, 365] };
    expect(parseConfig(document).retention.horizonDays).toEqual([90, 365]);

    document.retention = {};
    expect(parseConfig(document).retention.horizonDays).toEqual([180, 365]);
  });

  it('names a retention horizon that is neither a number of days nor a list of them', () => {
    const document = raw();

    document.retention = { horizonDays: '180' };
    expect(messageOf(document)).toContain('retention.horizonDays: a number of days, or a list of one to four');
    document.retention = { horizonDays: -5 };
    expect(messageOf(document)).toMatch(/retention\.horizonDays\[0\]: Too small: expected number to be >=1/);
    document.retention = { horizonDays: 90.5 };
    expect(messageOf(document)).toMatch(/retention\.horizonDays\[0\]: .*expected int/);
    document.retention = { horizonDays: [] };
    expect(messageOf(document)).toContain('retention.horizonDays: Too small');
    document.retention = { horizonDays: [180, 180] };
    expect(messageOf(document)).toContain('retention.horizonDays: each horizon once');
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'closedloop-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads config/local.json', () => {
    expect(loadConfigFile(localConfigPath).brand.name).toBe('星途汽车服务');
  });

  it('names a file it cannot read', () => {
    const missing = join(dir, 'missing.json');

    expect(() => loadConfigFile(missing)).toThrow(`cannot read config file ${missing}`);
  });

  it('names a file that is not JSON', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "brand": ');

    expect(() => loadConfigFile(broken)).toThrow(`${broken} is not valid JSON`);
  });
});

describe('isTimeZone', () => {
  afterEach(() => vi.restoreAllMocks());

  it('takes the canonical IANA names and UTC without building an Intl.DateTimeFormat', () => {
    const built = vi.spyOn(Intl, 'DateTimeFormat');
    expect(['Asia/Shanghai', 'Asia/Singapore', 'Europe/London', 'America/New_York', 'UTC'].map(isTimeZone)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(built).not.toHaveBeenCalled();
  });

  it('takes the other spellings Intl.DateTimeFormat takes: aliases and another case', () => {
    expect(['Etc/UTC', 'Asia/Kolkata', 'US/Pacific', 'asia/shanghai'].map(isTimeZone)).toEqual([true, true, true, true]);
  });

  it('refuses what is not a time zone', () => {
    expect(['Mars/Olympus', 'Asia/Shang hai', '', 'GMT+25'].map(isTimeZone)).toEqual([false, false, false, false]);
  });
});
