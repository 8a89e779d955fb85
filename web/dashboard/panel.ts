/** One part of the dashboard: what it reads (its key), how it loads and draws, and how it shows a failure. */
import type { Context, ViewState } from './context.ts';
import { h } from './dom.ts';

export interface Panel {
  element: HTMLElement;
  /** The inputs the panel's data depends on; it loads again when they change. */
  key(state: Readonly<ViewState>): string;
  load(ctx: Context, signal: AbortSignal): Promise<void>;
  /** Cheap updates for state that needs no new data (which tile is selected). */
  sync?(ctx: Context): void;
}

/** A titled card; `body` is what the panel redraws. */
export function card(id: string, title: HTMLElement, ...extra: HTMLElement[]) {
  const body = h('div', { class: 'card-body' });
  const element = h('section', { class: 'card', attrs: { id, 'aria-labelledby': `${id}-title` } }, title, ...extra, body);
  title.id = `${id}-title`;
  return { element, body };
}

/** What a panel shows instead of figures it could not load. */
export function failureNotice(message: string, retry: (() => void) | undefined, retryLabel: string): HTMLElement {
  return h(
    'div',
    { class: 'notice notice-error', attrs: { role: 'alert' } },
    h('span', { text: message }),
    retry ? h('button', { class: 'link', text: retryLabel, attrs: { type: 'button' }, on: { click: retry } }) : null,
  );
}

export const emptyNotice = (message: string) => h('p', { class: 'notice', text: message });
