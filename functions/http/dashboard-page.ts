import { escapeHtml } from '#shared/http/html.ts';
import { PAGE_ICON } from '#shared/http/page-icon.ts';
import type { Config } from '#shared/config/schema.ts';
import type { SignInClient } from '#shared/config/sign-in.ts';
import { SIGN_IN_ELEMENT_ID } from '#web/auth/page-data.ts';
import { BOOTSTRAP_ELEMENT_ID, type DashboardBootstrap } from '#web/dashboard/bootstrap.ts';
import { scriptJson } from '../lib/app-page.ts';

/** What the browser code needs to know about this installation: display names and targets, never tokens. */
function dashboardBootstrap(config: Readonly<Config>): DashboardBootstrap {
  return {
    brand: config.brand.name,
    defaultLocale: config.defaultLocale,
    stores: config.stores.map((s) => ({ id: s.id, name: s.name })),
    departments: config.departments.map((d) => ({ id: d.id, name: d.name })),
    serviceTypes: config.surveyPlans.map((p) => ({ id: p.serviceType, survey: p.survey })),
    targets: config.targets,
    minResponses: config.minResponses,
    resolutions: config.closure.resolutions,
  };
}

/**
 * The CX dashboard's page: a shell with the styles inline, the installation's names and targets
 * and the sign-in client as JSON, and the compiled client (web/dashboard/) from /assets. The
 * client signs the viewer in and reads the API with their own token.
 */
export function dashboardPage(
  config: Readonly<Config>,
  assets: { scriptName: string; styles: string },
  signIn: SignInClient,
): string {
  const data = scriptJson(dashboardBootstrap(config));
  const title = escapeHtml(`ClosedLoop · ${config.brand.name}`);
  return `<!doctype html>
<html lang="${config.defaultLocale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
${PAGE_ICON}
<meta name="referrer" content="no-referrer">
<style>${assets.styles}</style>
</head>
<body>
<div id="app"><noscript>ClosedLoop needs JavaScript to show the dashboard. / 请启用 JavaScript 以查看仪表盘。</noscript></div>
<script type="application/json" id="${BOOTSTRAP_ELEMENT_ID}">${data}</script>
<script type="application/json" id="${SIGN_IN_ELEMENT_ID}">${scriptJson(signIn)}</script>
<script src="assets/${assets.scriptName}" defer></script>
</body></html>`;
}
