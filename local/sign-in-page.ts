/** The local provider's sign-in form: phone-sized first, zh-CN and en, one username and one password. */
import { escapeHtml } from '#shared/http/html.ts';
import { PAGE_ICON } from '#shared/http/page-icon.ts';
type Locale = 'zh-CN' | 'en';
type Problem = 'wrong' | 'missing' | 'expired';

const text = {
  'zh-CN': {
    title: '登录 ClosedLoop',
    intro: '请使用您的工作账号登录。',
    username: '用户名',
    password: '密码',
    submit: '登录',
    wrong: '用户名或密码不正确。',
    missing: '请填写用户名和密码。',
    expired: '登录已过期，请返回原页面重新打开链接。',
  },
  en: {
    title: 'Sign in to ClosedLoop',
    intro: 'Sign in with your work account.',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    wrong: 'That username and password do not match.',
    missing: 'Enter your username and password.',
    expired: 'This sign-in has expired: go back and open the link again.',
  },
} satisfies Record<Locale, Record<string, string>>;

export function renderSignInPage(options: { action: string; locale: Locale; error?: Problem | undefined; username: string }) {
  const t = text[options.locale];
  const problem = options.error ? `<p class="error" role="alert" id="problem">${t[options.error]}</p>` : '';
  const form =
    options.error === 'expired'
      ? ''
      : `<form method="post" action="${escapeHtml(options.action)}">
      <label for="username">${t.username}</label>
      <input id="username" name="username" autocomplete="username" autocapitalize="none" required value="${escapeHtml(options.username)}"${options.error ? ' aria-describedby="problem"' : ''}>
      <label for="password">${t.password}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">${t.submit}</button>
    </form>`;
  return `<!doctype html>
<html lang="${options.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${PAGE_ICON}
<title>${t.title}</title>
<style>
  body { font: 16px/1.5 system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", sans-serif; margin: 0; background: #f6f8fa; color: #1f2328; }
  main { max-width: 24rem; margin: 0 auto; padding: 2rem 1.25rem; }
  h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
  label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
  input { box-sizing: border-box; width: 100%; font: inherit; padding: .75rem; border: 1px solid #6e7781; border-radius: .5rem; background: #fff; }
  button { margin-top: 1.5rem; width: 100%; min-height: 3rem; font: inherit; font-weight: 600; color: #fff; background: #0969da; border: 0; border-radius: .5rem; }
  .error { color: #a40e26; background: #ffebe9; padding: .75rem; border-radius: .5rem; }
</style>
</head>
<body>
<main>
  <h1>${t.title}</h1>
  <p>${t.intro}</p>
  ${problem}
  ${form}
</main>
</body>
</html>`;
}
