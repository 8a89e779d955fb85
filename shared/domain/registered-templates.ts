/**
 * Registered SMS templates (模板): where the market requires it (mainland China), a text may only
 * be a body registered with the provider and the carriers, signature included, with its variables
 * filled, each at most 35 characters (the providers' limit for a variable). A text that cannot be
 * made so is not sent.
 */
import type { ReachChannel } from './reach.ts';

type Locale = 'zh-CN' | 'en';
type SurveyType = 'nps' | 'csat' | 'ces';

export const templateVariables = ['brand', 'store', 'name', 'range', 'link'] as const;
export type TemplateVariable = (typeof templateVariables)[number];
export type TemplateValues = Record<TemplateVariable, string>;

/** The texts ClosedLoop sends, by the kind a template is registered as. */
export const templateKinds = [
  'question_nps',
  'question_csat',
  'question_ces',
  'reminder_nps',
  'reminder_csat',
  'reminder_ces',
  'question_link',
  'reminder_link',
  'reask',
  'why',
  'thanks',
  'sorry',
  'closed',
  'help',
  'opted_out',
  'opted_in',
] as const;
export type TemplateKind = (typeof templateKinds)[number];

/** The longest a filled variable may be. */
export const maxVariableLength = 35;

export interface RegisteredTemplate {
  id: string;
  body: string;
}
/** `templates[kind][locale]`; kinds ClosedLoop does not send may be there too. */
export type TemplateBook = Readonly<Record<string, Partial<Record<Locale, RegisteredTemplate>> | undefined>>;

/** A conversation step as messages.ts names it, for this survey type: the kind it is registered as. */
export function kindOf(step: string, survey: SurveyType): string {
  return step === 'question' || step === 'reminder' ? `${step}_${survey}` : step;
}

type Part = { literal: string } | { variable: TemplateVariable };

function partsOf(body: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const match of body.matchAll(/\{(brand|store|name|range|link)\}/g)) {
    if (match.index > at) parts.push({ literal: body.slice(at, match.index) });
    parts.push({ variable: match[1] as TemplateVariable });
    at = match.index + match[0].length;
  }
  if (at < body.length) parts.push({ literal: body.slice(at) });
  return parts;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The variables that make `text` out of `body`, or undefined when it is not that body filled
 * (each variable at most 35 characters). Everything but the variables must be the body's, letter
 * for letter.
 */
export function matchTemplate(body: string, text: string): Partial<TemplateValues> | undefined {
  const names: TemplateVariable[] = [];
  const pattern = partsOf(body)
    .map((part) => {
      if ('literal' in part) return escapeRegExp(part.literal);
      names.push(part.variable);
      return `([\\s\\S]{0,${maxVariableLength}}?)`;
    })
    .join('');
  const match = new RegExp(`^${pattern}$`, 'u').exec(text);
  if (!match) return undefined;
  const values: Partial<TemplateValues> = {};
  names.forEach((name, i) => {
    values[name] = match[i + 1] ?? '';
  });
  return values;
}

export type Filled =
  | { ok: true; text: string; templateId: string }
  | { ok: false; problem: 'no_template' | 'too_long' | 'link_not_registered'; detail: string };

/**
 * Fills a registered body. Carriers pass a link only as a fixed, filed URL in the template, so the
 * survey's token alone is a variable: where the body writes a URL right before `{link}`
 * (`https://s.example.cn/s/{link}`), the survey's link must start with it; where it writes
 * `{link}` alone, that stands for the deployment's own survey address (the filed one in
 * production, registered written out) followed by the token.
 */
