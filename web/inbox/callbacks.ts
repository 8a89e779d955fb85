/**
 * The call-back pages of the inbox (电话回访): the list of call tasks (/inbox/callbacks, the soonest
 * due first) and one task (/inbox/callbacks/{id}), phone-first: the script with the survey's own
 * question and its scale as large buttons, the call control (reveal → tel: link), the four outcomes,
 * attempts and SLA. The API decides who may see them (the call-back department, or cx).
 */
import * as z from 'zod/mini';
import type { Locale } from '#shared/config/schema.ts';
import type { Formats } from '#web/dashboard/i18n.ts';
import { h } from '#web/dashboard/dom.ts';
import { type CallbackTranslate, callbackTranslator, isCallbackKey } from './callbacks-i18n.ts';

export interface CallbackPageContext {
  locale: Locale;
  f: Formats;
  api: <T>(path: string, schema: z.ZodMiniType<T>) => Promise<T>;
  post: <T>(path: string, schema: z.ZodMiniType<T>, body: unknown) => Promise<T>;
  storeName: (id: string) => string;
  serviceName: (id: string) => string;
  problem: (error: unknown) => HTMLElement;
  reload: () => void;
}

const str = z.string();
const opt = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));
const taskFields = {
  id: str,
  status: str,
  storeId: str,
  surveyType: str,
  phoneMasked: str,
  customerName: opt(str),
  visit: z.object({ date: str, serviceType: str, advisorId: opt(str) }),
  dueAt: str,
  attempts: z.number(),
  maxAttempts: z.number(),
  retryAt: opt(str),
  outcome: opt(str),
  score: opt(z.number()),
  comment: opt(str),
  closedAt: opt(str),
  closedBecause: opt(str),
};
const listSchema = z.object({ callbacks: z.array(z.object(taskFields)) });
type ListedTask = z.infer<typeof listSchema>['callbacks'][number];
const taskSchema = z.object({
  ...taskFields,
  script: z.object({
    opening: str,
    question: str,
    scale: z.object({ min: z.number(), max: z.number(), low: str, high: str }),
    why: str,
    closing: str,
  }),
  log: z.array(z.object({ action: str, at: str, by: z.object({ name: str }), note: opt(str), score: opt(z.number()) })),
});

/** Cases and call-backs, side by side at the top of each inbox page. */
export function inboxNav(locale: Locale, current: 'cases' | 'callbacks') {
  const t = callbackTranslator(locale);
  const link = (id: 'cases' | 'callbacks', href: string) =>
    h('a', { text: t(id), attrs: { href, id: `nav-${id}`, 'aria-current': id === current ? 'page' : undefined } });
  return h(
    'nav',
    { class: 'inbox-nav', attrs: { 'aria-label': `${t('cases')} / ${t('callbacks')}` } },
    link('cases', '/inbox'),
    link('callbacks', '/inbox/callbacks'),
  );
}

const outcomeWord = (t: CallbackTranslate, action: string) => {
  const key = action === 'phone_revealed' ? action : `outcome_${action}`;
  return isCallbackKey(key) ? t(key) : action;
};

function dueText(t: CallbackTranslate, f: Formats, task: ListedTask, now: number) {
  if (task.status !== 'open') return outcomeWord(t, task.outcome ?? task.closedBecause ?? '');
  const when = f.relative(task.dueAt, now);
  return Date.parse(task.dueAt) < now ? t('overdueBy', { when }) : t('dueIn', { when });
}

