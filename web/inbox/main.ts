/**
 * The department heads' inbox (/inbox) and case page (/inbox/alerts/{id}) in the browser:
 * plain DOM, phone-sized first. The person signs in first (web/auth/session.ts); the API
 * scopes what they see (cx everything, a head their own department).
 */
import * as z from 'zod/mini';
import type { Locale } from '#shared/config/schema.ts';
import { loadSignInClient, Session } from '#web/auth/session.ts';
import { ApiError, answerOf, queryString } from '#web/dashboard/api.ts';
import { byId, h } from '#web/dashboard/dom.ts';
import { formats, localeNames, locales, pickLocale } from '#web/dashboard/i18n.ts';
import { categoryName } from '#web/lib/categories.ts';
import { segmentName } from '#web/lib/segments.ts';
import { serviceTypeName } from '#web/lib/service-types.ts';
import { readInboxBootstrap } from './bootstrap.ts';
import { type CallbackPageContext, callbacksView, callTaskView, inboxNav } from './callbacks.ts';
import { type InboxTranslate, inboxTranslator, isInboxKey } from './i18n.ts';

const LOCALE_KEY = 'closedloop-locale';
const boot = readInboxBootstrap(document);
const root = byId('app');
let locale: Locale = pickLocale(localStorage.getItem(LOCALE_KEY), navigator.languages, boot.defaultLocale);
let t: InboxTranslate = inboxTranslator(locale);
let f = formats(locale);
let session: Session;

const str = z.string();
const opt = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));
const alertFields = {
  id: str,
  departmentId: str,
  // A string, not an enum: a status newer than this page (the API's to add) shows, named by its id, rather than breaking the page.
  status: str,
  priority: str,
  kind: z.optional(z.enum(['detractor', 'retention'])),
  segment: opt(str),
  surveyType: opt(z.enum(['nps', 'csat', 'ces'])),
  score: opt(z.number()),
  outcome: opt(str),
  retention: opt(
    z.object({ lastVisitAt: str, visits: z.number(), spend: z.number(), daysSinceVisit: z.number(), wonBackAt: opt(str) }),
  ),
  comment: opt(str),
  categories: z.array(str),
  storeId: str,
  advisorId: opt(str),
  serviceType: str,
  phoneMasked: str,
  createdAt: str,
  dueAt: str,
  escalated: z.boolean(),
  // A reopened case: the re-survey answer that reopened it.
  reopened: opt(z.object({ at: str, score: z.number(), comment: opt(str) })),
};
const listSchema = z.object({ alerts: z.array(z.object(alertFields)) });
type ListedAlert = z.infer<typeof listSchema>['alerts'][number];
const actionSchema = z.object({
  action: str,
  at: str,
  by: z.object({ sub: str, name: str }),
  note: opt(str),
  toDepartmentId: opt(str),
  rootCause: opt(str),
  resolution: opt(str),
  outcome: opt(str),
});
const caseSchema = z.object({
  ...alertFields,
  actions: z.array(actionSchema),
  visit: z.object({
    storeId: str,
    advisorId: opt(str),
    technicianId: opt(str),
    serviceType: str,
    visitDate: str,
    amount: opt(z.number()),
    currency: opt(str),
  }),
  history: z.array(
    z.object({
      surveyId: str,
      surveyType: str,
      status: str,
      storeId: str,
      visitDate: str,
      score: opt(z.number()),
      comment: opt(str),
      alerts: z.array(z.object({ id: str, departmentId: str, status: str })),
    }),
  ),
  sla: z.object({ dueAt: str, state: z.enum(['running', 'overdue', 'met', 'missed']) }),
  timeline: z.array(
    z.object({
      at: str,
      kind: str,
      departmentId: opt(str),
      action: opt(str),
      by: opt(z.object({ name: str })),
      note: opt(str),
      toDepartmentId: opt(str),
      rootCause: opt(str),
      resolution: opt(str),
      outcome: opt(str),
    }),
  ),
});
type Case = z.infer<typeof caseSchema>;

