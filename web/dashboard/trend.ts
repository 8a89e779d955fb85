/** The selected score over time, per day, week or month, with its targets and the answers behind each point. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { SurveyType } from '#shared/config/schema.ts';
import { scales } from '#shared/domain/scoring.ts';
import { scoresSchema } from './api.ts';
import { type Context, filterQuery } from './context.ts';
import { h } from './dom.ts';
import { countersOf, figureOf, ragOf } from './figures.ts';
import { card, emptyNotice, type Panel } from './panel.ts';
import { edgesArePartial } from './ranges.ts';
import { scoreText } from './score-view.ts';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, CategoryScale, Tooltip, Legend);

const colors = {
  green: '#15803d',
  amber: '#c2410c',
  red: '#b91c1c',
  line: '#1d4ed8',
  bars: '#cbd5e1',
  grid: '#e2e8f0',
  ink: '#334155',
};

/** A period as the viewer reads it: 2026-11-20 → 11/20, 2026-W47 → W47, 2026-11 → Nov 2026. */
function periodLabel(ctx: Context, period: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(period)) {
    return new Intl.DateTimeFormat(ctx.locale, { month: 'numeric', day: 'numeric', timeZone: 'UTC' }).format(
      new Date(`${period}T00:00:00Z`),
    );
  }
  if (/^\d{4}-\d{2}$/.test(period)) {
    return new Intl.DateTimeFormat(ctx.locale, { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(
      new Date(`${period}-01T00:00:00Z`),
    );
  }
  return period.replace(/^\d{4}-/, '');
}

/** Axis bounds that show the data and both targets, within the survey's own scale. */
function axisBounds(metric: SurveyType, values: number[], targets: { green: number; amber: number }) {
  const [lo, hi] = metric === 'nps' ? [-100, 100] : metric === 'csat' ? [0, 100] : [scales.ces.min, scales.ces.max];
  const step = metric === 'ces' ? 0.5 : metric === 'nps' ? 20 : 10;
  const all = [...values, targets.green, targets.amber];
  return {
    step,
    min: Math.max(lo, Math.floor((Math.min(...all) - step / 2) / step) * step),
    max: Math.min(hi, Math.ceil((Math.max(...all) + step / 2) / step) * step),
  };
}

export function trendPanel(): Panel {
  const title = h('h2');
  const note = h('p', { class: 'note' });
  const { element, body } = card('trend', title, note);
  let chart: Chart | undefined;
  return {
    element,
    key: (s) => JSON.stringify([s.metric, s.from, s.to, s.granularity, filterQuery(s.filters)]),
    async load(ctx, signal) {
      const { metric, from, to, granularity, filters } = ctx.state;
      const answer = await ctx.get(
        'v1/scores',
        { metric, from, to, granularity, groupBy: 'none', ...filterQuery(filters) },
        scoresSchema,
        signal,
      );
      title.textContent = `${ctx.t('trend', { metric: ctx.t(`metric_${metric}`) })} · ${ctx.t(`trendBy_${granularity}`)}`;
      chart?.destroy();
      chart = undefined;
      const buckets = answer.buckets;
      if (buckets.length === 0) {
        note.hidden = true;
        body.replaceChildren(emptyNotice(ctx.t('noData')));
        return;
      }
      const target = ctx.boot.targets[metric];
      const figures = buckets.map((b) => ({
        ...figureOf(metric, countersOf(metric, b), 0),
        enoughData: b.enoughData,
        period: b.period,
      }));
      const shown = figures.filter((x) => x.enoughData);
      const notes = [
        edgesArePartial(from, to, granularity) ? ctx.t('edgeNote') : '',
        shown.length < figures.length ? ctx.t('trendGaps', { n: ctx.boot.minResponses }) : '',
      ];
      note.textContent = notes.filter(Boolean).join(' ');
      note.hidden = note.textContent === '';
      const bounds = axisBounds(
        metric,
        shown.map((x) => x.score),
        target,
      );
      const labels = figures.map((x) => periodLabel(ctx, x.period));
      const latest = shown.at(-1);
      const canvas = h('canvas', {
        attrs: {
          role: 'img',
          'aria-label': `${title.textContent}: ${figures.length} · ${latest ? `${periodLabel(ctx, latest.period)} ${scoreText(ctx, metric, latest.score)}` : ctx.t('notEnoughData')}`,
        },
      });
      const table = h(
        'table',
        { class: 'data-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[ctx.t('period'), ctx.t('score'), ctx.t('moeShort'), ctx.t('responses')].map((text) =>
              h('th', { text, attrs: { scope: 'col' } }),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...figures.map((x) =>
            h(
              'tr',
              {},
              h('th', { text: periodLabel(ctx, x.period), attrs: { scope: 'row' } }),
              h('td', { text: x.enoughData ? scoreText(ctx, metric, x.score) : ctx.t('notEnoughData') }),
              h('td', { text: x.enoughData && x.marginOfError !== undefined ? `±${ctx.f.one(x.marginOfError)}` : '–' }),
              h('td', { text: ctx.f.integer(x.responses), class: 'num' }),
            ),
          ),
        ),
      );
      body.replaceChildren(
        h('div', { class: 'chart-box' }, canvas),
        h('details', { class: 'table-toggle' }, h('summary', { text: ctx.t('dataTable') }), table),
      );
      const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      const flat = (value: number) => figures.map(() => value);
      chart = new Chart(canvas, {
        data: {
          labels,
          datasets: [
            {
              type: 'line',
              label: ctx.t(`metric_${metric}`),
              data: figures.map((x) => (x.enoughData ? x.score : null)),
              borderColor: colors.line,
              backgroundColor: colors.line,
              pointBackgroundColor: figures.map((x) => colors[ragOf(metric, x.score, ctx.boot.targets)]),
              pointBorderColor: '#fff',
              pointRadius: figures.length > 60 ? 2 : 4,
              pointHoverRadius: 6,
              borderWidth: 2.5,
              cubicInterpolationMode: 'monotone',
              spanGaps: false,
              yAxisID: 'y',
              order: 1,
            },
            {
              type: 'line',
              label: ctx.t('greenTarget'),
              data: flat(target.green),
              borderColor: colors.green,
              borderDash: [6, 4],
              borderWidth: 1.5,
              pointRadius: 0,
              pointHoverRadius: 0,
              yAxisID: 'y',
              order: 2,
            },
            {
              type: 'line',
              label: ctx.t('amberTarget'),
              data: flat(target.amber),
              borderColor: colors.amber,
              borderDash: [3, 4],
              borderWidth: 1.5,
              pointRadius: 0,
              pointHoverRadius: 0,
              yAxisID: 'y',
              order: 3,
            },
            {
              type: 'bar',
              label: ctx.t('responses'),
              data: figures.map((x) => x.responses),
              backgroundColor: colors.bars,
              borderRadius: 3,
              maxBarThickness: 28,
              yAxisID: 'answers',
              order: 4,
            },
          ],
        },
        options: {
          maintainAspectRatio: false,
          animation: reduceMotion ? false : { duration: 250 },
          interaction: { mode: 'index', intersect: false },
          scales: {
            x: { grid: { display: false }, ticks: { color: colors.ink, maxRotation: 0, autoSkipPadding: 12 } },
            y: {
              position: 'left',
              min: bounds.min,
              max: bounds.max,
              grid: { color: colors.grid },
              ticks: { color: colors.ink, stepSize: bounds.step, callback: (v) => scoreText(ctx, metric, Number(v)) },
              title: { display: true, text: ctx.t(`metric_${metric}`), color: colors.ink },
            },
            answers: {
              position: 'right',
              beginAtZero: true,
              grid: { display: false },
              ticks: { color: '#64748b', precision: 0 },
              title: { display: true, text: ctx.t('responses'), color: '#64748b' },
            },
          },
          plugins: {
            legend: { position: 'bottom', labels: { boxWidth: 14, boxHeight: 2, color: colors.ink } },
            tooltip: {
              callbacks: {
                label(item) {
                  const x = figures[item.dataIndex];
                  if (!x) return '';
                  if (item.datasetIndex === 0) {
                    const moe = x.marginOfError === undefined ? '' : ` ±${ctx.f.one(x.marginOfError)}`;
                    return `${ctx.t(`metric_${metric}`)} ${scoreText(ctx, metric, x.score)}${moe}`;
                  }
                  if (item.datasetIndex === 3) {
                    return `${ctx.t('responses')} ${ctx.f.integer(x.responses)}${x.enoughData ? '' : ` · ${ctx.t('notEnoughData')}`}`;
                  }
                  return `${item.dataset.label} ${scoreText(ctx, metric, Number(item.raw))}`;
                },
              },
            },
          },
        },
      });
    },
  };
}
