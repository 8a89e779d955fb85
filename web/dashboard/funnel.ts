/**
 * Visits → surveys sent → answered, and every visit not surveyed with its reason, overall and per
 * group; and each channel's response rate (DESIGN §8: the funnel split by channel).
 */
import { suppressionReasons } from '#shared/domain/records.ts';
import { type Context, filterQuery } from './context.ts';
import { funnelOverRange } from './data.ts';
import { h } from './dom.ts';
import type { FunnelBucket } from './api.ts';
import { channelsAllowed } from './filters.ts';
import { type FunnelFigure, funnelBy } from './figures.ts';
import { isMessageKey, type MessageKey } from './i18n.ts';
import { card, emptyNotice, type Panel } from './panel.ts';

const knownReasons: readonly string[] = suppressionReasons;

export function funnelPanel(): Panel {
  const title = h('h2');
  const { element, body } = card('funnel', title);
  return {
    element,
    key: (s) => JSON.stringify([s.from, s.to, s.breakdown, filterQuery(s.filters)]),
    async load(ctx, signal) {
      const { breakdown } = ctx.state;
      title.textContent = ctx.t('funnel');
      const byChannel = channelsAllowed(ctx.state.filters);
      const [overallBuckets, groupBuckets, channelBuckets] = await Promise.all([
        funnelOverRange(ctx, 'none', signal),
        funnelOverRange(ctx, breakdown, signal),
        byChannel ? funnelOverRange(ctx, 'channel', signal) : undefined,
      ]);
      const overall = funnelBy(overallBuckets, () => 'all').get('all');
      if (!overall || overall.visits === 0) {
        body.replaceChildren(emptyNotice(ctx.t('noData')));
        return;
      }
      const reasonName = (reason: string) => (knownReasons.includes(reason) ? ctx.t(`reason_${reason}` as MessageKey) : reason);
      const pct = ctx.f.percent;
      const step = (label: string, n: number, share: string | undefined, width: number, cls: string) =>
        h(
          'div',
          { class: 'funnel-step' },
          h('span', { class: 'funnel-label', text: label }),
          h(
            'span',
            { class: 'funnel-track' },
            h('span', { class: `funnel-bar ${cls}`, style: { width: `${Math.max(width, n > 0 ? 1 : 0)}%` } }),
          ),
          h(
            'span',
            { class: 'funnel-value' },
            h('strong', { text: ctx.f.integer(n) }),
            share ? h('small', { text: share }) : null,
          ),
        );
      const stepWidth = (n: number) => (n / overall.visits) * 100;
      const reasons = Object.entries(overall.suppressed)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1]);
      const groups = [...funnelBy(groupBuckets, (b) => b.group)].sort((a, b) => b[1].visits - a[1].visits);
      const rateCell = (value: number | null, warn: boolean) => h('td', { class: `num${warn ? ' warn' : ''}`, text: pct(value) });
      // A group that suppresses far more than the rest is worth a look (DESIGN: anti-gaming).
      const unusual = (g: FunnelFigure) =>
        g.suppressionRate !== null &&
        overall.suppressionRate !== null &&
        g.visits >= 5 &&
        g.suppressionRate >= overall.suppressionRate + 15;

      body.replaceChildren(
        h(
          'div',
          { class: 'funnel', attrs: { role: 'group', 'aria-label': ctx.t('funnel') } },
          step(ctx.t('visits'), overall.visits, undefined, 100, 'bar-visits'),
          step(
            ctx.t('sent'),
            overall.sent,
            ctx.t('ofVisits', { pct: pct(ratio(overall.sent, overall.visits)) }),
            stepWidth(overall.sent),
            'bar-sent',
          ),
          step(
            ctx.t('answered'),
            overall.answered,
            `${ctx.t('responseRate')} ${pct(overall.responseRate)}`,
            stepWidth(overall.answered),
            'bar-answered',
          ),
        ),
        h(
          'div',
          { class: 'suppression' },
          h(
            'h3',
            {},
            `${ctx.t('suppressed')}: ${ctx.f.integer(overall.suppressedTotal)}`,
            h('span', { class: 'muted', text: ` · ${ctx.t('suppressionRate')} ${pct(overall.suppressionRate)}` }),
          ),
          reasons.length === 0
            ? h('p', { class: 'muted', text: ctx.t('noSuppression') })
            : h(
                'ul',
                { class: 'reasons', attrs: { 'aria-label': ctx.t('suppressionReasons') } },
                ...reasons.map(([reason, n]) =>
                  h(
                    'li',
                    {},
                    h('span', { text: reasonName(reason) }),
                    h(
                      'span',
                      { class: 'reason-track' },
                      h('span', { class: 'reason-bar', style: { width: `${(n / overall.suppressedTotal) * 100}%` } }),
                    ),
                    h('strong', { class: 'num', text: ctx.f.integer(n) }),
                  ),
                ),
              ),
        ),
        h('h3', { text: ctx.t('funnelBy', { dimension: ctx.t(breakdown) }) }),
        h(
          'div',
          { class: 'table-scroll', attrs: { tabindex: '0' } },
          h(
            'table',
            { class: 'funnel-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...[
                  ctx.t(breakdown),
                  ctx.t('visits'),
                  ctx.t('sent'),
                  ctx.t('answered'),
                  ctx.t('responseRate'),
                  ctx.t('suppressionRate'),
                ].map((text, i) => h('th', { text, attrs: { scope: 'col' }, class: i ? 'num' : '' })),
              ),
            ),
            h(
              'tbody',
              {},
              ...groups.map(([group, g]) =>
                h(
                  'tr',
                  { attrs: { 'data-group': group } },
                  h('th', { text: ctx.name(breakdown, group), attrs: { scope: 'row' } }),
                  h('td', { class: 'num', text: ctx.f.integer(g.visits) }),
                  h('td', { class: 'num', text: ctx.f.integer(g.sent) }),
                  h('td', { class: 'num', text: ctx.f.integer(g.answered) }),
                  rateCell(g.responseRate, false),
                  rateCell(g.suppressionRate, unusual(g)),
                ),
              ),
            ),
          ),
        ),
        channelRates(ctx, channelBuckets),
      );
    },
  };
}

