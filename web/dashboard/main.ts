/**
 * The CX dashboard in the browser: plain DOM and Chart.js, no framework. The static page
 * (web/build.ts) carries the display names and targets; this script reads the sign-in client
 * from /sign-in.json, signs the viewer in (web/auth/session.ts) and reads the API as them.
 */
import type { Locale } from '#shared/config/schema.ts';
import { loadSignInClient, Session } from '#web/auth/session.ts';
import { ApiError, getJson } from './api.ts';
import { readBootstrap } from './bootstrap.ts';
import { breakdownPanel } from './breakdown.ts';
import { closedLoopPanel } from './closed-loop.ts';
import { type Context, isAbort, isForbidden, isUnauthorized, namer, type ViewState } from './context.ts';
import { byId, h } from './dom.ts';
import { allowedBreakdown, answerableFilters, type Dimension, dimensions, filterAllowed } from './filters.ts';
import { funnelPanel } from './funnel.ts';
import { integrityPanel } from './integrity.ts';
import { retentionPanel } from './retention.ts';
import { formats, localeNames, locales, pickLocale, translator } from './i18n.ts';
import { failureNotice, type Panel } from './panel.ts';
import { localDate, type Preset, presetRange, presets, rangeProblem } from './ranges.ts';
import { stateFromHash, stateToHash } from './state.ts';
import { tilesPanel } from './tiles.ts';
import { trendPanel } from './trend.ts';
import { verbatimsPanel } from './verbatims.ts';

const LOCALE_KEY = 'closedloop-locale';

const boot = readBootstrap(document);
const root = byId('app');
let locale: Locale = pickLocale(localStorage.getItem(LOCALE_KEY), navigator.languages, boot.defaultLocale);
let state: ViewState = stateFromHash(location.hash, localDate(new Date()));
let session: Session;

let ctx: Context;
let panels: Panel[] = [];
const loadedKeys = new Map<Panel, string>();
const running = new Map<Panel, AbortController>();
let syncFilters: () => void = () => {};
let stamp: HTMLElement | undefined;

function makeContext(): Context {
  const t = translator(locale);
  return {
    boot,
    locale,
    t,
    f: formats(locale),
    get state() {
      return state;
    },
    update,
    get: (path, query, schema, signal) => getJson(path, query, schema, (input, init) => session.fetch(input, init), signal),
    name: namer(boot, locale, t),
  };
}

function update(change: Partial<ViewState>) {
  const next = { ...state, ...change };
  next.filters = answerableFilters(next.filters);
  next.breakdown = allowedBreakdown(next.breakdown, next.filters);
  state = next;
  history.replaceState(null, '', `#${stateToHash(state)}`);
  syncFilters();
  refresh(false);
}

/** Loads every panel whose inputs changed (all of them when forced), each on its own, abandoning older loads. */
function refresh(force: boolean) {
  const problem = rangeProblem(state.from, state.to);
  const message = document.getElementById('range-message');
  if (message) message.textContent = problem ? ctx.t(`range_${problem}`) : '';
  if (problem) return;
  for (const panel of panels) {
    panel.sync?.(ctx);
    const key = panel.key(state);
    if (!force && loadedKeys.get(panel) === key) continue;
    loadedKeys.set(panel, key);
    void run(panel);
  }
}

async function run(panel: Panel) {
  running.get(panel)?.abort();
  const controller = new AbortController();
  running.set(panel, controller);
  panel.element.setAttribute('aria-busy', 'true');
  try {
    await panel.load(ctx, controller.signal);
    if (stamp) stamp.textContent = ctx.t('updated', { time: ctx.f.time(new Date()) });
  } catch (error) {
    if (isAbort(error) || controller.signal.aborted) return;
    // The session has already tried a fresh token and is sending the viewer to sign in again.
    if (isUnauthorized(error)) return;
    const message = error instanceof Error ? error.message : String(error);
    const body = panel.element.querySelector('.card-body') ?? panel.element;
    loadedKeys.delete(panel);
    body.replaceChildren(
      failureNotice(
        isForbidden(error) ? ctx.t('forbidden', { message }) : ctx.t('failed', { message }),
        () => void run(panel),
        ctx.t('retry'),
      ),
    );
    if (!(error instanceof ApiError)) console.error(error);
  } finally {
    if (running.get(panel) === controller) {
      running.delete(panel);
      panel.element.removeAttribute('aria-busy');
    }
  }
}

