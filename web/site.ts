/**
 * The pages as a static site: which file answers which path, and the headers the files are
 * served with. One module for both runtimes: in AWS, CloudFront's viewer-request function and
 * response headers policy (infra/constructs/pages.ts) are made from it; locally, the runtime's
 * file server (local/static-site.ts) reads it, so the browser tests see what AWS serves.
 */

/** The pages' scripts and styles, under names that change with their content. */
export const ASSETS_PREFIX = 'assets/';
/** The sign-in client (issuer, public client id, scopes), written when the stack deploys or starts. */
export const SIGN_IN_FILE = 'sign-in.json';

/** Page paths and the file that answers each; any other path is a file of the site by its own name. */
export const pageRoutes: readonly { pattern: string; file: string }[] = [
  { pattern: '^/$', file: 'index.html' },
  { pattern: '^/inbox$', file: 'inbox.html' },
  { pattern: '^/inbox/alerts/[^/]+$', file: 'inbox.html' },
  { pattern: '^/inbox/callbacks$', file: 'inbox.html' },
  { pattern: '^/inbox/callbacks/[^/]+$', file: 'inbox.html' },
  { pattern: '^/auth/callback$', file: 'auth/callback.html' },
];

/** The site file (a key without the leading slash) a request path reads. */
export function siteFileFor(path: string): string {
  const page = pageRoutes.find((r) => new RegExp(r.pattern).test(path));
  return page ? page.file : path.replace(/^\/+/, '');
}

/**
 * The same mapping as a CloudFront Function (cloudfront-js-2.0), which rewrites the URI before
 * the bucket is asked: S3 holds `inbox.html`, not one object per case.
 */
export const pagePathsFunctionCode = `var routes = ${JSON.stringify(pageRoutes.map((r) => [r.pattern, `/${r.file}`]))};
function handler(event) {
  var request = event.request;
  for (var i = 0; i < routes.length; i++) {
    if (new RegExp(routes[i][0]).test(request.uri)) {
      request.uri = routes[i][1];
      break;
    }
  }
  return request;
}`;

/** How long a browser keeps a file: a page names the current scripts, so it is checked each time; a hashed asset never changes. */
export const cacheControlFor = (file: string) =>
  file.startsWith(ASSETS_PREFIX) ? 'public, max-age=31536000, immutable' : 'no-cache';

/** Two years, subdomains included: what HSTS preload lists ask for. */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;
export const REFERRER_POLICY = 'no-referrer';

/**
 * No inline script or style anywhere: scripts and styles come from this origin only; the pages
 * talk to this origin (the API shares it) and to the sign-in issuer's origins (discovery, token).
 */
export function contentSecurityPolicy(signInOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ${["'self'", ...signInOrigins].join(' ')}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The security headers of every file of the site, as CloudFront's response headers policy sets them. */
export function securityHeaders(signInOrigins: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(signInOrigins),
    'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': REFERRER_POLICY,
  };
}
