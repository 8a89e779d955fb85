/** The answers behind the figures, newest visit first: the customers' own words, filtered and paged. */
import { responsesSchema, type Verbatim } from './api.ts';
import { type Context, filterQuery } from './context.ts';
import { h } from './dom.ts';
import { card, emptyNotice, failureNotice, type Panel } from './panel.ts';

const PAGE = 20;
const sentiments = ['all', 'detractor', 'passive', 'promoter'] as const;

export function verbatimsPanel(): Panel {
  const title = h('h2', { attrs: { tabindex: '-1' } });
  const context = h('div', { class: 'drill-context' });
  const controls = h('div', { class: 'verbatim-controls' });
  const { element, body } = card('verbatims', h('div', { class: 'card-head' }, title, context), controls);
  /** The query of the pages shown, so "load more" continues the same list. */
  let shownKey = '';

  function item(ctx: Context, r: Verbatim): HTMLElement {
    const scale = r.surveyType === 'nps' ? '/10' : r.surveyType === 'csat' ? '/5' : '/7';
    const meta = [
      ctx.name('store', r.storeId),
      r.departmentId ? ctx.name('department', r.departmentId) : undefined,
      r.advisorId ? `${ctx.t('advisor')} ${r.advisorId}` : undefined,
      ctx.name('serviceType', r.serviceType),
      ctx.t('visitOn', { date: r.visitDate }),
      r.channel === 'sms' || r.channel === 'web' ? ctx.t(`channel_${r.channel}`) : r.channel,
    ].filter((x): x is string => x !== undefined);
    return h(
      'li',
      { class: `verbatim sentiment-${r.sentiment}` },
      h(
        'span',
        { class: 'verbatim-score', attrs: { title: ctx.t(`sentiment_${r.sentiment}`) } },
        h('strong', { text: String(r.score) }),
        h('small', { text: `${scale}` }),
      ),
      h(
        'div',
        { class: 'verbatim-text' },
        r.comment ? h('blockquote', { text: r.comment }) : h('p', { class: 'muted', text: ctx.t('noComment') }),
        h(
          'p',
          { class: 'verbatim-meta' },
          h('span', { class: `tag tag-${r.sentiment}`, text: ctx.t(`sentiment_${r.sentiment}`) }),
          // Spaces between the items, so a long line breaks between them and not inside a date.
          ...meta.flatMap((text, i) => [i ? ' · ' : ' ', h('span', { class: 'meta-item', text })]),
        ),
      ),
    );
  }

  return {
    element,
    key: (s) => JSON.stringify([s.metric, s.from, s.to, filterQuery(s.filters), s.drill, s.sentiment, s.withComment]),
    async load(ctx, signal) {
      const { metric, from, to, filters, drill, sentiment, withComment } = ctx.state;
      title.textContent = `${ctx.t('verbatims')} · ${ctx.t(`metric_${metric}`)}`;
      context.replaceChildren(
        drill
          ? h(
              'span',
              { class: 'chip' },
              `${ctx.t(drill.dimension)}: ${ctx.name(drill.dimension, drill.value)}`,
              h('button', {
                class: 'chip-clear',
                text: '×',
                attrs: { type: 'button', 'aria-label': ctx.t('clearDrill'), title: ctx.t('clearDrill') },
                on: { click: () => ctx.update({ drill: undefined }) },
              }),
            )
          : h('span', { class: 'muted', text: ctx.t('verbatimsAll') }),
      );
      const group = h('div', { class: 'segmented', attrs: { role: 'radiogroup', 'aria-label': ctx.t('sentiment') } });
      for (const s of sentiments) {
        group.append(
          h('button', {
            text: ctx.t(`sentiment_${s}`),
            attrs: { type: 'button', role: 'radio', 'aria-checked': String(s === sentiment) },
            on: { click: () => ctx.update({ sentiment: s }) },
          }),
        );
      }
      const checkbox = h('input', { attrs: { type: 'checkbox', id: 'with-comment', checked: withComment } });
      checkbox.onchange = () => ctx.update({ withComment: checkbox.checked });
      controls.replaceChildren(group, h('label', { class: 'check' }, checkbox, ctx.t('withComment')));

      const query = {
        metric,
        from,
        to,
        ...filterQuery(drill ? { ...filters, [drill.dimension]: drill.value } : filters),
        sentiment: sentiment === 'all' ? undefined : sentiment,
        withComment: withComment ? 'true' : undefined,
        limit: PAGE,
      };
      const list = h('ol', { class: 'verbatim-list', attrs: { 'aria-labelledby': 'verbatims-title' } });
      const more = h('div', { class: 'more' });
      const key = JSON.stringify(query);
      shownKey = key;
      const showPage = async (cursor: string | undefined, pageSignal: AbortSignal) => {
        const page = await ctx.get('v1/responses', { ...query, cursor }, responsesSchema, pageSignal);
        if (shownKey !== key) return;
        list.append(...page.responses.map((r) => item(ctx, r)));
        more.replaceChildren();
        if (page.nextCursor) {
          const next = page.nextCursor;
          const button = h('button', { class: 'secondary', text: ctx.t('loadMore'), attrs: { type: 'button' } });
          // A failed page offers to try again, as often as it fails; every attempt's failure is shown.
          const loadMore = () =>
            showPage(next, new AbortController().signal).catch((error: Error) =>
              more.replaceChildren(failureNotice(ctx.t('failed', { message: error.message }), loadMore, ctx.t('retry'))),
            );
          button.onclick = () => {
            button.disabled = true;
            button.textContent = ctx.t('loading');
            void loadMore();
          };
          more.append(button);
        }
      };
      await showPage(undefined, signal);
      body.replaceChildren(list.childElementCount ? list : emptyNotice(ctx.t('noVerbatims')), more);
    },
  };
}
