import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { api, e164, heads, newPhone, postVisit, stack, tokens, visit, waitFor } from '../integration/helpers.ts';
import { chromiumForFile, open, overflowsSideways, screenshot, signInOnForm } from './browser.ts';

/**
 * A caller of the call-back team works a call task (电话回访) in the inbox, on a phone in Chinese and
 * on a desktop in English: the list next to the cases, the task page with the script and the
 * survey's own scale as large buttons, the number revealed as a tel: link, the answer recorded.
 * Every page passes axe with no serious or critical finding.
 */
async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** A visit at Jurong, which reaches its customers by call-back only: its task, once opened. */
async function callTask(locale: 'zh-CN' | 'en') {
  const phone = e164(newPhone());
  const { body } = await postVisit(
    visit({ storeId: 'sg-jurong', serviceType: 'repair' }, { phone, locale, name: locale === 'en' ? 'Ms Tan' : '陈女士' }),
  );
  const task = await waitFor(
    async () => {
      const { body: list } = await api('/v1/callbacks?storeId=sg-jurong', { token: tokens.care });
      return list.callbacks.find((t: { surveyId: string }) => t.surveyId === body.survey.id) as { id: string } | undefined;
    },
    'the call task',
    30_000,
  );
  return { phone, taskId: task.id };
}

describe('call-back pages', () => {
  const chromium = chromiumForFile(() => stack.url);

  for (const [size, locale] of [
    ['phone', 'zh-CN'],
    ['desktop', 'en'],
  ] as const) {
    it(`lists the call tasks and works one: script, scale, reveal, answer (${size}, ${locale})`, async () => {
      const { phone, taskId } = await callTask(locale);
      const context = size === 'phone' ? await chromium.phone() : await chromium.desktop(locale);
      const { page, errors } = await open(context, '/inbox/callbacks');
      await signInOnForm(page, heads.care);

      await page.locator('#callbacks').waitFor();
      const item = page.locator(`li[data-task="${taskId}"]`);
      expect(await item.textContent()).toContain(locale === 'en' ? 'Calls 0 of 3' : '已拨打 0/3 次');
      expect(await page.locator('#nav-callbacks').getAttribute('aria-current')).toBe('page');
      expect(await page.locator('#nav-callbacks').textContent()).toBe(locale === 'en' ? 'Call-backs' : '回访');
      expect(await overflowsSideways(page)).toBe(false);
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `callbacks-${size}`);

      await item.locator('a').click();
      await page.locator('#task-title').waitFor();
      expect(await page.locator('#script-question').textContent()).toBe(
        locale === 'en' ? 'How satisfied were you with your service?' : '您对本次服务满意吗？',
      );
      // The survey's own scale (repair: CSAT, 1 to 5) as buttons.
      expect(await page.locator('.score-button').allTextContents()).toEqual(['1', '2', '3', '4', '5']);
      expect(await overflowsSideways(page)).toBe(false);
      expect(await seriousViolations(page)).toEqual([]);

      await page.locator('#reveal').click();
      await expect.poll(() => page.locator('a.tel').getAttribute('href')).toBe(`tel:${phone}`);

      // An answer without a score is not sent.
      await page.locator('[data-outcome="answered"]').click();
      await expect
        .poll(() => page.locator('#call-message').textContent())
        .toBe(locale === 'en' ? 'Tap the score the customer gave first.' : '请先点选客户给出的分数。');
      await page.locator('.score-button[data-score="2"]').click();
      expect(await page.locator('.score-button[data-score="2"]').getAttribute('aria-pressed')).toBe('true');
      await page.locator('#call-comment').fill(locale === 'en' ? 'The car came back dirty' : '车送回来很脏');
      await page.locator('[data-outcome="answered"]').click();

      await expect.poll(() => page.locator('#call-log li').count()).toBe(2);
      expect(await page.locator('[data-outcome]').count()).toBe(0);
      expect(await page.locator('#sla').textContent()).toContain(locale === 'en' ? 'Answered' : '已回答');
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `call-task-${size}`);

      const { body: done } = await api(`/v1/callbacks/${taskId}`, { token: tokens.care });
      expect(done).toMatchObject({
        status: 'done',
        outcome: 'answered',
        score: 2,
        log: [{ action: 'phone_revealed' }, { action: 'answered' }],
      });
      expect(errors).toEqual([]);
    });
  }
});
