import { escapeHtml } from '#shared/http/html.ts';
import { PAGE_ICON } from '#shared/http/page-icon.ts';
import type { Locale } from '#shared/config/schema.ts';
import { surveyQuestions } from '#shared/domain/survey-questions.ts';
import type { WebSurveyView } from '#shared/use-cases/web-survey.ts';

/** The web survey's pages: the form, its thanks, and friendly answers for bad, used or closed links. */
const text = {
  'zh-CN': {
    title: '服务评价',
    greeting: (name?: string) => (name ? `${name}您好，` : '您好，'),
    thanksForVisiting: (store: string) => `感谢您光临${store}。`,
    reason: '能说说主要原因吗？（选填）',
    submit: '提交',
    pickScore: '请先选择一个分数。',
    thanks: '感谢您的反馈！',
    thanksBody: '我们会认真对待您的每一条意见。',
    sorry: '很抱歉让您失望了。',
    sorryBody: '负责人会尽快联系您。感谢您告诉我们。',
    notFound: '这个链接无效。',
    notFoundBody: '请检查短信中的链接是否完整。',
    used: '这份问卷已经提交过了。',
    usedBody: '感谢您的反馈，每份问卷只能提交一次。',
    closed: '本次调查已结束。',
    closedBody: '感谢您的关注。',
  },
  en: {
    title: 'Rate your service',
    greeting: (name?: string) => (name ? `Hi ${name}, ` : 'Hello, '),
    thanksForVisiting: (store: string) => `thank you for visiting ${store}.`,
    reason: 'What is the main reason for your score? (optional)',
    submit: 'Send',
    pickScore: 'Please choose a score first.',
    thanks: 'Thank you for your feedback!',
    thanksBody: 'Every answer helps us do better.',
    sorry: "We're sorry we let you down.",
    sorryBody: 'A manager will contact you soon. Thank you for telling us.',
    notFound: 'This link is not valid.',
    notFoundBody: 'Please check that the link from your text message is complete.',
    used: 'This survey has already been answered.',
    usedBody: 'Thank you: each survey takes one answer.',
    closed: 'This survey has closed.',
    closedBody: 'Thank you for your interest.',
  },
} as const;

function layout(locale: Locale, body: string): string {
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${text[locale].title}</title>
${PAGE_ICON}
<style>
  *{box-sizing:border-box}
  body{font:17px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f5f7fa;color:#1d2733}
  main{max-width:520px;margin:0 auto;padding:24px 16px 40px}
  h1{font-size:22px;line-height:1.3;margin:8px 0 16px}
  fieldset{border:0;padding:0;margin:0 0 20px}
  legend{font-weight:600;margin-bottom:12px}
  .scale{display:grid;grid-template-columns:repeat(auto-fit,minmax(44px,1fr));gap:8px}
  .scale input{position:absolute;opacity:0;width:1px;height:1px}
  .scale label{display:flex;align-items:center;justify-content:center;min-height:48px;border:1px solid #c7ced8;border-radius:10px;background:#fff;font-weight:600;cursor:pointer}
  .scale input:checked+label{background:#2563eb;border-color:#2563eb;color:#fff}
  .scale input:focus-visible+label{outline:3px solid #93c5fd;outline-offset:2px}
  .anchors{display:flex;justify-content:space-between;font-size:14px;color:#5b6878;margin-top:6px}
  label.reason{display:block;font-weight:600;margin-bottom:8px}
  textarea{width:100%;min-height:110px;font:inherit;padding:10px;border:1px solid #c7ced8;border-radius:10px}
  button{width:100%;margin-top:20px;min-height:52px;font:inherit;font-weight:600;background:#2563eb;color:#fff;border:0;border-radius:12px}
  .error{color:#b91c1c;font-weight:600}
  p.lead{color:#5b6878;margin:0 0 20px}
</style></head>
<body><main>${body}</main></body></html>`;
}

export function surveyForm(view: WebSurveyView, token: string, error?: string): string {
  const t = text[view.survey.locale];
  const q = surveyQuestions[view.survey.locale][view.survey.surveyType];
  const options = [];
  for (let score = view.scale.min; score <= view.scale.max; score++) {
    options.push(
      `<input type="radio" name="score" id="score-${score}" value="${score}" required><label for="score-${score}">${score}</label>`,
    );
  }
  return layout(
    view.survey.locale,
    `<h1>${escapeHtml(t.title)}</h1>
<p class="lead">${escapeHtml(t.greeting(view.survey.customerName) + t.thanksForVisiting(view.storeName))}</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/s/${escapeHtml(token)}">
  <fieldset>
    <legend>${escapeHtml(q.question)}</legend>
    <div class="scale">${options.join('')}</div>
    <div class="anchors" aria-hidden="true"><span>${view.scale.min} = ${escapeHtml(q.low)}</span><span>${view.scale.max} = ${escapeHtml(q.high)}</span></div>
  </fieldset>
  <label class="reason" for="reason">${escapeHtml(t.reason)}</label>
  <textarea id="reason" name="reason" maxlength="1600"></textarea>
  <button type="submit">${escapeHtml(t.submit)}</button>
</form>`,
  );
}

export const pickScoreMessage = (locale: Locale) => text[locale].pickScore;

export function resultPage(locale: Locale, outcome: 'thanks' | 'sorry' | 'notFound' | 'used' | 'closed'): string {
  const t = text[locale];
  const pages: Record<typeof outcome, [string, string]> = {
    thanks: [t.thanks, t.thanksBody],
    sorry: [t.sorry, t.sorryBody],
    notFound: [t.notFound, t.notFoundBody],
    used: [t.used, t.usedBody],
    closed: [t.closed, t.closedBody],
  };
  const [title, body] = pages[outcome];
  return layout(locale, `<h1>${escapeHtml(title)}</h1><p class="lead">${escapeHtml(body)}</p>`);
}
