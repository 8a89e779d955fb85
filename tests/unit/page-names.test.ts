import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/load.ts';
import type { DashboardBootstrap } from '#web/dashboard/bootstrap.ts';
import { namer } from '#web/dashboard/context.ts';
import { translator } from '#web/dashboard/i18n.ts';
import { serviceTypeName } from '#web/lib/service-types.ts';
import { readFileSync } from 'node:fs';
import { localConfigPath } from './fakes.ts';

const serviceTypes = [{ id: 'repair', name: { 'zh-CN': '维修', en: 'Repair' } }, { id: 'tyre_change' }];

describe('serviceTypeName', () => {
  it("names a service type in the page's language from the config", () => {
    expect(serviceTypeName(serviceTypes, 'zh-CN', 'repair')).toBe('维修');
    expect(serviceTypeName(serviceTypes, 'en', 'repair')).toBe('Repair');
  });

  it('shows the id when the config names none, or does not know the service type', () => {
    expect(serviceTypeName(serviceTypes, 'en', 'tyre_change')).toBe('tyre_change');
    expect(serviceTypeName(serviceTypes, 'zh-CN', 'bodywork')).toBe('bodywork');
  });

  it('has a name in both languages for every service type of config/local.json', () => {
    const config = parseConfig(JSON.parse(readFileSync(localConfigPath, 'utf8')));

    for (const plan of config.surveyPlans) {
      expect(plan.name?.['zh-CN'], plan.serviceType).toBeTruthy();
      expect(plan.name?.en, plan.serviceType).toBeTruthy();
    }
  });
});

describe("the dashboard's namer", () => {
  const boot: DashboardBootstrap = {
    brand: '星途汽车服务',
    defaultLocale: 'zh-CN',
    stores: [{ id: 'sh-pudong', name: '浦东服务中心' }],
    departments: [{ id: 'workshop', name: '车间' }],
    serviceTypes: [
      { id: 'repair', survey: 'csat', name: { 'zh-CN': '维修', en: 'Repair' } },
      { id: 'tyre_change', survey: 'nps' },
    ],
    targets: { nps: { green: 50, amber: 30 }, csat: { green: 90, amber: 80 }, ces: { green: 5.5, amber: 5 } },
    minResponses: 10,
    resolutions: [],
  };

  it("names stores, departments and service types from the config, service types in the viewer's language", () => {
    const zh = namer(boot, 'zh-CN', translator('zh-CN'));
    const en = namer(boot, 'en', translator('en'));

    expect(zh('store', 'sh-pudong')).toBe('浦东服务中心');
    expect(zh('department', 'workshop')).toBe('车间');
    expect(zh('serviceType', 'repair')).toBe('维修');
    expect(en('serviceType', 'repair')).toBe('Repair');
    expect(en('serviceType', 'tyre_change')).toBe('tyre_change');
  });
});