export async function callbacksView(main: HTMLElement, ctx: CallbackPageContext) {
  const t = callbackTranslator(ctx.locale);
  const params = new URLSearchParams(location.search);
  const status = params.get('status') === 'done' ? 'done' : 'open';
  const store = params.get('store') ?? '';
  const query = new URLSearchParams({ status, ...(store ? { storeId: store } : {}) });
  const { callbacks } = await ctx.api(`/v1/callbacks?${query}`, listSchema);
  const now = Date.now();
  const tab = (value: 'open' | 'done') =>
    h('a', {
      class: `tab${value === status ? ' current' : ''}`,
      text: t(value),
      attrs: {
        href: `/inbox/callbacks${value === 'done' ? '?status=done' : ''}`,
        'aria-current': value === status ? 'page' : undefined,
      },
    });
  const item = (task: ListedTask) => {
    const late = task.status === 'open' && Date.parse(task.dueAt) < now;
    return h(
      'li',
      { class: `case${late ? ' late' : ''}`, attrs: { 'data-task': task.id } },
      h(
        'a',
        { class: 'case-link', attrs: { href: `/inbox/callbacks/${encodeURIComponent(task.id)}` } },
        h('span', { class: 'score score-call', text: t('attempts', { n: task.attempts, max: task.maxAttempts }) }),
        h(
          'span',
          { class: 'case-body' },
          h('span', { class: 'case-words', text: `${ctx.storeName(task.storeId)} · ${task.customerName ?? task.phoneMasked}` }),
          h('span', {
            class: 'case-meta',
            text: `${task.visit.date} · ${ctx.serviceName(task.visit.serviceType)}${task.visit.advisorId ? ` · ${t('advisor')} ${task.visit.advisorId}` : ''}`,
          }),
          h(
            'span',
            { class: 'case-tags' },
            h('span', { class: 'sla', text: dueText(t, ctx.f, task, now) }),
            task.retryAt && task.status === 'open'
              ? h('span', { class: 'tag', text: t('retryAfter', { when: ctx.f.dateTime(task.retryAt) }) })
              : null,
          ),
        ),
      ),
    );
  };
  main.replaceChildren(
    inboxNav(ctx.locale, 'callbacks'),
    h('h1', { text: t('callbacksTitle') }),
    h('p', { class: 'muted', text: t('callbacksHint') }),
    h('p', { class: 'tabs' }, tab('open'), tab('done')),
    callbacks.length
      ? h('ol', { class: 'cases', attrs: { 'aria-label': t('callbacksTitle'), id: 'callbacks' } }, ...callbacks.map(item))
      : h('p', { class: 'muted', text: t('noTasks') }),
  );
}

/** Numbers shown on this page, by task: recording a call redraws the page, and the number stays for the next call. */
const revealed = new Map<string, string>();

