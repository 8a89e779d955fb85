/** Are detractors followed up? Open alerts, follow-up and closed-loop rates, speed, SLA and recovery. */
import type * as z from 'zod/mini';
import { alertsSchema, closedLoopSchema, type LoopFigures, type OpenAlert } from './api.ts';
import type { Context } from './context.ts';
import { h } from './dom.ts';
import { card, type Panel } from './panel.ts';
import { categoryName } from '#web/lib/categories.ts';

const SHOWN_ALERTS = 8;
const ALERTS_LIMIT = 200;

function duration(ctx: Context, minutes: number | null): string {
  if (minutes === null) return '–';
  if (minutes < 120) return ctx.t('minutes', { n: ctx.f.integer(minutes) });
  if (minutes < 48 * 60) return ctx.t('hours', { n: ctx.f.one(minutes / 60) });
  return ctx.t('days', { n: ctx.f.one(minutes / 1440) });
}

/** Follow-up is meant to be 100%: anything less is amber, under 80% red. */
const followUpRag = (rate: number | null) => (rate === null ? 'none' : rate >= 100 ? 'green' : rate >= 80 ? 'amber' : 'red');

function stat(label: string, value: string, sub: string | undefined, cls = ''): HTMLElement {
  return h(
    'div',
    { class: `stat ${cls}` },
    h('span', { class: 'stat-label', text: label }),
    h('strong', { class: 'stat-value', text: value }),
    sub ? h('span', { class: 'stat-sub', text: sub }) : null,
  );
}

/** A small table: one row per label, a count per column (the total first, then each group). */
function countTable(label: string, rows: [string, number[]][], columns: string[]): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll', attrs: { tabindex: '0' } },
    h(
      'table',
      { class: 'loop-table', attrs: { 'aria-label': label } },
      h(
        'thead',
        {},
        h('tr', {}, ...[label, ...columns].map((text, i) => h('th', { text, attrs: { scope: 'col' }, class: i ? 'num' : '' }))),
      ),
      h(
        'tbody',
        {},
        ...rows.map(([name, counts]) =>
          h(
            'tr',
            {},
            h('th', { text: name, attrs: { scope: 'row' } }),
            ...counts.map((n) => h('td', { class: 'num', text: String(n) })),
          ),
        ),
      ),
    ),
  );
}

