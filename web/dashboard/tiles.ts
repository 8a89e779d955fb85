/** The three score tiles: NPS, CSAT and CES over the whole range, against their targets; a click picks the metric. */
import type { SurveyType } from '#shared/config/schema.ts';
import { emptyCounters } from '#shared/domain/scoring.ts';
import { metrics, type ScoreBucket } from './api.ts';
import { type Context, filterQuery } from './context.ts';
import { scoresOverRange } from './data.ts';
import { h } from './dom.ts';
import { type Figure, figureOf, ragOf, sumBy } from './figures.ts';
import type { Panel } from './panel.ts';
import { previousRange } from './ranges.ts';
import { mixBar, moeText, scoreText, statusPill, targetText } from './score-view.ts';

const total = (ctx: Context, metric: SurveyType, buckets: ScoreBucket[]): Figure =>
  figureOf(metric, sumBy(metric, buckets, () => 'all').get('all') ?? emptyCounters(), ctx.boot.minResponses);

/** The change against the previous period of the same length, when both have enough answers to compare. */
function delta(ctx: Context, metric: SurveyType, now: Figure, before: Figure | undefined): HTMLElement | null {
  if (!before?.enoughData || !now.enoughData) return null;
  const change = Math.round((now.score - before.score) * (metric === 'ces' ? 100 : 10)) / (metric === 'ces' ? 100 : 10);
  const text =
    change === 0
      ? '±0'
      : `${change > 0 ? '▲' : '▼'} ${metric === 'ces' ? ctx.f.two(Math.abs(change)) : ctx.f.one(Math.abs(change))}`;
  return h('span', {
    class: `delta ${change > 0 ? 'up' : change < 0 ? 'down' : ''}`,
    text: `${text} ${ctx.t('vsPrevious')}`,
    attrs: { title: ctx.t('previousWas', { score: scoreText(ctx, metric, before.score), n: ctx.f.integer(before.responses) }) },
  });
}

export function tilesPanel(): Panel {
  const element = h('section', { class: 'tiles', attrs: { 'aria-label': 'NPS · CSAT · CES', id: 'tiles' } });
  return {
    element,
    key: (s) => JSON.stringify([s.from, s.to, filterQuery(s.filters)]),
    sync(ctx) {
      for (const tile of element.querySelectorAll('.tile')) {
        tile.setAttribute('aria-pressed', String(tile.getAttribute('data-metric') === ctx.state.metric));
      }
    },
    async load(ctx, signal) {
      const previous = previousRange(ctx.state.from, ctx.state.to);
      const [current, before, unflagged] = await Promise.all([
        Promise.allSettled(metrics.map((metric) => scoresOverRange(ctx, metric, 'none', signal))),
        // The comparison is a nicety: without it the tiles still show.
        Promise.allSettled(metrics.map((metric) => scoresOverRange(ctx, metric, 'none', signal, previous))),
        // The same range without flagged answers, shown beside the score when any were flagged.
        Promise.allSettled(
          metrics.map((metric) => scoresOverRange(ctx, metric, 'none', signal, ctx.state, { excludeFlagged: 'true' })),
        ),
      ]);
      const firstFailure = current.find((r) => r.status === 'rejected');
      if (firstFailure && current.every((r) => r.status === 'rejected')) throw firstFailure.reason;
      element.replaceChildren(
        ...metrics.map((metric, i) => {
          const result = current[i];
          const earlier = before[i];
          const button = h('button', {
            class: 'tile',
            attrs: {
              type: 'button',
              'aria-pressed': String(ctx.state.metric === metric),
              'data-metric': metric,
              title: ctx.t('showMetric', { metric: ctx.t(`metric_${metric}`) }),
            },
            on: { click: () => ctx.update({ metric, drill: undefined }) },
          });
          const head = h('span', { class: 'tile-head' }, h('span', { class: 'tile-name', text: ctx.t(`metric_${metric}`) }));
          const long = h('span', { class: 'tile-long', text: ctx.t(`metricLong_${metric}`) });
          if (!result || result.status === 'rejected') {
            button.append(head, long, h('span', { class: 'tile-error', text: String(result?.reason?.message ?? '') }));
            return button;
          }
          const figure = total(ctx, metric, result.value);
          const clean = unflagged[i];
          const withoutFlagged = clean?.status === 'fulfilled' ? total(ctx, metric, clean.value) : undefined;
          head.append(statusPill(ctx, metric, figure));
          if (figure.enoughData) button.classList.add(`rag-${ragOf(metric, figure.score, ctx.boot.targets)}`);
          button.append(
            head,
            long,
            h(
              'span',
              { class: 'tile-value' },
              figure.enoughData
                ? h('span', { class: 'value', text: scoreText(ctx, metric, figure.score) })
                : h('span', { class: 'value value-none', text: figure.responses ? ctx.t('notEnoughData') : '–' }),
              figure.enoughData && figure.marginOfError !== undefined
                ? h('span', {
                    class: 'moe',
                    text: moeText(ctx, figure),
                    attrs: { title: ctx.t('marginOfError', { moe: ctx.f.one(figure.marginOfError) }) },
                  })
                : null,
              delta(ctx, metric, figure, earlier?.status === 'fulfilled' ? total(ctx, metric, earlier.value) : undefined),
            ),
            ...(withoutFlagged && withoutFlagged.responses < figure.responses
              ? [
                  h('span', {
                    class: 'tile-unflagged',
                    text: ctx.t('withoutFlagged', {
                      score: withoutFlagged.enoughData ? scoreText(ctx, metric, withoutFlagged.score) : ctx.t('notEnoughData'),
                    }),
                    attrs: { title: ctx.t('answers', { n: ctx.f.integer(withoutFlagged.responses) }) },
                  }),
                ]
              : []),
            figure.responses > 0 ? mixBar(ctx, metric, figure) : h('span', { class: 'mix mix-empty' }),
            h(
              'span',
              { class: 'tile-foot' },
              h('span', { class: 'answers', text: ctx.t('answers', { n: ctx.f.integer(figure.responses) }) }),
              h('span', { text: targetText(ctx, metric) }),
            ),
          );
          return button;
        }),
      );
    },
  };
}
