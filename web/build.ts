/**
 * Builds the pages as a static site: the dashboard (web/dashboard/, TypeScript + Chart.js), the
 * inbox and case pages (web/inbox/) and the sign-in callback (web/auth/), each an HTML file
 * naming its script and styles under /assets by their content hash. The HTML carries the
 * installation's display names and targets from the config (known when the site is built);
 * the sign-in client is not known until the stack deploys or starts, so the pages read it from
 * /sign-in.json (web/site.ts), which the deployment or the local runtime writes beside them.
 *
 * Why a directory of files: in AWS, a BucketDeployment copies it to the pages bucket behind
 * CloudFront (infra/constructs/pages.ts); locally, the runtime serves the same directory with
 * the same headers (local/static-site.ts). No Lambda serves a page.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { Config } from '#shared/config/schema.ts';
import { escapeHtml } from '#shared/http/html.ts';
import { PAGE_ICON } from '#shared/http/page-icon.ts';
import { BOOTSTRAP_ELEMENT_ID, type DashboardBootstrap } from './dashboard/bootstrap.ts';
import { INBOX_ELEMENT_ID, type InboxBootstrap } from './inbox/bootstrap.ts';
import { ASSETS_PREFIX } from './site.ts';

const here = dirname(fileURLToPath(import.meta.url));

const entries = {
  dashboard: 'dashboard/main.ts',
  'dashboard-styles': 'dashboard/styles.css',
  inbox: 'inbox/main.ts',
  'inbox-styles': 'inbox/styles.css',
  callback: 'auth/callback.ts',
  'callback-styles': 'auth/callback.css',
};
type Page = 'dashboard' | 'inbox' | 'callback';

/** The site's files by key (`index.html`, `assets/dashboard.<hash>.js`…). */
export type SiteFiles = Record<string, string>;

/** Compiles the pages' clients: each page's script and styles under their content-hashed asset keys. */
function compileAssets(): { files: SiteFiles; assets: Record<Page, { script: string; styles: string }> } {
  const { outputFiles } = buildSync({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(here, file)])),
    outdir: join(here, 'dist'),
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome109', 'edge109', 'firefox115', 'safari15.4'],
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files: SiteFiles = {};
  const hashed = (name: string, extension: 'js' | 'css') => {
    const file = outputFiles.find((f) => f.path.endsWith(`/${name}.${extension}`));
    if (!file) throw new Error(`esbuild produced no ${name}.${extension}`);
    const page = name.replace(/-styles$/, '');
    const key = `${ASSETS_PREFIX}${page}.${createHash('sha256').update(file.text).digest('hex').slice(0, 12)}.${extension}`;
    files[key] = file.text;
    return `/${key}`;
  };
  const page = (name: Page) => ({ script: hashed(name, 'js'), styles: hashed(`${name}-styles`, 'css') });
  return { files, assets: { dashboard: page('dashboard'), inbox: page('inbox'), callback: page('callback') } };
}

/** JSON for a `<script type="application/json">`: data, never markup. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** What the dashboard needs to know about this installation: display names and targets, never tokens. */
const dashboardBootstrap = (config: Readonly<Config>): DashboardBootstrap => ({
  brand: config.brand.name,
  defaultLocale: config.defaultLocale,
  stores: config.stores.map((s) => ({ id: s.id, name: s.name })),
  departments: config.departments.map((d) => ({ id: d.id, name: d.name })),
  serviceTypes: config.surveyPlans.map((p) => ({ id: p.serviceType, survey: p.survey, name: p.name })),
  targets: config.targets,
  minResponses: config.minResponses,
  resolutions: config.closure.resolutions,
});

const inboxBootstrap = (config: Readonly<Config>): InboxBootstrap => ({
  brand: config.brand.name,
  defaultLocale: config.defaultLocale,
  stores: config.stores.map((s) => ({ id: s.id, name: s.name })),
  departments: config.departments.map((d) => ({ id: d.id, name: d.name })),
  serviceTypes: config.surveyPlans.map((p) => ({ id: p.serviceType, name: p.name })),
  closure: config.closure,
});

/** A page: its styles and deferred script from /assets, no inline script or style (the CSP allows none). */
function html(config: Readonly<Config>, title: string, assets: { script: string; styles: string }, body: string) {
  return `<!doctype html>
<html lang="${config.defaultLocale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
${PAGE_ICON}
<meta name="referrer" content="no-referrer">
<link rel="stylesheet" href="${assets.styles}">
</head>
<body>
${body}
<script src="${assets.script}" defer></script>
</body></html>
`;
}

/** The site's files for this config: the three pages and their assets (the sign-in client comes later). */
export function siteFiles(config: Readonly<Config>): SiteFiles {
  const { files, assets } = compileAssets();
  const title = `ClosedLoop · ${config.brand.name}`;
  const en = config.defaultLocale === 'en';
  files['index.html'] = html(
    config,
    title,
    assets.dashboard,
    `<div id="app"><noscript>ClosedLoop needs JavaScript to show the dashboard. / 请启用 JavaScript 以查看仪表盘。</noscript></div>
<script type="application/json" id="${BOOTSTRAP_ELEMENT_ID}">${scriptJson(dashboardBootstrap(config))}</script>`,
  );
  // One shell for the inbox and every case page: the client picks the view from the path.
  files['inbox.html'] = html(
    config,
    title,
    assets.inbox,
    `<div id="app"><noscript>ClosedLoop needs JavaScript. / 请启用 JavaScript。</noscript></div>
<script type="application/json" id="${INBOX_ELEMENT_ID}">${scriptJson(inboxBootstrap(config))}</script>`,
  );
  // A line of status while its script trades the code, and a way back if that fails.
  files['auth/callback.html'] = html(
    config,
    en ? 'Signing in…' : '正在登录…',
    assets.callback,
    `<main>
<h1>${en ? 'Signing in…' : '正在登录…'}</h1>
<p id="status" aria-live="polite">${en ? 'One moment.' : '请稍候。'}</p>
<p id="again" hidden><a href="/inbox">${en ? 'Open the inbox again' : '重新打开工单'}</a></p>
</main>`,
  );
  return files;
}

/** Writes files under a directory, replacing what was there. */
export function writeSite(files: SiteFiles, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [key, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), text);
  }
}

/**
 * Builds the site into a directory named after its content (under the system's temporary
 * directory) and answers it: the same config and code give the same directory, which a
 * concurrent build never sees half written (it is renamed into place).
 */
export function buildSite(config: Readonly<Config>): string {
  const files = siteFiles(config);
  const hash = createHash('sha256');
  for (const key of Object.keys(files).sort())
    hash
      .update(key)
      .update('\0')
      .update(files[key] ?? '')
      .update('\0');
  const dir = join(tmpdir(), `closedloop-site-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) return dir;
  const temporary = `${dir}.${randomUUID()}.tmp`;
  writeSite(files, temporary);
  try {
    renameSync(temporary, dir);
  } catch (error) {
    // Another build of the same content got there first.
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { loadConfigFile } = await import('#shared/config/load.ts');
  const files = siteFiles(loadConfigFile(process.env.CLOSEDLOOP_CONFIG ?? 'config/local.json'));
  for (const [key, text] of Object.entries(files)) console.log(`${key}: ${text.length} bytes`);
}