function header(): HTMLElement {
  const language = h(
    'select',
    { attrs: { id: 'locale', 'aria-label': ctx.t('language') } },
    ...locales.map((l) => h('option', { text: localeNames[l], attrs: { value: l, selected: l === locale, lang: l } })),
  );
  language.onchange = () => {
    locale = language.value === 'en' ? 'en' : 'zh-CN';
    localStorage.setItem(LOCALE_KEY, locale);
    render();
    byId('locale').focus();
  };
  return h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'brand' },
      h('span', { class: 'logo', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'brand-name', text: boot.brand }),
      h('span', { class: 'brand-title', text: ctx.t('title') }),
    ),
    h(
      'div',
      { class: 'top-actions' },
      h('span', { class: 'stamp', attrs: { 'aria-live': 'polite' } }),
      h('button', {
        class: 'ghost',
        text: ctx.t('refresh'),
        attrs: { type: 'button', id: 'refresh' },
        on: { click: () => refresh(true) },
      }),
      h('label', { class: 'language' }, h('span', { class: 'visually-hidden', text: ctx.t('language') }), language),
      h('span', { class: 'person', text: session.name, attrs: { id: 'person' } }),
      h('button', {
        class: 'ghost',
        text: ctx.t('signOut'),
        attrs: { type: 'button', id: 'sign-out' },
        on: { click: () => void session.signOut('/') },
      }),
    ),
  );
}

