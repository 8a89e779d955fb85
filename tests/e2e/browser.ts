/** Headless Chromium for the browser tests: one browser per test file, one fresh context per test. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

const SCREENSHOTS = 'tests/e2e/screenshots';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** A phone in a customer's hand (iPhone 12-14 sized), Chinese locale, Shanghai time. */
export function phoneContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return withDefaults(
    browser.newContext({
      baseURL,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    }),
  );
}

/** A CX analyst's laptop in the Shanghai office (or in another language); no animations, so screenshots are stable. */
export function desktopContext(browser: Browser, baseURL: string, locale = 'zh-CN'): Promise<BrowserContext> {
  return withDefaults(
    browser.newContext({
      baseURL,
      viewport: { width: 1280, height: 900 },
      locale,
      timezoneId: 'Asia/Shanghai',
      reducedMotion: 'reduce',
    }),
  );
}

/**
 * One Chromium for the calling test file, and contexts for its tests, each closed when its test
 * ends: the hooks every browser test file needs, registered once.
 */
export function chromiumForFile(baseURL: () => string) {
  let browser: Browser | undefined;
  const opened: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const context of opened.splice(0)) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const kept = async (pending: (running: Browser) => Promise<BrowserContext>) => {
    if (!browser) throw new Error('Chromium is not running: contexts are for tests, after beforeAll');
    const context = await pending(browser);
    opened.push(context);
    return context;
  };
  return {
    phone: () => kept((running) => phoneContext(running, baseURL())),
    desktop: (locale?: string) => kept((running) => desktopContext(running, baseURL(), locale)),
  };
}

async function withDefaults(pending: Promise<BrowserContext>): Promise<BrowserContext> {
  const context = await pending;
  // Below the 60 s test timeout, so a missing element fails with Playwright's own message.
  context.setDefaultTimeout(20_000);
  return context;
}

export interface OpenedPage {
  page: Page;
  /** Uncaught script errors. */
  errors: string[];
  /** What the browser's console shows as errors, e.g. "Failed to load resource … 404". */
  consoleErrors: string[];
  /** Requests that failed on the network or were answered 4xx/5xx, as "<status> <url>". */
  failedRequests: string[];
}

/** Opens a page and records its script errors, console errors and failed requests, which a test expects to stay empty. */
export async function open(context: BrowserContext, path: string): Promise<OpenedPage> {
  const page = await context.newPage();
  const opened: OpenedPage = { page, errors: [], consoleErrors: [], failedRequests: [] };
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') opened.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('requestfailed', (request) => opened.failedRequests.push(`${request.failure()?.errorText} ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) opened.failedRequests.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(path);
  return opened;
}

/** Whether the page is wider than its viewport, i.e. the user would have to scroll sideways. */
export const overflowsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  // From the top: a sticky header would otherwise be drawn where the page was scrolled to.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs a person in on the provider's own form, where a signed-in page sent the browser. */
export async function signInOnForm(page: Page, who: { username: string; password: string }) {
  await page.locator('#username').waitFor();
  await page.locator('#username').fill(who.username);
  await page.locator('#password').fill(who.password);
  await page.locator('button[type="submit"]').click();
}