const storeName = (id: string) => boot.stores.find((s) => s.id === id)?.name ?? id;
const departmentName = (id: string) => boot.departments.find((d) => d.id === id)?.name ?? id;
const resolutionName = (id: string) => boot.closure.resolutions.find((r) => r.id === id)?.name[locale] ?? id;
const serviceName = (id: string) => serviceTypeName(boot.serviceTypes, locale, id);
/** The word for a status, outcome or action the API names by id; a newer one than this page knows shows as its id. */
const word = (key: string, params?: Record<string, string>, fallback = key) => (isInboxKey(key) ? t(key, params) : fallback);
const statusName = (status: string) => word(`status_${status}`, undefined, status);
const segmentOf = (segment: string | null | undefined) => (segment ? segmentName(locale, segment) : null);
const outcomeName = (outcome: string) => word(`outcome_${outcome}`, undefined, outcome);
const surveyName = (survey: string) => word(`survey_${survey}`, undefined, survey.toUpperCase());
/** A detractor's survey and score, or a retention task's mark: what kind of case it is, at a glance. */
const badge = (a: ListedAlert) =>
  a.kind === 'retention' || !a.surveyType
    ? h('span', { class: 'score score-retention', text: t('atRisk') })
    : h('span', { class: `score score-${a.surveyType}`, text: `${surveyName(a.surveyType)} ${a.score}` });
const isOverdue = (a: ListedAlert, now: number) => (a.status === 'open' || a.status === 'reopened') && Date.parse(a.dueAt) < now;
/** A reopened case is about what the customer said on their re-survey: its score and words lead. */
const latestAnswer = (a: ListedAlert): ListedAlert =>
  a.reopened ? { ...a, score: a.reopened.score, comment: a.reopened.comment ?? null } : a;

async function api<T>(path: string, schema: z.ZodMiniType<T>, init: RequestInit = {}): Promise<T> {
  return answerOf(await session.fetch(path, init), schema, path);
}
const post = <T>(path: string, schema: z.ZodMiniType<T>, body: unknown) =>
  api(path, schema, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function header(): HTMLElement {
  const language = h(
    'select',
    { attrs: { id: 'locale', 'aria-label': t('language') } },
    ...locales.map((l) => h('option', { text: localeNames[l], attrs: { value: l, selected: l === locale, lang: l } })),
  );
  language.onchange = () => {
    locale = language.value === 'en' ? 'en' : 'zh-CN';
    localStorage.setItem(LOCALE_KEY, locale);
    void show();
  };
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', text: `${boot.brand} · ${t('title')}`, attrs: { href: '/inbox' } }),
    h(
      'div',
      { class: 'top-actions' },
      language,
      h('span', { class: 'person', text: session.name, attrs: { id: 'person' } }),
      h('button', {
        class: 'ghost',
        text: t('signOut'),
        attrs: { type: 'button', id: 'sign-out' },
        on: { click: () => void session.signOut('/inbox') },
      }),
    ),
  );
}

function problem(error: unknown): HTMLElement {
  const message =
    error instanceof ApiError && error.status === 403
      ? t('forbidden')
      : error instanceof ApiError && error.status === 404
        ? t('notFound')
        : t('failed', { message: error instanceof Error ? error.message : String(error) });
  return h('p', { class: 'error', text: message, attrs: { role: 'alert' } });
}

// ---- the inbox ----

/**
 * Reopened first (the loop was closed once and the customer is still unhappy), then open, overdue
 * and escalated; then by how soon they are due; resolved last.
 */
function urgency(a: ListedAlert, now: number) {
  if (a.status === 'resolved') return 5;
  if (a.status === 'reopened') return 0;
  if (isOverdue(a, now)) return 1;
  if (a.escalated) return 2;
  return a.status === 'open' ? 3 : 4;
}

function firstWords(comment: string | null | undefined) {
  if (!comment) return t('noComment');
  return comment.length > 60 ? `${comment.slice(0, 60)}…` : comment;
}

