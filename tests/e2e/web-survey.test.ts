import { describe, expect, it } from 'vitest';
import { postVisit, stack, visit, waitForTexts } from '../integration/helpers.ts';
import { chromiumForFile, open, overflowsSideways, screenshot } from './browser.ts';

/** The link in the text a link-mode store sends, as a path on the local stack. */
async function surveyPath(customer: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) {
  const body = visit({ storeId: 'sz-futian', ...overrides }, customer);
  await postVisit(body);
  const [text] = await waitForTexts(body.customer.phone, 1);
  const path = /\/s\/[A-Za-z0-9_-]{22}/.exec(text?.body ?? '')?.[0];
  if (!path) throw new Error(`no link in ${text?.body}`);
  return path;
}

describe('web survey page', () => {
  const chromium = chromiumForFile(() => stack.url);

  it('is answered on a phone: pick a score, give a reason, send, and a second send is refused kindly', async () => {
    const path = await surveyPath({ name: '李女士' });
    const context = await chromium.phone();
    const { page, errors, consoleErrors, failedRequests } = await open(context, path);

    await expect.poll(() => page.getByRole('group').locator('legend').textContent()).toContain('推荐');
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'web-survey-zh-form');
    // Loaded with a clean console: the page declares its icon, so no /favicon.ico 404.
    await page.waitForLoadState('networkidle');
    expect(consoleErrors).toEqual([]);
    expect(failedRequests).toEqual([]);

    await page.locator('label[for="score-8"]').click();
    expect(await page.getByRole('radio', { name: '8', exact: true }).isChecked()).toBe(true);
    await page.getByLabel('能说说主要原因吗？（选填）').fill('服务顾问很专业，就是等得有点久');
    await page.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('感谢您的反馈！');
    await screenshot(page, 'web-survey-zh-thanks');

    await page.goBack();
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('这份问卷已经提交过了。');
    expect(errors).toEqual([]);
  });

  it('asks for a score when the form is sent without one, in English', async () => {
    const path = await surveyPath({ locale: 'en' }, { serviceType: 'warranty' });
    const context = await chromium.phone();
    const { page } = await open(context, path);
    await expect.poll(() => page.getByRole('group').locator('legend').textContent()).toContain('It was easy');
    expect(await page.locator('input[name="score"]').count()).toBe(7);

    // The browser's own `required` check stops an empty form; a script-less client gets the server's answer.
    await page.evaluate(() => document.querySelector('form')?.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Please choose a score first.');

    await page.locator('label[for="score-6"]').click();
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Thank you for your feedback!');
    await screenshot(page, 'web-survey-en-thanks');
  });
});