/** Closures by root cause and by resolution, in total and per group; the classifier's precision per category. */
function closuresSection(ctx: Context, loop: z.infer<typeof closedLoopSchema>): HTMLElement[] {
  const groups = loop.groups;
  const columns = [ctx.t('total'), ...groups.map((g) => ctx.name('department', g.group))];
  const rowsOf = (pick: 'byRootCause' | 'byResolution', name: (id: string) => string): [string, number[]][] =>
    Object.entries(loop.overall.closures[pick])
      .sort((a, b) => b[1] - a[1])
      .map(([id, total]) => [name(id), [total, ...groups.map((g) => g.closures[pick][id] ?? 0)]]);
  const resolutionName = (id: string) => ctx.boot.resolutions.find((r) => r.id === id)?.name[ctx.locale] ?? id;
  const byRootCause = rowsOf('byRootCause', (id) => categoryName(ctx.locale, id));
  const byResolution = rowsOf('byResolution', resolutionName);
  const precision = loop.classifier.byCategory;
  return [
    h('h3', { text: ctx.t('closures') }),
    byRootCause.length
      ? h(
          'div',
          { class: 'closures' },
          countTable(ctx.t('rootCause'), byRootCause, columns),
          countTable(ctx.t('resolution'), byResolution, columns),
        )
      : h('p', { class: 'muted', text: ctx.t('noClosures') }),
    h('h3', { text: ctx.t('classifierPrecision') }),
    precision.length
      ? h(
          'div',
          { class: 'table-scroll', attrs: { tabindex: '0' } },
          h(
            'table',
            { class: 'loop-table precision', attrs: { 'aria-label': ctx.t('classifierPrecision') } },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...[ctx.t('category'), ctx.t('classified'), ctx.t('confirmed'), ctx.t('precision')].map((text, i) =>
                  h('th', { text, attrs: { scope: 'col' }, class: i ? 'num' : '' }),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              ...precision.map((p) =>
                h(
                  'tr',
                  { attrs: { 'data-category': p.category } },
                  h('th', { text: categoryName(ctx.locale, p.category), attrs: { scope: 'row' } }),
                  h('td', { class: 'num', text: ctx.f.integer(p.classified) }),
                  h('td', { class: 'num', text: ctx.f.integer(p.confirmed) }),
                  h('td', { class: 'num', text: ctx.f.percent(p.precision) }),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted', text: ctx.t('noClosures') }),
  ];
}

export function closedLoopPanel(): Panel {
  const title = h('h2');
  const { element, body } = card('closed-loop', title);
  return {
    element,
    key: (s) => JSON.stringify([s.from, s.to, s.filters.store, s.filters.department]),
    async load(ctx, signal) {
      const { from, to, filters } = ctx.state;
      title.textContent = ctx.t('closedLoop');
      const [loop, open] = await Promise.all([
        ctx.get(
          'v1/closed-loop',
          { from, to, groupBy: 'department', storeId: filters.store, departmentId: filters.department },
          closedLoopSchema,
          signal,
        ),
        ctx.get('v1/alerts', { status: 'open', departmentId: filters.department, limit: ALERTS_LIMIT }, alertsSchema, signal),
      ]);
      const now = Date.now();
      // The alerts list filters by department only; a store filter applies here.
      const alerts = open.alerts
        .filter((a) => !filters.store || a.storeId === filters.store)
        .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
      const overdue = alerts.filter((a) => Date.parse(a.dueAt) < now).length;
      const o: LoopFigures = loop.overall;
      const openCount = open.alerts.length >= ALERTS_LIMIT ? `${ctx.f.integer(alerts.length)}+` : ctx.f.integer(alerts.length);

      const stats = h(
        'div',
        { class: 'stats' },
        stat(
          ctx.t('openAlerts'),
          openCount,
          overdue ? ctx.t('overdue', { n: ctx.f.integer(overdue) }) : undefined,
          overdue ? 'stat-red' : '',
        ),
        stat(
          ctx.t('followUpRate'),
          ctx.f.percent(o.followUpRate),
          ctx.t('followUpTarget'),
          `stat-${followUpRag(o.followUpRate)}`,
        ),
        stat(ctx.t('closedLoopRate'), ctx.f.percent(o.closedLoopRate), `${ctx.t('raised')} ${ctx.f.integer(o.raised)}`),
        stat(ctx.t('medianFirstContact'), duration(ctx, o.medianMinutesToFirstContact), undefined),
        stat(
          ctx.t('withinSla'),
          ctx.f.percent(o.withinSlaRate),
          o.escalated ? `${ctx.t('escalated')} ${ctx.f.integer(o.escalated)}` : undefined,
          o.escalated ? 'stat-amber' : '',
        ),
        stat(
          ctx.t('recovered'),
          o.recoveryDecided ? ctx.f.percent(o.recoveryRate) : '–',
          o.recoveryDecided ? ctx.t('recoveryOf', { recovered: o.recovered, decided: o.recoveryDecided }) : undefined,
        ),
      );
      const byDepartment = h(
        'div',
        { class: 'table-scroll', attrs: { tabindex: '0' } },
        h(
          'table',
          { class: 'loop-table', attrs: { 'aria-label': `${ctx.t('closedLoop')} · ${ctx.t('department')}` } },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...[
                ctx.t('department'),
                ctx.t('raised'),
                ctx.t('followUpRate'),
                ctx.t('closedLoopRate'),
                ctx.t('medianFirstContact'),
                ctx.t('withinSla'),
                ctx.t('escalated'),
              ].map((text, i) => h('th', { text, attrs: { scope: 'col' }, class: i ? 'num' : '' })),
            ),
          ),
          h(
            'tbody',
            {},
            ...loop.groups.map((g) =>
              h(
                'tr',
                { attrs: { 'data-group': g.group } },
                h('th', { text: ctx.name('department', g.group), attrs: { scope: 'row' } }),
                h('td', { class: 'num', text: ctx.f.integer(g.raised) }),
                h('td', { class: `num rag-text-${followUpRag(g.followUpRate)}`, text: ctx.f.percent(g.followUpRate) }),
                h('td', { class: 'num', text: ctx.f.percent(g.closedLoopRate) }),
                h('td', { class: 'num', text: duration(ctx, g.medianMinutesToFirstContact) }),
                h('td', { class: 'num', text: ctx.f.percent(g.withinSlaRate) }),
                h('td', { class: `num${g.escalated ? ' warn' : ''}`, text: ctx.f.integer(g.escalated) }),
              ),
            ),
          ),
        ),
      );
      const alertItem = (a: OpenAlert) => {
        const late = Date.parse(a.dueAt) < now;
        return h(
          'li',
          { class: `alert-item${late ? ' late' : ''}`, attrs: { 'data-alert': a.id } },
          h('a', {
            class: 'alert-score',
            text: `${ctx.t(`metric_${a.surveyType}`)} ${a.score}`,
            attrs: { href: `/inbox/alerts/${encodeURIComponent(a.id)}`, 'aria-label': ctx.t('openCase', { score: a.score }) },
          }),
          h(
            'div',
            { class: 'alert-body' },
            a.comment ? h('blockquote', { text: a.comment }) : h('p', { class: 'muted', text: ctx.t('noComment') }),
            h(
              'p',
              { class: 'alert-meta' },
              late ? h('span', { class: 'tag tag-detractor', text: ctx.t('overdueBadge') }) : null,
              a.priority === 'high' ? h('span', { class: 'tag tag-high', text: ctx.t('highPriority') }) : null,
              ` ${[ctx.name('department', a.departmentId), ctx.name('store', a.storeId), ctx.t('dueIn', { when: ctx.f.relative(a.dueAt, now) })].join(' · ')}`,
            ),
          ),
        );
      };
      body.replaceChildren(
        stats,
        loop.groups.length ? byDepartment : '',
        h('h3', { text: ctx.t('alertsList') }),
        alerts.length
          ? h(
              'ol',
              { class: 'alert-list', attrs: { 'aria-label': ctx.t('alertsList') } },
              ...alerts.slice(0, SHOWN_ALERTS).map(alertItem),
            )
          : h('p', { class: 'muted', text: ctx.t('noOpenAlerts') }),
        alerts.length > SHOWN_ALERTS
          ? h('p', { class: 'muted', text: ctx.t('moreAlerts', { n: alerts.length - SHOWN_ALERTS }) })
          : '',
        h('p', {}, h('a', { text: ctx.t('openInbox'), attrs: { href: '/inbox' } })),
        ...closuresSection(ctx, loop),
      );
    },
  };
}
