import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, heads, stack, tokens, waitFor } from '../integration/helpers.ts';
import { desktopContext, launchChromium, open, overflowsSideways, phoneContext, screenshot, signInOnForm } from './browser.ts';

/**
 * The retention panel against a real local stack, on a store no other browser test writes to:
 * 12 promoters of whom 11 came back, 12 detractors of whom 2 did (imported history).
 */
const STORE = 'sg-jurong';
const DAY = 86_400_000;
const iso = (daysAgo: number) => `${new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 19)}+00:00`;

async function seedHistory() {
  const run = randomUUID().slice(0, 8);
  const rows = ['eventId,occurredAt,storeId,serviceType,phone,score'];
  for (let i = 0; i < 24; i++) {
    const phone = `97${String(Math.floor(Math.random() * 1e3)).padStart(3, '0')}${String(i).padStart(3, '0')}`;
    const promoter = i < 12;
    rows.push(`E2E-RET-${run}-${i}-a,${iso(20)},${STORE},maintenance,${phone},${promoter ? 10 : 2}`);
    if (promoter ? i < 11 : i < 14) rows.push(`E2E-RET-${run}-${i}-b,${iso(6)},${STORE},maintenance,${phone},`);
  }
  const imported = await api('/v1/imports', {
    token: tokens.ingest,
    body: rows.join('\n'),
    headers: { 'content-type': 'text/csv; charset=utf-8' },
  });
  expect(imported.status).toBe(200);
  const from = new Date(Date.now() - 29 * DAY).toISOString().slice(0, 10);
  const to = new Date(Date.now() + DAY).toISOString().slice(0, 10);
  await waitFor(async () => {
    const { body } = await api(`/v1/retention?from=${from}&to=${to}&storeId=${STORE}`, { token: tokens.cx });
    return body.buckets?.[0]?.classes?.[0]?.surveyed >= 12 && body.buckets[0].classes[2].surveyed >= 12;
  }, 'the imported answers in their cohorts');
}

const settled = (page: Page) => page.waitForFunction(() => document.querySelector('[aria-busy]') === null);

async function signedIn(context: BrowserContext) {
  const { page, errors } = await open(context, `/#metric=nps&range=30d&store=${STORE}`);
  // The dashboard sends the browser to the provider's sign-in form and comes back signed in.
  await signInOnForm(page, heads.cx);
  await page.locator('#retention .retention-rows').waitFor();
  await settled(page);
  return { page, errors };
}

describe('the retention panel', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    await seedHistory();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('answers whether promoters come back more, with each interval drawn, on a desktop', async () => {
    const context = await desktopContext(browser, stack.url);
    const { page, errors } = await signedIn(context);
    const panel = page.locator('#retention');

    // 11/12 against 2/12: [64.6%, 98.5%] and [4.7%, 44.8%] do not overlap.
    await expect(panel.locator('.retention-answer.verdict-more').textContent()).resolves.toContain('是的');
    const promoters = panel.locator('.retention-row').first();
    await expect(promoters.textContent()).resolves.toContain('91.7% 回店 · n = 12 · 95% 64.6%–98.5%');
    await expect(promoters.locator('.retention-band').count()).resolves.toBe(1);
    // No passives surveyed: said so, no band drawn.
    const passives = panel.locator('.retention-row').nth(1);
    await expect(passives.textContent()).resolves.toContain('数据不足');
    await expect(passives.locator('.retention-band').count()).resolves.toBe(0);
    // The seeded customers are counted by segment (one or two visits, no spend: new or potential loyalists).
    const segmentCount = async (s: string) => Number(await panel.locator(`li[data-segment="${s}"] strong`).textContent());
    expect((await segmentCount('new')) + (await segmentCount('potential_loyalists'))).toBeGreaterThanOrEqual(24);
    // The 365-day horizon is a click away.
    await panel.getByRole('button', { name: '365 天内' }).click();
    await page.locator('#retention button[aria-pressed="true"]', { hasText: '365' }).waitFor();
    await settled(page);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'retention-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("tells a department head that retention is the CX team's, without an error", async () => {
    const context = await desktopContext(browser, stack.url);
    const { page, errors } = await open(context, '/');
    await signInOnForm(page, heads.workshop);
    await page.locator('#retention .notice').waitFor();

    await expect(page.locator('#retention .notice').textContent()).resolves.toContain('仅对客户体验团队开放');
    expect(await page.locator('#retention .notice-error').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a phone (390×844) without sideways scrolling', async () => {
    const context = await phoneContext(browser, stack.url);
    const { page, errors } = await signedIn(context);

    expect(await overflowsSideways(page)).toBe(false);
    await page.locator('#retention').scrollIntoViewIfNeeded();
    await screenshot(page, 'retention-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});
