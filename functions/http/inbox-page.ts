import type { Config } from '#shared/config/schema.ts';
import type { SignInClient } from '#shared/config/sign-in.ts';
import { escapeHtml } from '#shared/http/html.ts';
import { SIGN_IN_ELEMENT_ID } from '#web/auth/page-data.ts';
import { INBOX_ELEMENT_ID, type InboxBootstrap } from '#web/inbox/bootstrap.ts';
import { scriptJson } from '../lib/app-page.ts';

const inboxBootstrap = (config: Readonly<Config>): InboxBootstrap => ({
  brand: config.brand.name,
  defaultLocale: config.defaultLocale,
  stores: config.stores.map((s) => ({ id: s.id, name: s.name })),
  departments: config.departments.map((d) => ({ id: d.id, name: d.name })),
  closure: config.closure,
});

const head = (config: Readonly<Config>, title: string, styles: string) => `<!doctype html>
<html lang="${config.defaultLocale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<style>${styles}</style>
</head>`;

/**
 * The department heads' inbox and case pages (one shell; the client picks the view from the
 * path): the installation's names and closure lists and the sign-in client as JSON, the
 * compiled client (web/inbox/) from /assets.
 */
export function inboxPage(config: Readonly<Config>, assets: { scriptName: string; styles: string }, signIn: SignInClient) {
  return `${head(config, `ClosedLoop · ${config.brand.name}`, assets.styles)}
<body>
<div id="app"><noscript>ClosedLoop needs JavaScript. / 请启用 JavaScript。</noscript></div>
<script type="application/json" id="${INBOX_ELEMENT_ID}">${scriptJson(inboxBootstrap(config))}</script>
<script type="application/json" id="${SIGN_IN_ELEMENT_ID}">${scriptJson(signIn)}</script>
<script src="/assets/${assets.scriptName}" defer></script>
</body></html>`;
}

/** The sign-in callback: a line of status while its script trades the code, and a way back if that fails. */
export function callbackPage(config: Readonly<Config>, scriptName: string, signIn: SignInClient) {
  const en = config.defaultLocale === 'en';
  return `${head(config, en ? 'Signing in…' : '正在登录…', 'body{font:16px/1.5 system-ui,sans-serif;margin:2rem 1.25rem;color:#1f2328}')}
<body>
<main>
<h1>${en ? 'Signing in…' : '正在登录…'}</h1>
<p id="status" aria-live="polite">${en ? 'One moment.' : '请稍候。'}</p>
<p id="again" hidden><a href="/inbox">${en ? 'Open the inbox again' : '重新打开工单'}</a></p>
</main>
<script type="application/json" id="${SIGN_IN_ELEMENT_ID}">${scriptJson(signIn)}</script>
<script src="/assets/${scriptName}" defer></script>
</body></html>`;
}