async function inboxView(main: HTMLElement) {
  const params = new URLSearchParams(location.search);
  const status = params.get('status') ?? 'unresolved';
  const store = params.get('store') ?? '';
  const query = status === 'unresolved' || status === '' ? {} : { status };
  const { alerts } = await api(`/v1/alerts?${queryString({ ...query, limit: 200 })}`, listSchema);
  const now = Date.now();
  const shown = alerts
    .filter((a) => (status === 'unresolved' ? a.status !== 'resolved' : true) && (!store || a.storeId === store))
    .sort(
      (a, b) =>
        urgency(a, now) - urgency(b, now) ||
        // A high-value customer's case before the others of the same urgency.
        Number(b.priority === 'high') - Number(a.priority === 'high') ||
        a.dueAt.localeCompare(b.dueAt),
    );

  const select = (id: string, label: string, value: string, options: [string, string][]) => {
    const control = h(
      'select',
      { attrs: { id } },
      ...options.map(([v, text]) => h('option', { text, attrs: { value: v, selected: v === value } })),
    );
    control.onchange = () => {
      const next = new URLSearchParams(location.search);
      if (control.value) next.set(id, control.value);
      else next.delete(id);
      history.replaceState(null, '', `/inbox${next.size ? `?${next}` : ''}`);
      void show();
    };
    return h('div', { class: 'field' }, h('label', { text: label, attrs: { for: id } }), control);
  };
  const statuses = ['reopened', 'open', 'acknowledged', 'contacted', 'unreachable', 'resolved'];
  const filters = h(
    'form',
    { class: 'filters', attrs: { 'aria-label': t('status') }, on: { submit: (e) => e.preventDefault() } },
    select('status', t('status'), status, [
      ['unresolved', t('unresolved')],
      ['', t('all')],
      ...statuses.map((s): [string, string] => [s, statusName(s)]),
    ]),
    select('store', t('store'), store, [['', t('all')], ...boot.stores.map((s): [string, string] => [s.id, s.name])]),
  );
  const counts = h('p', {
    class: 'counts',
    attrs: { id: 'counts', 'aria-live': 'polite' },
    text: t('counts', {
      shown: shown.length,
      open: shown.filter((a) => a.status === 'open').length,
      overdue: shown.filter((a) => isOverdue(a, now)).length,
    }),
  });
  const item = (a: ListedAlert) => {
    const overdue = isOverdue(a, now);
    const answer = latestAnswer(a);
    const due =
      a.status === 'resolved'
        ? statusName(a.status)
        : overdue
          ? t('overdueBy', { when: f.relative(a.dueAt, now) })
          : t('dueIn', { when: f.relative(a.dueAt, now) });
    return h(
      'li',
      { class: `case${overdue ? ' late' : ''}`, attrs: { 'data-alert': a.id } },
      h(
        'a',
        { class: 'case-link', attrs: { href: `/inbox/alerts/${encodeURIComponent(a.id)}` } },
        badge(answer),
        h(
          'span',
          { class: 'case-body' },
          h('span', {
            class: 'case-words',
            text: a.retention ? t('silentFor', { days: a.retention.daysSinceVisit }) : firstWords(answer.comment),
          }),
          h('span', {
            class: 'case-meta',
            text: `${storeName(a.storeId)} · ${departmentName(a.departmentId)} · ${statusName(a.status)}`,
          }),
          h(
            'span',
            { class: 'case-tags' },
            a.status === 'reopened' ? h('span', { class: 'tag tag-reopened', text: t('reopened') }) : null,
            overdue ? h('span', { class: 'tag tag-late', text: t('overdue') }) : null,
            a.escalated ? h('span', { class: 'tag tag-escalated', text: t('escalated') }) : null,
            a.priority === 'high' ? h('span', { class: 'tag tag-high', text: t('high') }) : null,
            h('span', { class: 'sla', text: due }),
          ),
        ),
      ),
    );
  };
  main.replaceChildren(
    inboxNav(locale, 'cases'),
    h('h1', { text: t('title') }),
    filters,
    counts,
    shown.length
      ? h('ol', { class: 'cases', attrs: { 'aria-label': t('title') } }, ...shown.map(item))
      : h('p', { class: 'muted', text: t('noCases') }),
  );
}

