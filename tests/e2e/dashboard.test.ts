import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answeredSurvey, api, countItems, scores, stack, tokens, waitFor } from '../integration/helpers.ts';
import { desktopContext, launchChromium, open, overflowsSideways, screenshot } from './browser.ts';

const config = JSON.parse(readFileSync(stack.configPath, 'utf8'));
const departmentName = (id: string): string => config.departments.find((d: { id: string }) => d.id === id).name;
const ADVISOR = 'A-e2e-dashboard';
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** Wide enough for a visit three hours ago in any store's local calendar. */
const aroundToday = `from=${day(-2)}&to=${day(2)}`;

interface Counts {
  responses: number;
  promoters: number;
  detractors: number;
}
const npsOf = (buckets: Counts[]) => {
  const n = buckets.reduce((sum, b) => sum + b.responses, 0);
  const net = buckets.reduce((sum, b) => sum + b.promoters - b.detractors, 0);
  return { n, nps: Math.round((net / n) * 1000) / 10 };
};

async function loadWithToken(page: Page, token: string) {
  await page.getByLabel('access token').fill(token);
  await page.getByRole('button', { name: 'Load' }).click();
}

describe('CX dashboard page', () => {
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
  });

  it('shows the score tiles, the NPS by store and the open alerts with the customers’ words', async () => {
    const detractors = [
      { score: '3', reason: '等了三个小时，车还没修好' },
      { score: '2', reason: '价格太贵了，收费也不透明' },
    ];
    const answered = await Promise.all([
      answeredSurvey('10', '师傅很专业，讲解很清楚', { advisorId: ADVISOR }),
      answeredSurvey('9', '服务很周到', { advisorId: ADVISOR }),
      ...detractors.map((d) => answeredSurvey(d.score, d.reason, { advisorId: ADVISOR })),
    ]);
    const detractorSurveys = answered.slice(2).map((a) => a.surveyId);
    const openAlerts = async (): Promise<{ surveyId: string; departmentId: string; comment: string }[]> =>
      (await api('/v1/alerts?status=open', { token: tokens.cx })).body.alerts;
    await waitFor(async () => {
      const alerts = await openAlerts();
      return detractorSurveys.every((id) => alerts.some((a) => a.surveyId === id));
    }, 'an open alert for each detractor');
    await waitFor(async () => {
      const { body } = await scores(`metric=nps&groupBy=advisor&advisorId=${ADVISOR}&${aroundToday}`);
      return body.buckets[0]?.responses === 4;
    }, 'the four answers in the rollups');
    // Nothing is moving any more (a detractor's other alerts, earlier tests' answers): the page and the API agree.
    await countItems();
    const alerts = (await openAlerts()).filter((a) => detractorSurveys.includes(a.surveyId));
    context = await desktopContext(browser, stack.url);

    const { page, errors } = await open(context, '/');
    await loadWithToken(page, tokens.cx);
    const npsTile = page.locator('.tile').filter({ has: page.getByRole('heading', { name: 'NPS', exact: true }) });
    await npsTile.waitFor();

    const range = `from=${await page.getByLabel('From', { exact: true }).inputValue()}&to=${await page.getByLabel('To', { exact: true }).inputValue()}`;
    const overall = npsOf((await scores(`metric=nps&granularity=month&${range}`)).body.buckets);
    expect(await npsTile.locator('.value').textContent()).toBe(String(overall.nps));
    expect(await npsTile.locator('.sub').textContent()).toBe(`${overall.n} answers`);
    for (const label of ['CSAT %', 'CES (1–7)']) {
      await page.getByRole('heading', { name: label, exact: true }).waitFor();
    }

    const pudong = npsOf((await scores(`metric=nps&granularity=month&groupBy=store&storeId=sh-pudong&${range}`)).body.buckets);
    const storeRow = page.locator('#stores').getByRole('row').filter({ hasText: '浦东服务中心' });
    const storeCells = await storeRow.getByRole('cell').allTextContents();
    expect(storeCells.slice(0, 4)).toEqual(['浦东服务中心', String(pudong.nps), expect.stringMatching(/^±\d/), String(pudong.n)]);

    for (const { score, reason } of detractors) {
      const rows = page.locator('#alerts').getByRole('row').filter({ hasText: reason });
      const routedTo = alerts.filter((a) => a.comment === reason).map((a) => a.departmentId);
      expect(await rows.count()).toBe(routedTo.length);
      for (const row of await rows.all()) {
        const [, department, store, shownScore, comment, status] = await row.getByRole('cell').allTextContents();
        expect(routedTo.map(departmentName)).toContain(department);
        expect({ store, shownScore, comment, status }).toEqual({
          store: '浦东服务中心',
          shownScore: `NPS ${score}`,
          comment: reason,
          status: 'open',
        });
      }
    }
    expect(await page.locator('#alerts').textContent()).not.toContain('服务很周到');
    expect(await page.getByRole('status').isHidden()).toBe(true);
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'dashboard-loaded');
    expect(errors).toEqual([]);
  });

  it('says why nothing loads when the token is wrong, and leaves no earlier figures on screen', async () => {
    context = await desktopContext(browser, stack.url);
    const { page, errors } = await open(context, '/');
    const shownData = () => page.locator('.tile, #stores tbody tr, #alerts tbody tr').count();

    await loadWithToken(page, 'not-a-real-token');
    await page.getByRole('status').filter({ hasText: 'unknown token' }).waitFor();
    expect(await shownData()).toBe(0);
    await screenshot(page, 'dashboard-wrong-token');

    await loadWithToken(page, tokens.cx);
    await page.locator('.tile').first().waitFor();
    expect(await page.getByRole('status').isHidden()).toBe(true);

    await loadWithToken(page, 'not-a-real-token');
    await page.getByRole('status').filter({ hasText: 'unknown token' }).waitFor();
    expect(await shownData()).toBe(0);
    expect(errors).toEqual([]);
  });
});
