import type { CommentCategory, RoutingRule, SurveyType } from '#shared/config/schema.ts';

export interface RoutingInput {
  survey: SurveyType;
  score: number;
  serviceType: string;
  storeId: string;
  categories: CommentCategory[];
  /** A customer of high value (many visits or a high spend). */
  highValue?: boolean;
}

export function ruleMatches(rule: RoutingRule, input: RoutingInput): boolean {
  const w = rule.when;
  return (
    (!w.surveys || w.surveys.includes(input.survey)) &&
    (w.maxScore === undefined || input.score <= w.maxScore) &&
    (!w.serviceTypes || w.serviceTypes.includes(input.serviceType)) &&
    (!w.storeIds || w.storeIds.includes(input.storeId)) &&
    (!w.categories || w.categories.some((c) => input.categories.includes(c))) &&
    (w.highValue === undefined || w.highValue === (input.highValue ?? false))
  );
}

/** Every department a matching rule names, in rule order, else the default department. */
export function routeDetractor(rules: readonly RoutingRule[], input: RoutingInput, defaultDepartment: string): string[] {
  const departments = new Set(rules.filter((rule) => ruleMatches(rule, input)).flatMap((rule) => rule.departments));
  return departments.size > 0 ? [...departments] : [defaultDepartment];
}