// ---- one case ----

const dl = (rows: [string, string | null | undefined][]) =>
  h(
    'dl',
    { class: 'facts' },
    ...rows.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v ?? '' })]),
  );

function slaLine(c: Case) {
  const when = f.relative(c.sla.dueAt, Date.now());
  const text =
    c.sla.state === 'running'
      ? t('sla_running', { when })
      : c.sla.state === 'overdue'
        ? t('sla_overdue', { when })
        : t(`sla_${c.sla.state}`);
  return h(
    'p',
    { class: `sla-clock sla-${c.sla.state}`, attrs: { id: 'sla' } },
    h('strong', { text: `${t('sla')}: ` }),
    text,
    ` (${f.dateTime(c.sla.dueAt)})`,
  );
}

function timelineEntry(e: Case['timeline'][number]) {
  const department = departmentName(e.toDepartmentId ?? e.departmentId ?? '');
  const what =
    e.kind === 'raised'
      ? t('t_raised')
      : e.kind === 'delivered'
        ? t('t_delivered', { department })
        : e.kind === 'escalated'
          ? t('t_escalated', { department })
          : word(`a_${e.action ?? 'acknowledge'}`, { department }, e.action ?? '');
  const closure = e.rootCause
    ? ` · ${categoryName(locale, e.rootCause)} · ${resolutionName(e.resolution ?? '')}`
    : e.outcome
      ? ` · ${outcomeName(e.outcome)}`
      : '';
  return h(
    'li',
    {},
    h('time', { text: f.dateTime(e.at), attrs: { datetime: e.at } }),
    h('span', { text: `${what}${e.by ? ` · ${e.by.name}` : ''}${closure}` }),
    e.note ? h('q', { text: e.note }) : null,
  );
}

/** Numbers shown on this page, by case: recording an outcome redraws the page, and the number stays for the next call. */
const revealed = new Map<string, string>();

/** Step 1: the masked number, and a button that reveals the full one (recorded with the person's name) as a tel: link. */
function callStep(c: Case) {
  const output = h('p', { class: 'phone', attrs: { id: 'phone', 'aria-live': 'polite' } });
  const telLink = (phone: string) => h('a', { class: 'tel', text: phone, attrs: { href: `tel:${phone}` } });
  const known = revealed.get(c.id);
  const button = h('button', { class: 'primary', text: t('reveal'), attrs: { type: 'button', id: 'reveal', hidden: !!known } });
  if (known) output.append(telLink(known));
  button.onclick = async () => {
    button.disabled = true;
    try {
      const { phone } = await post(`/v1/alerts/${encodeURIComponent(c.id)}/contact`, z.object({ phone: str }), {});
      revealed.set(c.id, phone);
      output.replaceChildren(telLink(phone));
      button.hidden = true;
    } catch (error) {
      output.replaceChildren(problem(error));
      button.disabled = false;
    }
  };
  return step(
    'step-call',
    t('call'),
    h('p', { class: 'muted', text: `${t('phone')}: ${c.phoneMasked}` }),
    button,
    output,
    h('p', { class: 'hint', text: t('callHint') }),
  );
}

/** One step of the follow-up: a numbered heading (the list numbers it) and its controls. */
const step = (id: string, title: string, ...children: (Node | null)[]) =>
  h('li', { class: 'step', attrs: { 'aria-labelledby': id } }, h('h3', { text: title, attrs: { id } }), ...children);

type ActionName = 'acknowledge' | 'contacted' | 'unreachable' | 'reassign' | 'resolved';
const allowed: Record<ActionName, string[]> = {
  acknowledge: ['open', 'reopened'],
  contacted: ['open', 'acknowledged', 'unreachable', 'reopened'],
  unreachable: ['open', 'acknowledged', 'contacted', 'reopened'],
  reassign: ['open', 'acknowledged', 'contacted', 'unreachable', 'reopened'],
  resolved: ['open', 'acknowledged', 'contacted', 'unreachable', 'reopened'],
};