function filterBar(): HTMLElement {
  const t = ctx.t;
  const field = (id: string, label: string, control: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { text: label, attrs: { for: id } }), control);
  const select = (id: string, options: [string, string][]) =>
    h('select', { attrs: { id } }, ...options.map(([value, text]) => h('option', { text, attrs: { value } })));

  const preset = select('preset', [
    ...presets.map((p): [string, string] => [p, t(`preset_${p}`)]),
    ['custom', t('preset_custom')],
  ]);
  const from = h('input', { attrs: { id: 'from', type: 'date', required: true } });
  const to = h('input', { attrs: { id: 'to', type: 'date', required: true } });
  const granularity = select(
    'granularity',
    (['day', 'week', 'month'] as const).map((g) => [g, t(`granularity_${g}`)]),
  );
  const all: [string, string] = ['', t('all')];
  const controls: Record<Dimension, HTMLInputElement | HTMLSelectElement> = {
    store: select('filter-store', [all, ...boot.stores.map((s): [string, string] => [s.id, s.name])]),
    department: select('filter-department', [all, ...boot.departments.map((d): [string, string] => [d.id, d.name])]),
    advisor: h('input', {
      attrs: { id: 'filter-advisor', type: 'search', placeholder: t('advisorPlaceholder'), maxlength: 64, autocomplete: 'off' },
    }),
    serviceType: select('filter-serviceType', [
      all,
      ...boot.serviceTypes.map((s): [string, string] => [s.id, `${ctx.name('serviceType', s.id)} · ${t(`metric_${s.survey}`)}`]),
    ]),
  };
  const hint = h('p', { class: 'hint', attrs: { id: 'combine-hint' } });
  const clear = h('button', {
    class: 'link',
    text: t('clearFilters'),
    attrs: { type: 'button' },
    on: { click: () => update({ filters: {}, drill: undefined }) },
  });

  preset.onchange = () => {
    const value = presets.find((p) => p === preset.value);
    update(
      value ? { preset: value, ...presetRange(value as Preset, localDate(new Date())), drill: undefined } : { preset: 'custom' },
    );
  };
  const dates = () => update({ preset: 'custom', from: from.value, to: to.value, drill: undefined });
  from.onchange = dates;
  to.onchange = dates;
  granularity.onchange = () =>
    update({ granularity: granularity.value === 'day' ? 'day' : granularity.value === 'month' ? 'month' : 'week' });
  for (const d of dimensions) {
    controls[d].onchange = () =>
      update({ filters: { ...state.filters, [d]: controls[d].value.trim() || undefined }, drill: undefined });
  }

  syncFilters = () => {
    preset.value = state.preset;
    from.value = state.from;
    to.value = state.to;
    from.max = state.to;
    to.min = state.from;
    granularity.value = state.granularity;
    let blocked = false;
    for (const d of dimensions) {
      const control = controls[d];
      control.value = state.filters[d] ?? '';
      const others = { ...state.filters, [d]: undefined };
      const allowed = filterAllowed(d, others);
      control.disabled = !allowed;
      control.title = allowed ? '' : t('combineHint');
      if (!allowed) blocked = true;
      control.setAttribute('aria-describedby', 'combine-hint');
    }
    hint.textContent = blocked ? t('combineHint') : '';
    clear.hidden = Object.values(state.filters).every((v) => !v);
  };

  return h(
    'form',
    { class: 'filters', attrs: { 'aria-label': t('filters') }, on: { submit: (e) => e.preventDefault() } },
    h(
      'div',
      { class: 'filter-row' },
      field('preset', t('range'), preset),
      field('from', t('from'), from),
      field('to', t('to'), to),
      field('granularity', t('granularity'), granularity),
      field('filter-store', t('store'), controls.store),
      field('filter-department', t('department'), controls.department),
      field('filter-serviceType', t('serviceType'), controls.serviceType),
      field('filter-advisor', t('advisor'), controls.advisor),
      h('div', { class: 'field field-end' }, clear),
    ),
    hint,
    h('p', { class: 'error', attrs: { id: 'range-message', role: 'alert' } }),
  );
}

function render() {
  ctx = makeContext();
  document.documentElement.lang = locale;
  document.title = `${ctx.t('title')} · ${boot.brand}`;
  for (const controller of running.values()) controller.abort();
  running.clear();
  loadedKeys.clear();
  panels = [
    tilesPanel(),
    trendPanel(),
    breakdownPanel(),
    verbatimsPanel(),
    funnelPanel(),
    closedLoopPanel(),
    retentionPanel(),
    integrityPanel(),
  ];
  const [tiles, trend, breakdown, verbatims, funnel, loop, retention, integrity] = panels.map((p) => p.element);
  const top = header();
  root.replaceChildren(
    // Not a plain #main link: the address's hash holds the view state.
    h('a', {
      class: 'skip',
      text: ctx.t('skipToContent'),
      attrs: { href: '#main' },
      on: {
        click: (event) => {
          event.preventDefault();
          byId('main').focus();
        },
      },
    }),
    top,
    filterBar(),
    h(
      'main',
      { attrs: { id: 'main', tabindex: '-1' } },
      tiles,
      trend,
      h('div', { class: 'grid-2 wide-left' }, breakdown ?? '', verbatims ?? ''),
      h('div', { class: 'grid-2' }, funnel ?? '', loop ?? ''),
      retention ?? '',
      integrity ?? '',
      h('p', { class: 'footnote', text: ctx.t('footer') }),
    ),
  );
  stamp = top.querySelector<HTMLElement>('.stamp') ?? undefined;
  state = { ...state, filters: answerableFilters(state.filters) };
  state.breakdown = allowedBreakdown(state.breakdown, state.filters);
  syncFilters();
  refresh(true);
}

// Signed in first (or sent to sign in, coming back here): the page shows nothing of the API before.
void loadSignInClient()
  .then((client) => Session.start(client))
  .then((started) => {
    session = started;
    render();
  });
