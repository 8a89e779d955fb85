import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOnTheWeb, api, heads, stack, tokens, waitFor } from '../integration/helpers.ts';
import { desktopContext, launchChromium, open, overflowsSideways, phoneContext, screenshot, signInOnForm } from './browser.ts';

/**
 * The integrity panel against a real local stack: an advisor at the link-mode store whose
 * customers answer the web form at once, from the store's network (this machine, in the test
 * config), and the tiles' score without those flagged answers.
 */
const ADVISOR = `A-int-${randomUUID().slice(0, 6)}`;
const STORE = 'sz-futian';
const COMMENT = '师傅让我当场填的';

const answerAtTheCounter = (score: number) =>
  answerOnTheWeb({ storeId: STORE, advisorId: ADVISOR }, { score: String(score), reason: COMMENT });

const settled = (page: Page) => page.waitForFunction(() => document.querySelector('[aria-busy]') === null);

async function signedIn(context: BrowserContext) {
  const { page, errors } = await open(context, '/');
  // The dashboard sends the browser to the provider's sign-in form and comes back signed in.
  await signInOnForm(page, heads.cx);
  await page.locator('#integrity table').waitFor();
  await settled(page);
  return { page, errors };
}

async function drillToAdvisor(page: Page) {
  const panel = page.locator('#integrity');
  await panel.locator(`button[data-group="${STORE}"]`).click();
  await panel.locator(`button[data-group="${ADVISOR}"]`).click();
  await panel.locator('.integrity-answers li').first().waitFor();
  return panel;
}

describe('the integrity panel', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    for (const score of [10, 10, 10]) await answerAtTheCounter(score);
    // The visits' day in the store's time zone (Asia/Shanghai, UTC+8).
    const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    await waitFor(async () => {
      const { body } = await api(`/v1/integrity?from=${day}&to=${day}&granularity=day&groupBy=advisor&storeId=${STORE}`, {
        token: tokens.cx,
      });
      return body.groups?.find(
        (g: { group: string; answers: { flagged: number } }) => g.group === ADVISOR && g.answers.flagged === 3,
      );
    }, 'the flagged answers in the rollups');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the store, drills to the advisor and their flagged answers with the words, on a desktop', async () => {
    const context = await desktopContext(browser, stack.url);
    const { page, errors } = await signedIn(context);

    const storeRow = page.locator('#integrity tbody tr').filter({ has: page.locator(`button[data-group="${STORE}"]`) });
    await expect(storeRow.locator('td.warn').count()).resolves.toBeGreaterThan(0);
    const panel = await drillToAdvisor(page);

    const advisorRow = panel.locator('tbody tr').filter({ has: page.locator(`button[data-group="${ADVISOR}"]`) });
    // The signals in the page's language (zh-CN), the API's English explanation on hover.
    await expect(advisorRow.locator('td.signals').textContent()).resolves.toContain('来自门店网络的网页回答');
    await expect(advisorRow.locator('td.signals').getAttribute('title')).resolves.toContain(
      "web answers came from the store's network",
    );
    const answers = panel.locator('.integrity-answers li');
    await expect(answers.count()).resolves.toBe(3);
    await expect(answers.first().textContent()).resolves.toContain(COMMENT);
    await expect(answers.first().locator('.flags').textContent()).resolves.toContain('来自门店网络');
    // The NPS tile carries the score without the flagged answers beside it.
    await expect(page.locator('.tile[data-metric="nps"] .tile-unflagged').textContent()).resolves.toContain('去除被标记回答');
    await screenshot(page, 'integrity-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a phone (390×844) without sideways scrolling, the table scrolling on its own', async () => {
    const context = await phoneContext(browser, stack.url);
    const { page, errors } = await signedIn(context);
    await drillToAdvisor(page);

    expect(await overflowsSideways(page)).toBe(false);
    await page.locator('#integrity').scrollIntoViewIfNeeded();
    await screenshot(page, 'integrity-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});