/**
 * The follow-up as one short flow: call (reveal the number), record the outcome (contacted or
 * unreachable), close (root cause and resolution, or a retention task's outcome). One note box
 * goes with whichever action is taken, acknowledge and reassign included; each action is still
 * one POST /v1/alerts/{id}/actions.
 */
function followUp(c: Case, reload: () => void) {
  const message = h('p', { attrs: { id: 'action-message', 'aria-live': 'polite' } });
  const can = (a: ActionName) => allowed[a].includes(c.status);
  const buttons: HTMLButtonElement[] = [];
  const note = h('textarea', { attrs: { id: 'note', name: 'note', rows: 3, maxlength: 2000, 'aria-describedby': 'note-hint' } });
  const field = (id: string, label: string, control: HTMLElement, hint?: string) =>
    h(
      'div',
      { class: 'field' },
      h('label', { text: label, attrs: { for: id } }),
      control,
      hint ? h('p', { class: 'hint', text: hint, attrs: { id: `${id}-hint` } }) : null,
    );
  const options = (id: string, items: [string, string][], selected?: string) =>
    h(
      'select',
      { attrs: { id } },
      ...items.map(([v, text]) => h('option', { text, attrs: { value: v, selected: v === selected } })),
    );
  /** A button that posts its action with the note and what `body` adds; `body` answers null when something is missing. */
  const act = (action: ActionName, label: string, style: string, body: () => Record<string, string> | null) => {
    const button = h('button', { class: style, text: label, attrs: { type: 'button', 'data-action': action } });
    buttons.push(button);
    button.onclick = async () => {
      const extra = body();
      if (!extra) return;
      for (const b of buttons) b.disabled = true;
      try {
        const text = note.value.trim();
        await post(`/v1/alerts/${encodeURIComponent(c.id)}/actions`, z.object({ id: str }), {
          action,
          ...(text ? { note: text } : {}),
          ...extra,
        });
        message.textContent = t('saved');
        reload();
      } catch (error) {
        message.replaceChildren(problem(error));
        for (const b of buttons) b.disabled = false;
      }
    };
    return button;
  };
  const missing = (control: HTMLSelectElement, text: string) => {
    control.setAttribute('aria-invalid', 'true');
    message.replaceChildren(h('p', { class: 'error', text, attrs: { role: 'alert' } }));
    control.focus();
    return null;
  };

  const outcomes = (['contacted', 'unreachable'] as const).filter(can);
  const recordStep =
    outcomes.length || can('resolved')
      ? step(
          'step-record',
          t('stepRecord'),
          field('note', t('note'), note, t('noteHint')),
          outcomes.length
            ? h(
                'div',
                { class: 'buttons' },
                ...outcomes.map((a) =>
                  act(a, a === 'contacted' ? t('markContacted') : t('markUnreachable'), 'secondary', () => ({})),
                ),
              )
            : null,
          c.status === 'contacted' || c.status === 'unreachable'
            ? h('p', { class: 'muted', text: t('recorded', { status: statusName(c.status) }) })
            : null,
        )
      : null;

  let closeStep: HTMLElement | null = null;
  if (can('resolved') && c.kind === 'retention') {
    const outcome = options(
      'outcome',
      (['reached', 'booked', 'not_reachable', 'lost'] as const).map((o): [string, string] => [o, outcomeName(o)]),
    );
    closeStep = step(
      'step-close',
      t('closeTask'),
      field('outcome', t('outcome'), outcome),
      act('resolved', t('closeTask'), 'primary', () => ({ outcome: outcome.value })),
    );
  } else if (can('resolved')) {
    // The classifier's first category that is a configured root cause, for the head to confirm or correct.
    const preset = c.categories.find((cat) => boot.closure.rootCauses.includes(cat)) ?? boot.closure.rootCauses.at(-1);
    const rootCause = options(
      'root-cause',
      boot.closure.rootCauses.map((r): [string, string] => [r, categoryName(locale, r)]),
      preset,
    );
    rootCause.setAttribute('aria-describedby', 'root-cause-hint');
    const resolution = options('resolution', [
      ['', '—'],
      ...boot.closure.resolutions.map((r): [string, string] => [r.id, r.name[locale]]),
    ]);
    resolution.onchange = () => resolution.removeAttribute('aria-invalid');
    closeStep = step(
      'step-close',
      t('stepClose'),
      field('root-cause', t('rootCause'), rootCause, t('rootCauseHint')),
      field('resolution', t('resolution'), resolution),
      act('resolved', t('resolve'), 'primary', () =>
        resolution.value
          ? { rootCause: rootCause.value, resolution: resolution.value }
          : missing(resolution, t('chooseResolution')),
      ),
    );
  }

  const others: HTMLElement[] = [];
  if (can('acknowledge')) {
    others.push(
      h(
        'div',
        { class: 'other-action' },
        act('acknowledge', t('acknowledge'), 'secondary', () => ({})),
        h('p', { class: 'hint', text: t('acknowledgeHint') }),
      ),
    );
  }
  if (can('reassign')) {
    const target = options(
      'reassign-department',
      boot.departments.filter((d) => d.id !== c.departmentId).map((d): [string, string] => [d.id, d.name]),
    );
    others.push(
      h(
        'div',
        { class: 'other-action' },
        field('reassign-department', t('toDepartment'), target),
        act('reassign', t('reassign'), 'secondary', () => ({ departmentId: target.value })),
      ),
    );
  }

  return h(
    'section',
    { class: 'card follow-up', attrs: { 'aria-labelledby': 'actions-title', id: 'follow-up' } },
    h('h2', { text: t('actions'), attrs: { id: 'actions-title' } }),
    h('ol', { class: 'flow' }, callStep(c), recordStep, closeStep),
    recordStep ? null : h('p', { class: 'muted', text: t('noActions') }),
    others.length
      ? h(
          'div',
          { class: 'others', attrs: { role: 'group', 'aria-labelledby': 'others-title' } },
          h('h3', { text: t('otherActions'), attrs: { id: 'others-title' } }),
          // The note above goes with these too (why it is handed on).
          ...others,
        )
      : null,
    message,
  );
}

