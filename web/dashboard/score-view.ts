/** How a score reads on screen, wherever it appears: value, margin, status pill and answer mix. */
import type { SurveyType } from '#shared/config/schema.ts';
import type { Context } from './context.ts';
import { h } from './dom.ts';
import { type Figure, ragOf } from './figures.ts';

export function scoreText(ctx: Context, metric: SurveyType, score: number): string {
  switch (metric) {
    case 'nps':
      return `${score > 0 ? '+' : ''}${ctx.f.one(score)}`;
    case 'csat':
      return `${ctx.f.one(score)}%`;
    case 'ces':
      return ctx.f.two(score);
  }
}

export const moeText = (ctx: Context, figure: Figure) =>
  figure.marginOfError === undefined ? '–' : `±${ctx.f.one(figure.marginOfError)}`;

/** Green, amber or red against the target, or grey "not enough data"; always with words, never colour alone. */
export function statusPill(ctx: Context, metric: SurveyType, figure: Figure): HTMLElement {
  if (!figure.enoughData) {
    return h('span', {
      class: 'pill pill-none',
      text: figure.responses === 0 ? ctx.t('noAnswers') : ctx.t('notEnoughData'),
      attrs: { title: ctx.t('notEnoughDataHint', { n: ctx.boot.minResponses }) },
    });
  }
  const rag = ragOf(metric, figure.score, ctx.boot.targets);
  return h('span', { class: `pill pill-${rag}`, text: ctx.t(`rag_${rag}`) });
}

export function targetText(ctx: Context, metric: SurveyType): string {
  const { green, amber } = ctx.boot.targets[metric];
  return ctx.t('target', { green: scoreText(ctx, metric, green), amber: scoreText(ctx, metric, amber) });
}

/** The answers' mix as one bar: good, neutral, bad; its numbers in the title and for screen readers. */
export function mixBar(ctx: Context, metric: SurveyType, figure: Figure): HTMLElement {
  const parts = [
    ['good', figure.good],
    ['neutral', figure.neutral],
    ['bad', figure.bad],
  ] as const;
  const label = parts.map(([kind, n]) => `${ctx.t(`${kind}_${metric}`)} ${ctx.f.integer(n)}`).join(' · ');
  return h(
    'span',
    { class: 'mix', attrs: { role: 'img', 'aria-label': label, title: label } },
    ...parts.map(([kind, n]) => (n > 0 ? h('span', { class: `mix-${kind}`, style: { flexGrow: String(n) } }) : null)),
  );
}
