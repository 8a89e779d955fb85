import { describe, expect, it } from 'vitest';
import type { CommentCategory, RoutingRule } from '#shared/config/schema.ts';
import { type RoutingInput, routeDetractor, ruleMatches } from '#shared/domain/routing.ts';
import { localConfig } from './fakes.ts';

const config = localConfig();

const detractor = (overrides: Partial<RoutingInput> = {}): RoutingInput => ({
  survey: 'nps',
  score: 3,
  serviceType: 'maintenance',
  storeId: 'sh-pudong',
  categories: [],
  ...overrides,
});

const route = (categories: CommentCategory[]) =>
  routeDetractor(config.routing, detractor({ categories }), config.defaultDepartment);

describe('routeDetractor with the rules of config/local.json', () => {
  it.each([
    [['wait_time'], ['service-advisors']],
    [['appointment'], ['service-advisors']],
    [['communication'], ['service-advisors']],
    [['staff_attitude'], ['service-advisors']],
    [['repair_quality'], ['workshop']],
    [['cleanliness_damage'], ['workshop']],
    [['parts'], ['parts']],
    [['price'], ['billing']],
  ] as [CommentCategory[], string[]][])('routes %j to %j', (categories, departments) => {
    expect(route(categories)).toEqual(departments);
  });

  it('routes a comment with no category to the default department', () => {
    expect(route([])).toEqual(['customer-care']);
  });

  it('routes to every matching department, in rule order', () => {
    expect(route(['price', 'wait_time', 'parts'])).toEqual(['service-advisors', 'parts', 'billing']);
  });

  it('names a department once when several of its categories match', () => {
    expect(route(['wait_time', 'appointment', 'staff_attitude'])).toEqual(['service-advisors']);
  });
});

describe('routeDetractor', () => {
  it('names a department once when several rules route to it', () => {
    const rules: RoutingRule[] = [
      { when: { categories: ['repair_quality'] }, departments: ['workshop'] },
      { when: { serviceTypes: ['repair'] }, departments: ['workshop', 'customer-care'] },
    ];

    const departments = routeDetractor(
      rules,
      detractor({ serviceType: 'repair', categories: ['repair_quality'] }),
      'customer-care',
    );

    expect(departments).toEqual(['workshop', 'customer-care']);
  });

  it('routes to the default department when there are no rules', () => {
    expect(routeDetractor([], detractor({ categories: ['price'] }), 'customer-care')).toEqual(['customer-care']);
  });
});

describe('ruleMatches', () => {
  it('matches a rule without conditions for everything', () => {
    expect(ruleMatches({ when: {}, departments: ['customer-care'] }, detractor())).toBe(true);
  });

  it('matches on the survey type', () => {
    const rule: RoutingRule = { when: { surveys: ['csat', 'ces'] }, departments: ['workshop'] };

    expect(ruleMatches(rule, detractor({ survey: 'csat', score: 1 }))).toBe(true);
    expect(ruleMatches(rule, detractor({ survey: 'nps' }))).toBe(false);
  });

  it('matches scores up to and including maxScore', () => {
    const rule: RoutingRule = { when: { maxScore: 2 }, departments: ['customer-care'] };

    expect(ruleMatches(rule, detractor({ score: 2 }))).toBe(true);
    expect(ruleMatches(rule, detractor({ score: 3 }))).toBe(false);
  });

  it('matches a maxScore of 0 (not mistaken for "no condition")', () => {
    const rule: RoutingRule = { when: { maxScore: 0 }, departments: ['customer-care'] };

    expect(ruleMatches(rule, detractor({ score: 0 }))).toBe(true);
    expect(ruleMatches(rule, detractor({ score: 1 }))).toBe(false);
  });

  it('matches on the service type', () => {
    const rule: RoutingRule = { when: { serviceTypes: ['warranty'] }, departments: ['service-advisors'] };

    expect(ruleMatches(rule, detractor({ serviceType: 'warranty' }))).toBe(true);
    expect(ruleMatches(rule, detractor({ serviceType: 'repair' }))).toBe(false);
  });

  it('matches on the store', () => {
    const rule: RoutingRule = { when: { storeIds: ['uk-reading'] }, departments: ['customer-care'] };

    expect(ruleMatches(rule, detractor({ storeId: 'uk-reading' }))).toBe(true);
    expect(ruleMatches(rule, detractor({ storeId: 'sh-pudong' }))).toBe(false);
  });

  it('matches when any one of the rule’s categories is in the comment', () => {
    const rule: RoutingRule = { when: { categories: ['parts', 'price'] }, departments: ['parts'] };

    expect(ruleMatches(rule, detractor({ categories: ['wait_time', 'price'] }))).toBe(true);
    expect(ruleMatches(rule, detractor({ categories: ['wait_time'] }))).toBe(false);
  });

  it('requires every condition of a rule to hold', () => {
    const rule: RoutingRule = {
      when: { surveys: ['csat'], maxScore: 1, serviceTypes: ['repair'], storeIds: ['sh-pudong'], categories: ['repair_quality'] },
      departments: ['workshop'],
    };
    const all = detractor({
      survey: 'csat',
      score: 1,
      serviceType: 'repair',
      storeId: 'sh-pudong',
      categories: ['repair_quality'],
    });

    expect(ruleMatches(rule, all)).toBe(true);
    expect(ruleMatches(rule, { ...all, survey: 'ces' })).toBe(false);
    expect(ruleMatches(rule, { ...all, score: 2 })).toBe(false);
    expect(ruleMatches(rule, { ...all, serviceType: 'warranty' })).toBe(false);
    expect(ruleMatches(rule, { ...all, storeId: 'sh-minhang' })).toBe(false);
    expect(ruleMatches(rule, { ...all, categories: [] })).toBe(false);
  });
});

describe('routeDetractor on customer value', () => {
  const rules = [
    { when: { highValue: true }, departments: ['customer-care'] },
    { when: { categories: ['price' as const] }, departments: ['billing'] },
  ];
  const input = { survey: 'nps' as const, score: 2, serviceType: 'repair', storeId: 'sh-pudong', categories: ['price' as const] };

  it('sends a high-value customer to the department a highValue rule names, as well', () => {
    expect(routeDetractor(rules, { ...input, highValue: true }, 'parts')).toEqual(['customer-care', 'billing']);
  });

  it('does not apply a highValue rule to other customers', () => {
    expect(routeDetractor(rules, input, 'parts')).toEqual(['billing']);
  });
});