async function caseView(main: HTMLElement, alertId: string) {
  const c = await api(`/v1/alerts/${encodeURIComponent(alertId)}`, caseSchema);
  const amount = c.visit.amount != null ? `${f.two(c.visit.amount)}${c.visit.currency ? ` ${c.visit.currency}` : ''}` : null;
  const section = (id: string, title: string, ...children: (Node | string | null)[]) =>
    h('section', { class: 'card', attrs: { 'aria-labelledby': id } }, h('h2', { text: title, attrs: { id } }), ...children);
  main.replaceChildren(
    h('p', {}, h('a', { text: `← ${t('back')}`, attrs: { href: '/inbox' } })),
    h(
      'h1',
      { attrs: { id: 'case-title' } },
      badge(c),
      ` ${storeName(c.storeId)} · ${c.outcome ? outcomeName(c.outcome) : statusName(c.status)}`,
    ),
    slaLine(c),
    ...(c.reopened
      ? [
          section(
            'reopened-title',
            t('reopenedTitle'),
            h('p', { class: 'muted', text: t('reopenedHint', { when: f.dateTime(c.reopened.at) }) }),
            badge(latestAnswer(c)),
            c.reopened.comment
              ? h('blockquote', { class: 'words', text: c.reopened.comment })
              : h('p', { class: 'muted', text: t('noComment') }),
          ),
        ]
      : []),
    c.retention
      ? section(
          'retention-title',
          t('retentionTitle'),
          h('p', { class: 'muted', text: t('retentionHint') }),
          dl([
            [t('lastVisit'), f.dateTime(c.retention.lastVisitAt)],
            [t('daysSinceVisit'), String(c.retention.daysSinceVisit)],
            [t('visits'), String(c.retention.visits)],
            [t('spend'), f.two(c.retention.spend)],
            [t('wonBack'), c.retention.wonBackAt ? f.dateTime(c.retention.wonBackAt) : null],
          ]),
        )
      : section(
          'words-title',
          t('customerWords'),
          c.comment ? h('blockquote', { class: 'words', text: c.comment }) : h('p', { class: 'muted', text: t('noComment') }),
          c.categories.length
            ? h(
                'p',
                { class: 'case-tags' },
                ...c.categories.map((cat) => h('span', { class: 'tag', text: categoryName(locale, cat) })),
              )
            : null,
        ),
    followUp(c, () => void show()),
    section(
      'visit-title',
      t('visit'),
      dl([
        [t('store'), storeName(c.visit.storeId)],
        [t('department'), departmentName(c.departmentId)],
        [t('advisor'), c.visit.advisorId],
        [t('technician'), c.visit.technicianId],
        [t('serviceType'), serviceName(c.visit.serviceType)],
        [t('visitDate'), c.visit.visitDate],
        [t('amount'), amount],
        // The customer's RFM segment when the case was raised: high-value ones are due sooner.
        [t('segment'), segmentOf(c.segment)],
      ]),
    ),
    section(
      'history-title',
      t('history'),
      c.history.length
        ? h(
            'ul',
            { class: 'history' },
            ...c.history.map((s) =>
              h(
                'li',
                {},
                h('span', { text: `${s.visitDate} · ${storeName(s.storeId)} · ${surveyName(s.surveyType)} ${s.score ?? '–'}` }),
                s.comment ? h('q', { text: s.comment }) : null,
                ...s.alerts.map((a) =>
                  h('span', { class: 'tag', text: `${departmentName(a.departmentId)} · ${statusName(a.status)}` }),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted', text: t('noHistory') }),
    ),
    section(
      'timeline-title',
      t('timeline'),
      h('ol', { class: 'timeline', attrs: { id: 'timeline' } }, ...c.timeline.map(timelineEntry)),
    ),
  );
}

/** What the call-back pages (callbacks.ts) take from this one: the session's API, names and formats. */
const callbackContext = (): CallbackPageContext => ({
  locale,
  f,
  api: (path, schema) => api(path, schema),
  post: (path, schema, body) => post(path, schema, body),
  storeName,
  serviceName,
  problem,
  reload: () => void show(),
});

async function show() {
  t = inboxTranslator(locale);
  f = formats(locale);
  document.documentElement.lang = locale;
  const match = /^\/inbox\/alerts\/([^/]+)$/.exec(location.pathname);
  const callTask = /^\/inbox\/callbacks\/([^/]+)$/.exec(location.pathname);
  document.title = `${t('title')} · ${boot.brand}`;
  const main = h(
    'main',
    { attrs: { id: 'main' } },
    h('p', { class: 'muted', text: t('loading'), attrs: { 'aria-busy': 'true' } }),
  );
  root.replaceChildren(header(), main);
  try {
    if (match?.[1]) await caseView(main, decodeURIComponent(match[1]));
    else if (callTask?.[1]) await callTaskView(main, decodeURIComponent(callTask[1]), callbackContext());
    else if (location.pathname === '/inbox/callbacks') await callbacksView(main, callbackContext());
    else await inboxView(main);
  } catch (error) {
    // A 401 after a fresh token: the session is already sending the person to sign in.
    if (error instanceof ApiError && error.status === 401) return;
    main.replaceChildren(
      problem(error),
      h('button', { class: 'secondary', text: t('retry'), attrs: { type: 'button' }, on: { click: () => void show() } }),
    );
    if (!(error instanceof ApiError)) console.error(error);
  }
}

void loadSignInClient()
  .then((client) => Session.start(client))
  .then((started) => {
    session = started;
    return show();
  });
