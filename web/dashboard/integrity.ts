/**
 * Integrity signals beside the score: per store, drilled to its advisors, and an advisor's
 * flagged answers with the customers' words. Signals, never verdicts: every answer still counts.
 */
import { type IntegrityGroup, integritySchema, responsesSchema } from './api.ts';
import type { Context } from './context.ts';
import { h } from './dom.ts';
import { isMessageKey, type MessageKey } from './i18n.ts';
import { card, emptyNotice, type Panel } from './panel.ts';

/** A signal's or flag's words in the page's language; one newer than this page shows as the API gives it. */
const named = (ctx: Context, key: string, fallback: string) => (isMessageKey(key) ? ctx.t(key) : fallback);

/** Day buckets are exact for any range; beyond two months, month buckets keep the reads few. */
const granularityFor = (from: string, to: string) => (Date.parse(to) - Date.parse(from) <= 62 * 86_400_000 ? 'day' : 'month');

export function integrityPanel(): Panel {
  const title = h('h2');
  const { element, body } = card('integrity', title);
  let drillStore: string | undefined;
  let load: (ctx: Context, signal: AbortSignal) => Promise<void> = async () => {};

  load = async (ctx, signal) => {
    const { from, to, filters } = ctx.state;
    title.textContent = ctx.t('integrity');
    const storeId = drillStore ?? filters.store;
    const query = {
      from,
      to,
      granularity: granularityFor(from, to),
      groupBy: storeId ? 'advisor' : 'store',
      ...(storeId ? { storeId } : {}),
      ...(filters.department ? { departmentId: filters.department } : {}),
    };
    const result = await ctx.get('v1/integrity', query, integritySchema, signal);
    const pct = ctx.f.percent;
    const back = drillStore
      ? h('button', {
          class: 'link',
          text: ctx.t('integrityBack'),
          attrs: { type: 'button' },
          on: {
            click: () => {
              drillStore = undefined;
              void load(ctx, signal);
            },
          },
        })
      : null;
    const words = h('div', { class: 'integrity-words', attrs: { 'aria-live': 'polite' } });
    if (result.groups.length === 0) {
      body.replaceChildren(...[back, emptyNotice(ctx.t('noData'))].filter((e) => e !== null));
      return;
    }
    const testCell = (test: IntegrityGroup['topScores']['test'], share: number) =>
      h(
        'td',
        { class: `num${test.fired ? ' warn' : ''}`, attrs: { title: test.why } },
        h('span', { text: pct(share) }),
        h('small', { text: ` / ${pct(Math.round(test.peers.share * 1000) / 10)}` }),
        h('small', { class: 'p-value', text: test.pValue === null ? ` ${ctx.t('integrityNotTested')}` : ` p=${test.pValue}` }),
      );
    const dimension = result.groupBy === 'store' ? 'store' : 'advisor';
    const rows = result.groups.map((g) => {
      const name = ctx.name(dimension, g.group);
      const open = () => {
        if (result.groupBy === 'store') {
          drillStore = g.group;
          void load(ctx, signal);
        } else void showWords(ctx, words, storeId, g.group, signal);
      };
      return h(
        'tr',
        { class: g.signals.length ? 'has-signal' : '' },
        h(
          'th',
          { attrs: { scope: 'row' } },
          h('button', { class: 'link', text: name, attrs: { type: 'button', 'data-group': g.group }, on: { click: open } }),
        ),
        h('td', { class: 'num', text: ctx.f.integer(g.visits) }),
        h('td', { class: 'num', text: pct(g.coverage) }),
        h('td', {
          class: `num${g.contact.test.fired ? ' warn' : ''}`,
          text: pct(g.contact.share),
          attrs: {
            title: `${ctx.t('integrityContactDetail', {
              none: g.contact.noPhone,
              invalid: g.contact.invalidPhone,
              shared: g.contact.sharedPhone,
              staff: g.contact.staffPhone,
            })} · ${g.contact.test.why}`,
          },
        }),
        h('td', { class: `num${g.answers.fast ? ' warn' : ''}`, text: `${g.answers.fast} / ${g.answers.web}` }),
        h('td', { class: `num${g.answers.storeNetwork ? ' warn' : ''}`, text: ctx.f.integer(g.answers.storeNetwork) }),
        h('td', { class: `num${g.answers.sharedDevice ? ' warn' : ''}`, text: ctx.f.integer(g.answers.sharedDevice) }),
        testCell(g.topScores.test, g.topScores.share),
        h('td', { class: 'num', text: `${ctx.f.integer(g.answers.flagged)} / ${ctx.f.integer(g.answers.responses)}` }),
        h('td', {
          class: 'signals',
          text: g.signals.map((s) => named(ctx, `signal_${s.signal}`, s.why)).join('; ') || '–',
          attrs: g.signals.length ? { title: g.signals.map((s) => s.why).join('; ') } : {},
        }),
      );
    });
    const headers: MessageKey[] = [
      dimension,
      'visits',
      'integrityCoverage',
      'integrityContact',
      'integrityFast',
      'integrityNetwork',
      'integrityDevice',
      'integrityTop',
      'integrityFlagged',
      'integritySignals',
    ];
    body.replaceChildren(
      h('p', { class: 'hint', text: ctx.t('integrityHint', { brand: pct(result.brand.contactShare) }) }),
      ...(back ? [back] : []),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'integrity-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...headers.map((key, i) => h('th', { text: ctx.t(key), attrs: { scope: 'col' }, class: i ? 'num' : '' })),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
      words,
    );
  };

  return {
    element,
    key: (s) => JSON.stringify([s.from, s.to, s.filters.store, s.filters.department, s.metric]),
    load: (ctx, signal) => {
      drillStore = undefined;
      return load(ctx, signal);
    },
  };
}

/** An advisor's flagged answers, newest first, with the flags and the customers' words. */
async function showWords(ctx: Context, into: HTMLElement, storeId: string | undefined, advisorId: string, signal: AbortSignal) {
  const { from, to, metric } = ctx.state;
  const page = await ctx.get(
    'v1/responses',
    { metric, from, to, advisorId, flagged: 'true', limit: '20', ...(storeId ? { storeId } : {}) },
    responsesSchema,
    signal,
  );
  into.replaceChildren(
    h('h3', { text: ctx.t('integrityWords', { advisor: ctx.name('advisor', advisorId) }) }),
    page.responses.length === 0
      ? emptyNotice(ctx.t('integrityNoFlagged'))
      : h(
          'ul',
          { class: 'integrity-answers' },
          ...page.responses.map((r) =>
            h(
              'li',
              {},
              h('strong', { text: String(r.score) }),
              h('span', { class: 'flags', text: ` ${(r.flags ?? []).map((f) => named(ctx, `flag_${f}`, f)).join(' · ')}` }),
              h('span', { text: ` · ${r.visitDate}` }),
              r.comment ? h('q', { text: r.comment }) : null,
            ),
          ),
        ),
  );
}
