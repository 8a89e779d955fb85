/** "Do our promoters come back more?": the share of surveyed customers who returned, per class, with 95% intervals. */
import { type RetentionAnswer, type RetentionBucket, type RetentionShare, retentionSchema } from './api.ts';
import { type Context, isForbidden } from './context.ts';
import { h } from './dom.ts';
import { segments } from '#shared/domain/rfm.ts';
import { segmentName } from '#web/lib/segments.ts';
import type { MessageKey } from './i18n.ts';
import { card, emptyNotice, type Panel } from './panel.ts';

export function retentionPanel(): Panel {
  const title = h('h2');
  const horizons = h('div', { class: 'segmented', attrs: { role: 'group' } });
  const { element, body } = card('retention', title, horizons);
  let horizon: number | undefined;
  let reload: (() => void) | undefined;
  return {
    element,
    key: (s) => JSON.stringify([s.from, s.to, s.metric, s.filters.store, horizon]),
    async load(ctx, signal) {
      title.textContent = ctx.t('retention');
      const query = { from: ctx.state.from, to: ctx.state.to, metric: ctx.state.metric, storeId: ctx.state.filters.store };
      let overall: RetentionAnswer;
      let byStore: RetentionAnswer;
      try {
        [overall, byStore] = await Promise.all([
          ctx.get('v1/retention', { ...query, horizonDays: horizon, groupBy: 'none' }, retentionSchema, signal),
          ctx.get('v1/retention', { ...query, horizonDays: horizon, groupBy: 'store' }, retentionSchema, signal),
        ]);
      } catch (error) {
        // Retention is the CX team's (by store and customer, across departments): not an error for a department head.
        if (!isForbidden(error)) throw error;
        horizons.replaceChildren();
        body.replaceChildren(emptyNotice(ctx.t('retentionCxOnly')));
        return;
      }
      reload ??= () => ctx.update({});
      horizons.setAttribute('aria-label', ctx.t('retention'));
      horizons.replaceChildren(
        ...overall.horizons.map((days) =>
          h('button', {
            text: ctx.t('retentionHorizon', { days }),
            attrs: { type: 'button', 'aria-pressed': String(days === overall.horizonDays) },
            on: {
              click: () => {
                horizon = days;
                reload?.();
              },
            },
          }),
        ),
      );
      const [bucket] = overall.buckets;
      if (!bucket) {
        body.replaceChildren(emptyNotice(ctx.t('noData')));
        return;
      }
      const days = overall.horizonDays;
      body.replaceChildren(
        h('p', { class: 'muted', text: ctx.t('retentionLead', { days }) }),
        h('p', { class: `retention-answer verdict-${bucket.verdict}`, text: answerOf(ctx, bucket, overall.minResponses) }),
        h(
          'ul',
          { class: 'retention-rows', attrs: { 'aria-label': ctx.t('retention') } },
          ...bucket.classes.map((c) => shareRow(ctx, className(ctx, c.class), c)),
          shareRow(ctx, ctx.t('retentionRecovered'), bucket.detractors.recovered),
          shareRow(ctx, ctx.t('retentionNotRecovered'), bucket.detractors.notRecovered),
        ),
        bucket.complete ? '' : h('p', { class: 'muted', text: ctx.t('retentionOpen', { days, date: bucket.matureOn }) }),
        storeTable(ctx, byStore.buckets),
        segmentList(ctx, overall.segments, overall.segmentMoves),
        h('p', { class: 'footnote', text: ctx.t('retentionCaveat') }),
      );
    },
  };
}

const className = (ctx: Context, cls: string) => ctx.t(`class_${cls}` as MessageKey);
const pct = (ctx: Context, x: number | null) => ctx.f.percent(x === null ? null : x * 100);