export function fillTemplate(template: RegisteredTemplate, values: TemplateValues): Filled {
  let text = '';
  let expanded = '';
  for (const part of partsOf(template.body)) {
    if ('literal' in part) {
      text += part.literal;
      expanded += part.literal;
      continue;
    }
    let value = values[part.variable];
    if (part.variable === 'link') {
      const written = /https?:\/\/\S*$/.exec(text)?.[0];
      const fixed = written ?? value.slice(0, value.lastIndexOf('/') + 1);
      if (!value.startsWith(fixed)) {
        return { ok: false, problem: 'link_not_registered', detail: `the survey link is not under ${fixed}` };
      }
      if (written === undefined) {
        text += fixed;
        expanded += fixed;
      }
      value = value.slice(fixed.length);
    }
    if (value.length > maxVariableLength) {
      return {
        ok: false,
        problem: 'too_long',
        detail: `{${part.variable}} is ${value.length} characters, over ${maxVariableLength}`,
      };
    }
    text += value;
    expanded += `{${part.variable}}`;
  }
  // What goes out must read back as the registered body filled: the guarantee, not the assembly above.
  if (!matchTemplate(expanded, text)) {
    return { ok: false, problem: 'too_long', detail: 'the filled text does not read back as its registered body' };
  }
  return { ok: true, text, templateId: template.id };
}

/** The registered text of a kind in a locale, filled; a kind or locale not registered is refused. */
export function registeredText(book: TemplateBook, kind: string, locale: Locale, values: TemplateValues): Filled {
  const template = book[kind]?.[locale];
  if (!template) return { ok: false, problem: 'no_template', detail: `no registered ${kind} template in ${locale}` };
  return fillTemplate(template, values);
}

/** The kinds a store reaching customers by these channels sends, for the survey types it runs. */
export function kindsSent(
  reach: readonly ReachChannel[],
  surveys: readonly SurveyType[],
  conversation: 'full' | 'short',
): TemplateKind[] {
  const kinds = new Set<TemplateKind>();
  if (reach.includes('sms')) {
    for (const s of surveys) {
      kinds.add(`question_${s}`);
      kinds.add(`reminder_${s}`);
    }
    for (const k of ['reask', 'thanks', 'sorry', 'closed'] as const) kinds.add(k);
    if (conversation === 'full') kinds.add('why');
  }
  if (reach.includes('link')) {
    kinds.add('question_link');
    kinds.add('reminder_link');
  }
  // Keywords (TD, HELP, START) can come back to any number that got a text.
  if (reach.includes('sms') || reach.includes('link')) for (const k of ['help', 'opted_out', 'opted_in'] as const) kinds.add(k);
  return templateKinds.filter((k) => kinds.has(k));
}

interface TemplateConfig {
  defaultLocale: Locale;
  smsMode: 'two-way' | 'link';
  stores: readonly {
    country: string;
    reach?: readonly ReachChannel[] | undefined;
    smsMode?: 'two-way' | 'link' | undefined;
  }[];
  surveyPlans: readonly { survey: SurveyType }[];
  sms: { templates: TemplateBook; registeredTemplateCountries: readonly string[]; conversation: 'full' | 'short' };
}

/** Whether a store may send only registered texts. */
export const requiresRegistered = (config: Pick<TemplateConfig, 'sms'>, store: { country: string }) =>
  config.sms.registeredTemplateCountries.includes(store.country);

/**
 * Each kind and locale a store of a registered country sends with no template: the default
 * locale always, and any other locale that has a template of any kind (a half-registered locale
 * is a mistake; a locale with none is simply never registered, and its texts are refused).
 */
export function missingTemplates(config: TemplateConfig): { kind: TemplateKind; locale: Locale }[] {
  const surveys = [...new Set(config.surveyPlans.map((p) => p.survey))];
  const needed = new Set<TemplateKind>();
  for (const store of config.stores) {
    if (!requiresRegistered(config, store)) continue;
    const reach = store.reach?.length
      ? store.reach
      : (store.smsMode ?? config.smsMode) === 'link'
        ? ['link' as const]
        : ['sms' as const];
    for (const kind of kindsSent(reach, surveys, config.sms.conversation)) needed.add(kind);
  }
  const registered = Object.values(config.sms.templates);
  const locales = (['zh-CN', 'en'] as const).filter(
    (l) => l === config.defaultLocale || registered.some((byLocale) => byLocale?.[l] !== undefined),
  );
  return templateKinds.flatMap((kind) =>
    needed.has(kind) ? locales.filter((locale) => !config.sms.templates[kind]?.[locale]).map((locale) => ({ kind, locale })) : [],
  );
}
