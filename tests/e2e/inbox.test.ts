import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { shippedConfig } from '#local/stack-process.ts';
import { defaultClosure } from '#shared/config/schema.ts';
import { segments } from '#shared/domain/rfm.ts';
import { answeredSurvey, api, e164, heads, newPhone, postVisit, stack, tokens, visit, waitFor } from '../integration/helpers.ts';
import { chromiumForFile, open, overflowsSideways, screenshot, signInOnForm } from './browser.ts';

/**
 * A department head closes the loop from the alert's own link, on a phone and on a desktop:
 * signs in on the provider's form, reveals the number, records the call, resolves with a root
 * cause; another department's head is refused. Every page passes axe with no serious or critical finding.
 */
async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * The config's ids that a page could show instead of their names: stores, departments, service
 * types, root causes, resolutions, segments (those with a dash or an underscore, which no word of
 * the pages' own has).
 */
const rawIds = (() => {
  const config = shippedConfig();
  const closure = config.closure ?? defaultClosure;
  return [
    ...config.stores.map((s: { id: string }) => s.id),
    ...config.departments.map((d: { id: string }) => d.id),
    ...config.surveyPlans.map((p: { serviceType: string }) => p.serviceType),
    ...closure.rootCauses,
    ...closure.resolutions.map((r: { id: string }) => r.id),
    ...segments,
  ].filter((id: string) => /[-_]/.test(id));
})();
/** The ids a person reads on the page where a name belongs. */
const rawIdsOn = async (page: Page) => {
  const text = await page.locator('main').innerText();
  return rawIds.filter((id) => text.includes(id));
};

/** The follow-up's step headings, in order. */
const followUpSteps = (page: Page) => page.locator('#follow-up .step h3').allTextContents();

/** Whether the elements come in this order in the page (each present once). */
const inDocumentOrder = (page: Page, selectors: string[]) =>
  page.evaluate((list) => {
    const elements = list.map((selector) => document.querySelectorAll(selector));
    if (elements.some((found) => found.length !== 1)) return false;
    const nodes = elements.map((found) => found[0] as Element);
    return nodes.every(
      (node, i) => i === 0 || (nodes[i - 1] as Element).compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING,
    );
  }, selectors);

/** A workshop detractor, and the case link its webhook delivery carries. */
async function deliveredWorkshopCase() {
  const { phone, surveyId } = await answeredSurvey('2', '车修完还是有异响，返修两次了');
  const alert = await waitFor(
    async () => {
      const { body } = await api('/v1/alerts?limit=200', { token: tokens.cx });
      return body.alerts.find(
        (a: { surveyId: string; departmentId: string }) => a.surveyId === surveyId && a.departmentId === 'workshop',
      ) as { id: string } | undefined;
    },
    "the workshop's alert",
    60_000,
  );
  const link = await waitFor(
    async () => {
      const { body } = await api('/dev/webhooks');
      const found = body.deliveries.find(
        (d: { payload?: { data?: { alert: { id: string } } } }) => d.payload?.data?.alert.id === alert.id,
      );
      return found?.payload.data.links.view as string | undefined;
    },
    'its webhook delivery',
    60_000,
  );
  return { phone, link };
}

/** A loyal customer (three visits of 2,000) whose last visit was 200 days ago, and their retention task's link. */
async function deliveredRetentionTask() {
  const phone = newPhone();
  for (const days of [420, 300, 200]) {
    const occurredAt = new Date(Date.now() - days * 86_400_000).toISOString();
    await postVisit(visit({ storeId: 'sh-minhang', serviceType: 'maintenance', occurredAt, amount: 2000 }, { phone }));
  }
  const link = await waitFor(
    async () => {
      const { body } = await api('/dev/webhooks');
      const found = body.deliveries.find(
        (d: { payload?: { type: string; data?: { alert: { phone: string } } } }) =>
          d.payload?.type === 'retention.raised' && d.payload.data?.alert.phone.endsWith(phone.slice(-4)),
      );
      return found?.payload.data.links.view as string | undefined;
    },
    "the retention task's webhook delivery",
    60_000,
  );
  return { phone, link };
}

describe('inbox and case pages', () => {
  const chromium = chromiumForFile(() => stack.url);

  for (const size of ['phone', 'desktop'] as const) {
    it(`lets the head follow the alert's link, call the customer and close the loop (${size})`, async () => {
      const { phone, link } = await deliveredWorkshopCase();
      const url = new URL(link);
      expect(url.pathname).toMatch(/^\/inbox\/alerts\/al_/);
      const alertId = url.pathname.split('/').at(-1) ?? '';
      // The figures count an alert on its store's local day: a UTC day either side holds today in any time zone.
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const closedLoop = `/v1/closed-loop?from=${day(-1)}&to=${day(1)}&departmentId=workshop`;
      const before = (await api(closedLoop, { token: tokens.cx })).body.overall;

      const context = size === 'phone' ? await chromium.phone() : await chromium.desktop();
      const { page, errors } = await open(context, url.pathname);
      await page.locator('#username').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await signInOnForm(page, heads.workshop);

      await page.locator('#case-title').waitFor();
      expect(new URL(page.url()).pathname).toBe(url.pathname);
      expect(await page.locator('.words').textContent()).toBe('车修完还是有异响，返修两次了');
      // The customer's RFM segment when the alert was raised (one visit: new).
      const visitFacts = await page.locator('section[aria-labelledby="visit-title"] dl').textContent();
      expect(visitFacts).toContain('客户分群新客户');
      // The service type by the config's name for it in the page's language, not its id.
      expect(visitFacts).toContain('服务类型首次保养');
      expect(visitFacts).not.toContain('first_service');
      expect(await seriousViolations(page)).toEqual([]);

      // The follow-up reads as one flow: call, record the outcome, close; one note box for all of it.
      expect(await followUpSteps(page)).toEqual(['致电客户', '记录结果', '结案']);
      expect(await page.locator('#follow-up textarea').count()).toBe(1);
      expect(
        await inDocumentOrder(page, [
          '#reveal',
          '#note',
          'button[data-action="contacted"]',
          'button[data-action="unreachable"]',
          '#root-cause',
          '#resolution',
          'button[data-action="resolved"]',
        ]),
      ).toBe(true);
      await screenshot(page, `inbox-case-actions-${size}`);

      await page.locator('#reveal').click();
      const tel = page.locator('#phone a.tel');
      await tel.waitFor();
      expect(await tel.getAttribute('href')).toBe(`tel:${e164(phone)}`);

      await page.locator('#note').fill('已致电，约明天复检');
      await page.locator('button[data-action="contacted"]').click();
      await page.locator('#timeline li', { hasText: '已致电，约明天复检' }).waitFor();
      // The note went with that action; the box is empty for the next, and the number is still there to call again.
      expect(await page.locator('#note').inputValue()).toBe('');
      expect(await page.locator('#phone a.tel').getAttribute('href')).toBe(`tel:${e164(phone)}`);
      expect(await page.locator('#follow-up').textContent()).toContain('目前：已联系。');

      expect(await page.locator('#root-cause').inputValue()).toBe('repair_quality');
      expect(await page.locator('#root-cause option:checked').textContent()).toBe('维修质量');
      // Resolving without a resolution says what is missing and sends nothing.
      await page.locator('button[data-action="resolved"]').click();
      await page.getByRole('alert').filter({ hasText: '请先选择处理方式' }).waitFor();
      expect(await page.locator('#resolution').getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('resolution');
      await page.locator('#resolution').selectOption('redo_repair');
      await page.locator('#note').fill('返修完成，客户满意');
      await page.locator('button[data-action="resolved"]').click();
      await page.locator('#case-title', { hasText: '已结案' }).waitFor();
      await page.locator('#timeline li', { hasText: '返修完成，客户满意' }).waitFor();
      await page.locator('#timeline li', { hasText: '维修质量 · 返修 / 重新施工' }).waitFor();
      expect(await rawIdsOn(page)).toEqual([]);
      expect(await overflowsSideways(page)).toBe(false);
      await screenshot(page, `inbox-case-${size}`);
      if (size === 'desktop') {
        // In English, the same case names everything in English where the config gives English names.
        await page.locator('#locale').selectOption('en');
        await page.locator('#case-title', { hasText: 'Resolved' }).waitFor();
        expect(await page.locator('section[aria-labelledby="visit-title"] dl').textContent()).toContain('ServiceFirst service');
        await page.locator('#timeline li', { hasText: 'Repair quality · Repair redone' }).waitFor();
        expect(await rawIdsOn(page)).toEqual([]);
        expect(await seriousViolations(page)).toEqual([]);
        await page.locator('#locale').selectOption('zh-CN');
        await page.locator('#case-title', { hasText: '已结案' }).waitFor();
      }

      const alert = (await api(`/v1/alerts/${alertId}`, { token: tokens.cx })).body;
      expect(alert).toMatchObject({
        status: 'resolved',
        rootCause: 'repair_quality',
        resolution: 'redo_repair',
        rootCauseConfirmed: true,
      });
      expect(alert.actions.map((a: { action: string; note?: string }) => [a.action, a.note])).toEqual([
        ['phone_revealed', undefined],
        ['contacted', '已致电，约明天复检'],
        ['resolved', '返修完成，客户满意'],
      ]);
      const after = (await api(closedLoop, { token: tokens.cx })).body.overall;
      expect(after.resolved).toBe(before.resolved + 1);

      await page.goto('/inbox');
      await page.locator('#counts').waitFor();
      expect(await rawIdsOn(page)).toEqual([]);
      expect(await seriousViolations(page)).toEqual([]);
      expect(await overflowsSideways(page)).toBe(false);
      await screenshot(page, `inbox-list-${size}`);

      // The dashboard's closed-loop rate is the API's, after the resolution.
      await page.goto('/');
      await page.locator('#closed-loop .stat').first().waitFor();
      await page.waitForFunction(() => document.querySelector('[aria-busy]') === null);
      expect(await rawIdsOn(page)).toEqual([]);
      expect(await seriousViolations(page)).toEqual([]);
      expect(errors).toEqual([]);

      // Another department's head opening the same link is refused, and nothing changes.
      const other = size === 'phone' ? await chromium.phone() : await chromium.desktop();
      const second = await open(other, url.pathname);
      await signInOnForm(second.page, heads.advisors);
      await second.page.getByRole('alert').filter({ hasText: '此工单属于其他部门' }).waitFor();
      expect(await second.page.locator('#reveal').count()).toBe(0);
      expect(second.errors).toEqual([]);
      expect((await api(`/v1/alerts/${alertId}`, { token: tokens.cx })).body.actions).toHaveLength(3);
    }, 150_000);
  }

  it('acknowledges a case, then hands it to another department, each with its note, in English (desktop)', async () => {
    const { link } = await deliveredWorkshopCase();
    const { pathname } = new URL(link);
    const alertId = pathname.split('/').at(-1) ?? '';
    const context = await chromium.desktop('en');
    const { page, errors } = await open(context, pathname);
    await signInOnForm(page, heads.workshop);

    await page.locator('#case-title').waitFor();
    expect(await followUpSteps(page)).toEqual(['Call the customer', 'Record the outcome', 'Close the case']);
    expect(await page.locator('#follow-up textarea').count()).toBe(1);
    expect(await rawIdsOn(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);

    await page.locator('#note').fill('Seen it, calling after lunch');
    await page.locator('button[data-action="acknowledge"]').click();
    await page.locator('#timeline li', { hasText: 'Seen it, calling after lunch' }).waitFor();
    expect(await page.locator('button[data-action="acknowledge"]').count()).toBe(0);
    expect(await page.locator('#note').inputValue()).toBe('');

    await page.locator('#reassign-department').selectOption('billing');
    await page.locator('#note').fill('The noise is a billing dispute, not the repair');
    await page.locator('button[data-action="reassign"]').click();
    // Handed on, the case is another department's: the workshop head's page says so.
    await page.getByRole('alert').filter({ hasText: 'This case belongs to another department.' }).waitFor();
    expect(errors).toEqual([]);

    const alert = (await api(`/v1/alerts/${alertId}`, { token: tokens.cx })).body;
    expect(alert).toMatchObject({ departmentId: 'billing', status: 'open' });
    expect(
      alert.actions.map((a: { action: string; note?: string; toDepartmentId?: string }) => [a.action, a.note, a.toDepartmentId]),
    ).toEqual([
      ['acknowledge', 'Seen it, calling after lunch', undefined],
      ['reassign', 'The noise is a billing dispute, not the repair', 'billing'],
    ]);
  }, 150_000);

  for (const size of ['phone', 'desktop'] as const) {
    it(`lets customer care call a loyal customer gone quiet and close the task as booked (${size})`, async () => {
      const { phone, link } = await deliveredRetentionTask();
      const { pathname } = new URL(link);
      const context = size === 'phone' ? await chromium.phone() : await chromium.desktop();
      const { page, errors } = await open(context, pathname);
      await signInOnForm(page, heads.care);

      await page.locator('#case-title', { hasText: '流失预警' }).waitFor();
      expect(await page.locator('#retention-title').textContent()).toBe('长期未到店的客户');
      expect(await page.locator('.words').count()).toBe(0);
      expect(await seriousViolations(page)).toEqual([]);

      await page.locator('#reveal').click();
      await page.locator('#phone a.tel').waitFor();
      expect(await page.locator('#phone a.tel').getAttribute('href')).toBe(`tel:${e164(phone)}`);

      await page.locator('#outcome').selectOption('booked');
      expect(await followUpSteps(page)).toEqual(['致电客户', '记录结果', '结束任务']);
      expect(await page.locator('#follow-up textarea').count()).toBe(1);
      await page.locator('#note').fill('约了周六保养');
      await page.locator('button[data-action="resolved"]').click();
      await page.locator('#case-title', { hasText: '已预约到店' }).waitFor();
      await page.locator('#timeline li', { hasText: '约了周六保养' }).waitFor();
      expect(await overflowsSideways(page)).toBe(false);
      await screenshot(page, `inbox-retention-${size}`);
      expect(errors).toEqual([]);

      const alertId = pathname.split('/').at(-1) ?? '';
      const task = (await api(`/v1/alerts/${alertId}`, { token: tokens.cx })).body;
      expect(task).toMatchObject({ kind: 'retention', status: 'resolved', outcome: 'booked', departmentId: 'customer-care' });
      expect(task.actions.map((a: { action: string; by: { name: string } }) => [a.action, a.by.name])).toEqual([
        ['phone_revealed', '周敏'],
        ['resolved', '周敏'],
      ]);

      await page.goto('/inbox?status=resolved');
      await page.locator(`li[data-alert="${alertId}"] .score-retention`).waitFor();
      expect(await page.locator(`li[data-alert="${alertId}"] .case-words`).textContent()).toBe('忠诚客户，已 200 天未到店');
      expect(await seriousViolations(page)).toEqual([]);
    }, 150_000);
  }
});