function answerOf(ctx: Context, bucket: RetentionBucket, minResponses: number) {
  const top = bucket.classes[0];
  const bottom = bucket.classes[bucket.classes.length - 1];
  if (!top || !bottom || bucket.verdict === 'not_enough_data') return ctx.t('retentionNotEnough', { n: minResponses });
  const words = {
    top: className(ctx, top.class),
    bottom: className(ctx, bottom.class),
    a: pct(ctx, top.rate),
    b: pct(ctx, bottom.rate),
  };
  const key = bucket.verdict === 'more' ? 'retentionMore' : bucket.verdict === 'less' ? 'retentionLess' : 'retentionUnclear';
  return ctx.t(key, words);
}

/** One class: the share as a dot on a 0–100% track, its 95% interval as the band around it. */
function shareRow(ctx: Context, label: string, s: RetentionShare) {
  const drawn = s.enoughData && s.rate !== null;
  return h(
    'li',
    { class: `retention-row${drawn ? '' : ' few'}` },
    h('span', { class: 'retention-label', text: label }),
    h(
      'span',
      { class: 'retention-track', attrs: { 'aria-hidden': 'true' } },
      drawn
        ? h('span', { class: 'retention-band', style: { left: `${s.low * 100}%`, width: `${(s.high - s.low) * 100}%` } })
        : '',
      drawn ? h('span', { class: 'retention-dot', style: { left: `${(s.rate ?? 0) * 100}%` } }) : '',
    ),
    h('span', {
      class: 'retention-value',
      text: drawn
        ? ctx.t('retentionRow', { rate: pct(ctx, s.rate), n: s.surveyed, low: pct(ctx, s.low), high: pct(ctx, s.high) })
        : ctx.t('retentionFew', { n: s.surveyed }),
    }),
  );
}

/** Customers per RFM segment, a bar each against the largest, and how many came in and left since the month began. */
function segmentList(
  ctx: Context,
  counts: Record<string, number>,
  moved: { since: string; moves: Record<string, { in: number; out: number }> },
) {
  const most = Math.max(1, ...segments.map((s) => counts[s] ?? 0));
  return h(
    'div',
    { class: 'segments' },
    h('h3', { text: ctx.t('segmentsTitle') }),
    h(
      'ul',
      { class: 'reasons', attrs: { 'aria-label': ctx.t('segmentsTitle') } },
      ...segments.map((s) =>
        h(
          'li',
          { attrs: { 'data-segment': s } },
          h('span', { text: segmentName(ctx.locale, s) }),
          h(
            'span',
            { class: 'reason-track' },
            h('span', { class: 'reason-bar', style: { width: `${((counts[s] ?? 0) / most) * 100}%` } }),
          ),
          h('strong', { class: 'num', text: ctx.f.integer(counts[s] ?? 0) }),
          h('span', {
            class: 'num muted moves',
            text: ctx.t('segmentMoves', {
              in: ctx.f.integer(moved.moves[s]?.in ?? 0),
              out: ctx.f.integer(moved.moves[s]?.out ?? 0),
            }),
          }),
        ),
      ),
    ),
    h('p', { class: 'muted', text: ctx.t('segmentsNote', { since: moved.since }) }),
  );
}

function storeTable(ctx: Context, buckets: RetentionBucket[]) {
  if (buckets.length < 2) return '';
  const cell = (s: RetentionShare | undefined) =>
    h('td', {
      class: `num${s?.enoughData ? '' : ' muted'}`,
      text: s?.enoughData ? `${pct(ctx, s.rate)} (n=${s.surveyed})` : `– (n=${s?.surveyed ?? 0})`,
    });
  const classes = buckets[0]?.classes.map((c) => c.class) ?? [];
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'retention-table' },
      h('caption', { text: ctx.t('retentionByStore') }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { text: ctx.t('store'), attrs: { scope: 'col' } }),
          ...classes.map((c) => h('th', { class: 'num', text: className(ctx, c), attrs: { scope: 'col' } })),
        ),
      ),
      h(
        'tbody',
        {},
        ...buckets.map((b) =>
          h(
            'tr',
            { attrs: { 'data-group': b.group } },
            h('th', { text: ctx.name('store', b.group), attrs: { scope: 'row' } }),
            ...b.classes.map((c) => cell(c)),
          ),
        ),
      ),
    ),
  );
}
