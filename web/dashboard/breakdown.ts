/** The selected score by store, department, advisor or service type, with margin of error and sample size. */
import { filterQuery } from './context.ts';
import { scoresOverRange } from './data.ts';
import { h } from './dom.ts';
import { type Figure, figureOf, sumBy } from './figures.ts';
import { breakdownAllowed, dimensions } from './filters.ts';
import { card, emptyNotice, type Panel } from './panel.ts';
import { mixBar, moeText, scoreText, statusPill } from './score-view.ts';

type SortKey = 'name' | 'score' | 'responses';

/** Scores first, best on top; rows without enough data after them, by sample size. */
function compare(sort: SortKey, descending: boolean) {
  return (a: { name: string; figure: Figure }, b: { name: string; figure: Figure }) => {
    const sign = descending ? -1 : 1;
    if (sort === 'name') return sign * a.name.localeCompare(b.name);
    if (sort === 'responses') return sign * (a.figure.responses - b.figure.responses);
    if (a.figure.enoughData !== b.figure.enoughData) return a.figure.enoughData ? -1 : 1;
    if (!a.figure.enoughData) return b.figure.responses - a.figure.responses;
    return sign * (a.figure.score - b.figure.score);
  };
}

export function breakdownPanel(): Panel {
  const title = h('h2');
  const select = h('select', { attrs: { id: 'breakdown-by' } });
  const label = h('label', { class: 'inline-field', attrs: { for: 'breakdown-by' } });
  const { element, body } = card('breakdown', h('div', { class: 'card-head' }, title, label, select));
  let sort: SortKey = 'score';
  let descending = true;
  let redraw: (() => void) | undefined;
  const panel: Panel = {
    element,
    key: (s) => JSON.stringify([s.metric, s.from, s.to, s.breakdown, filterQuery(s.filters)]),
    sync(ctx) {
      for (const row of body.querySelectorAll<HTMLTableRowElement>('tbody tr')) {
        const drill = ctx.state.drill;
        row.classList.toggle('selected', drill?.dimension === ctx.state.breakdown && drill.value === row.dataset.group);
      }
    },
    async load(ctx, signal) {
      const { metric, breakdown, filters } = ctx.state;
      title.textContent = ctx.t('breakdown', { metric: ctx.t(`metric_${metric}`) });
      label.textContent = ctx.t('breakdownBy');
      select.replaceChildren(
        ...dimensions.map((d) =>
          h('option', {
            text: ctx.t(d),
            attrs: {
              value: d,
              selected: d === breakdown,
              disabled: !breakdownAllowed(d, filters),
              title: breakdownAllowed(d, filters) ? undefined : ctx.t('combineHint'),
            },
          }),
        ),
      );
      select.onchange = () =>
        ctx.update({ breakdown: dimensions.find((d) => d === select.value) ?? breakdown, drill: undefined });

      const buckets = await scoresOverRange(ctx, metric, breakdown, signal);
      const rows = [...sumBy(metric, buckets, (b) => b.group)].map(([group, counters]) => ({
        group,
        name: ctx.name(breakdown, group),
        figure: figureOf(metric, counters, ctx.boot.minResponses),
      }));
      if (rows.length === 0) {
        body.replaceChildren(emptyNotice(ctx.t('noData')));
        return;
      }
      redraw = () => {
        const header = (key: SortKey | undefined, text: string, cls = '') => {
          const th = h('th', { attrs: { scope: 'col' }, class: cls });
          if (!key) {
            th.textContent = text;
            return th;
          }
          th.setAttribute('aria-sort', sort === key ? (descending ? 'descending' : 'ascending') : 'none');
          th.append(
            h('button', {
              class: 'sort',
              text,
              attrs: { type: 'button' },
              on: {
                click: () => {
                  descending = sort === key ? !descending : key !== 'name';
                  sort = key;
                  redraw?.();
                },
              },
            }),
          );
          return th;
        };
        const counts = (f: Figure) =>
          `${ctx.t(`good_${metric}`)} ${ctx.f.integer(f.good)} · ${ctx.t(`neutral_${metric}`)} ${ctx.f.integer(f.neutral)} · ${ctx.t(`bad_${metric}`)} ${ctx.f.integer(f.bad)}`;
        const table = h(
          'table',
          { class: 'breakdown-table', attrs: { 'aria-labelledby': 'breakdown-title' } },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              header('name', ctx.t(breakdown)),
              header('score', ctx.t('score'), 'num'),
              header(undefined, ctx.t('moeShort'), 'num'),
              header('responses', ctx.t('responses'), 'num'),
              header(undefined, ctx.t('mix'), 'mix-col'),
              header(undefined, ctx.t('status')),
            ),
          ),
          h(
            'tbody',
            {},
            ...[...rows].sort(compare(sort, descending)).map(({ group, name, figure }) => {
              const open = () => {
                ctx.update({ drill: { dimension: breakdown, value: group } });
                const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
                document.getElementById('verbatims')?.scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'start' });
                document.getElementById('verbatims-title')?.focus({ preventScroll: true });
              };
              const tr = h(
                'tr',
                {
                  attrs: { 'data-group': group },
                  on: { click: (e) => (e.target instanceof Element && e.target.closest('button')) || open() },
                },
                h(
                  'th',
                  { attrs: { scope: 'row' } },
                  h('button', {
                    class: 'drill',
                    text: name,
                    attrs: { type: 'button', title: ctx.t('openVerbatims', { name }) },
                    on: { click: open },
                  }),
                ),
                h('td', {
                  class: `num score ${figure.enoughData ? '' : 'muted'}`,
                  text: figure.enoughData ? scoreText(ctx, metric, figure.score) : ctx.t('notEnoughData'),
                }),
                h('td', { class: 'num muted', text: figure.enoughData ? moeText(ctx, figure) : '–' }),
                h('td', { class: 'num', text: ctx.f.integer(figure.responses) }),
                h('td', { class: 'mix-col', attrs: { title: counts(figure) } }, mixBar(ctx, metric, figure)),
                h('td', {}, statusPill(ctx, metric, figure)),
              );
              return tr;
            }),
          ),
        );
        body.replaceChildren(h('div', { class: 'table-scroll' }, table));
        panel.sync?.(ctx);
      };
      redraw();
    },
  };
  return panel;
}