export async function callTaskView(main: HTMLElement, taskId: string, ctx: CallbackPageContext) {
  const t = callbackTranslator(ctx.locale);
  const task = await ctx.api(`/v1/callbacks/${encodeURIComponent(taskId)}`, taskSchema);
  const now = Date.now();
  const open = task.status === 'open';
  const section = (id: string, title: string, ...children: (Node | string | null)[]) =>
    h('section', { class: 'card', attrs: { 'aria-labelledby': id } }, h('h2', { text: title, attrs: { id } }), ...children);
  const message = h('p', { attrs: { id: 'call-message', 'aria-live': 'polite' } });

  // The call control: the masked number, revealed (and logged) as a tel: link.
  const phoneOut = h('p', { class: 'phone', attrs: { id: 'phone', 'aria-live': 'polite' } });
  const telLink = (phone: string) => h('a', { class: 'tel', text: phone, attrs: { href: `tel:${phone}` } });
  const known = revealed.get(task.id);
  if (known) phoneOut.append(telLink(known));
  const reveal = h('button', { class: 'primary', text: t('reveal'), attrs: { type: 'button', id: 'reveal', hidden: !!known } });
  reveal.onclick = async () => {
    reveal.disabled = true;
    try {
      const { phone } = await ctx.post(`/v1/callbacks/${encodeURIComponent(task.id)}/contact`, z.object({ phone: str }), {});
      revealed.set(task.id, phone);
      phoneOut.replaceChildren(telLink(phone));
      reveal.hidden = true;
    } catch (error) {
      phoneOut.replaceChildren(ctx.problem(error));
      reveal.disabled = false;
    }
  };

  // The script, and the survey's own scale as large buttons: one is chosen at a time.
  let chosen: number | undefined;
  const scoreButtons: HTMLButtonElement[] = [];
  for (let score = task.script.scale.min; score <= task.script.scale.max; score++) {
    const button = h('button', {
      class: 'score-button',
      text: String(score),
      attrs: { type: 'button', 'aria-pressed': 'false', 'data-score': score, disabled: !open },
    });
    button.onclick = () => {
      chosen = score;
      for (const b of scoreButtons) b.setAttribute('aria-pressed', String(b === button));
    };
    scoreButtons.push(button);
  }
  const words = h('textarea', { attrs: { id: 'call-comment', maxlength: 1600, rows: 3, disabled: !open } });
  const note = h('textarea', { attrs: { id: 'call-note', maxlength: 2000, rows: 2, disabled: !open } });
  const field = (id: string, label: string, control: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { text: label, attrs: { for: id } }), control);

  const record = (outcome: 'answered' | 'not_reachable' | 'refused' | 'wrong_number', kind: 'primary' | 'secondary') => {
    const button = h('button', { class: kind, text: t(outcome), attrs: { type: 'button', 'data-outcome': outcome } });
    button.onclick = async () => {
      if (outcome === 'answered' && chosen === undefined) {
        message.replaceChildren(h('span', { class: 'error', text: t('pickScore'), attrs: { role: 'alert' } }));
        return;
      }
      button.disabled = true;
      try {
        await ctx.post(`/v1/callbacks/${encodeURIComponent(task.id)}/outcome`, z.object({ id: str }), {
          outcome,
          ...(outcome === 'answered' ? { score: chosen, comment: words.value.trim() || undefined } : {}),
          note: note.value.trim() || undefined,
        });
        message.textContent = t('saved');
        ctx.reload();
      } catch (error) {
        message.replaceChildren(ctx.problem(error));
        button.disabled = false;
      }
    };
    return button;
  };

  const late = open && Date.parse(task.dueAt) < now;
  main.replaceChildren(
    inboxNav(ctx.locale, 'callbacks'),
    h('p', {}, h('a', { text: `← ${t('back')}`, attrs: { href: '/inbox/callbacks' } })),
    h('h1', { attrs: { id: 'task-title' }, text: `${ctx.storeName(task.storeId)} · ${task.customerName ?? task.phoneMasked}` }),
    h(
      'p',
      { class: `sla-clock ${late ? 'sla-overdue' : open ? 'sla-running' : 'sla-met'}`, attrs: { id: 'sla' } },
      h('strong', { text: `${t('sla')}: ` }),
      open ? dueText(t, ctx.f, task, now) : outcomeWord(t, task.outcome ?? task.closedBecause ?? ''),
      ` (${ctx.f.dateTime(task.dueAt)}) · ${t('attempts', { n: task.attempts, max: task.maxAttempts })}`,
      task.retryAt && open ? ` · ${t('retryAfter', { when: ctx.f.dateTime(task.retryAt) })}` : '',
    ),
    section(
      'call-title',
      t('call'),
      h('p', { class: 'muted', text: `${t('phone')}: ${task.phoneMasked}` }),
      open ? reveal : null,
      phoneOut,
    ),
    section(
      'script-title',
      t('script'),
      h('p', { class: 'muted', text: t('scriptHint') }),
      h('p', { class: 'script-line', text: task.script.opening }),
      h('p', { class: 'script-question', attrs: { id: 'script-question' }, text: task.script.question }),
      h('div', { class: 'score-scale', attrs: { role: 'group', 'aria-labelledby': 'script-question' } }, ...scoreButtons),
      h(
        'p',
        { class: 'anchors' },
        h('span', { text: `${task.script.scale.min} = ${task.script.scale.low}` }),
        h('span', { text: `${task.script.scale.max} = ${task.script.scale.high}` }),
      ),
      h('p', { class: 'script-line', text: task.script.why }),
      field('call-comment', t('why'), words),
      h('p', { class: 'script-line', text: task.script.closing }),
    ),
    ...(open
      ? [
          section(
            'outcome-title',
            t('outcomes'),
            field('call-note', t('note'), note),
            h(
              'div',
              { class: 'outcomes' },
              record('answered', 'primary'),
              record('not_reachable', 'secondary'),
              record('refused', 'secondary'),
              record('wrong_number', 'secondary'),
            ),
            message,
          ),
        ]
      : []),
    section(
      'visit-title',
      t('visit'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', { text: t('store') }),
        h('dd', { text: ctx.storeName(task.storeId) }),
        h('dt', { text: t('visitDate') }),
        h('dd', { text: task.visit.date }),
        h('dt', { text: t('serviceType') }),
        h('dd', { text: ctx.serviceName(task.visit.serviceType) }),
        ...(task.visit.advisorId ? [h('dt', { text: t('advisor') }), h('dd', { text: task.visit.advisorId })] : []),
      ),
    ),
    section(
      'log-title',
      t('log'),
      task.log.length
        ? h(
            'ol',
            { class: 'timeline', attrs: { id: 'call-log' } },
            ...task.log.map((e) =>
              h(
                'li',
                {},
                h('time', { text: ctx.f.dateTime(e.at), attrs: { datetime: e.at } }),
                h('span', {
                  text: `${outcomeWord(t, e.action)}${e.score != null ? ` ${e.score}` : ''} · ${e.by.name}${e.note ? ` · ${e.note}` : ''}`,
                }),
              ),
            ),
          )
        : h('p', { class: 'muted', text: t('noCalls') }),
    ),
  );
}