/**
 * Each channel's surveys sent and answered, and its response rate with its n (the surveys it sent).
 * A channel that sent nothing in the range is absent, or "not measured" should answers come without
 * sends: never 0%. `undefined`: the filters allow no split by channel.
 */
function channelRates(ctx: Context, buckets: FunnelBucket[] | undefined): HTMLElement {
  const section = (...content: HTMLElement[]) =>
    h('div', { class: 'channel-rates' }, h('h3', { text: ctx.t('byChannel') }), ...content);
  if (!buckets) return section(h('p', { class: 'muted', text: ctx.t('channelsUnavailable') }));
  // Most sent first; a channel only appears once something went out by it (or came back).
  const shown = [...funnelBy(buckets, (b) => b.group)]
    .filter(([, g]) => g.sent > 0 || g.answered > 0)
    .sort((a, b) => b[1].sent - a[1].sent);
  const channelName = (channel: string) => {
    const key = `reach_${channel}`;
    return isMessageKey(key) ? ctx.t(key) : channel;
  };
  if (shown.length === 0) return section(h('p', { class: 'muted', text: ctx.t('noChannels') }));
  const rate = (g: FunnelFigure) =>
    g.sent > 0 && g.responseRate !== null
      ? ctx.t('rateOfSent', { rate: ctx.f.percent(g.responseRate), n: ctx.f.integer(g.sent) })
      : ctx.t('notMeasured');
  return section(
    h(
      'div',
      { class: 'table-scroll', attrs: { tabindex: '0' } },
      h(
        'table',
        { class: 'funnel-table channel-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[ctx.t('channel'), ctx.t('sent'), ctx.t('answered'), ctx.t('responseRate')].map((text, i) =>
              h('th', { text, attrs: { scope: 'col' }, class: i ? 'num' : '' }),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...shown.map(([channel, g]) =>
            h(
              'tr',
              { attrs: { 'data-channel': channel } },
              h('th', { text: channelName(channel), attrs: { scope: 'row' } }),
              h('td', { class: 'num', text: ctx.f.integer(g.sent) }),
              h('td', { class: 'num', text: ctx.f.integer(g.answered) }),
              h('td', { class: 'num', text: rate(g) }),
            ),
          ),
        ),
      ),
    ),
    h('p', { class: 'muted', text: ctx.t('channelCaveat') }),
  );
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);
