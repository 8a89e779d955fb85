import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { e164, postVisit, stack, visit, waitForTexts } from '../integration/helpers.ts';
import { chromiumForFile, open, overflowsSideways, screenshot } from './browser.ts';

/** The thread as the customer reads it: who sent each bubble, and its text without the time line. */
const bubbles = (thread: Locator) =>
  thread.locator('.msg').evaluateAll((elements) =>
    elements.map((e) => ({
      from: e.classList.contains('inbound') ? 'customer' : 'closedloop',
      text: e.firstChild?.textContent,
    })),
  );

describe('phone simulator page', () => {
  const chromium = chromiumForFile(() => stack.url);

  it('shows a Chinese survey text and carries a promoter through the why-question to the thanks', async () => {
    const body = visit();
    const phone = e164(body.customer.phone);
    expect((await postVisit(body)).status).toBe(202);
    const context = await chromium.phone();

    // As a developer types it in the address bar: the '+' unencoded.
    const { page, errors, consoleErrors, failedRequests } = await open(context, `/dev/phone?phone=${phone}`);
    const thread = page.locator('#thread');
    await thread.locator('.outbound', { hasText: '您有多大可能向亲友推荐我们？请回复0-10分' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'phone number' }).inputValue()).toBe(phone);

    await page.getByLabel('reply text').fill('9');
    await page.getByRole('button', { name: 'Send' }).click();
    await thread.locator('.outbound', { hasText: '能说说打这个分的主要原因吗' }).waitFor();
    expect(await page.getByLabel('reply text').inputValue()).toBe('');

    await page.getByLabel('reply text').fill('师傅很专业，讲解也清楚');
    await page.getByRole('button', { name: 'Send' }).click();
    await thread.locator('.outbound', { hasText: '感谢您的反馈' }).waitFor();

    expect(await bubbles(thread)).toEqual([
      { from: 'closedloop', text: expect.stringMatching(/^【星途服务】王先生您好，感谢光临浦东服务中心。.*回T退订$/) },
      { from: 'customer', text: '9' },
      { from: 'closedloop', text: expect.stringContaining('原因') },
      { from: 'customer', text: '师傅很专业，讲解也清楚' },
      { from: 'closedloop', text: '【星途服务】感谢您的反馈，我们会继续努力！' },
    ]);
    expect(await overflowsSideways(page)).toBe(false);
    const replyBox = await page.getByLabel('reply text').boundingBox();
    expect(replyBox?.y).toBeGreaterThan(844 - 100); // where a thumb expects it, below the thread
    await screenshot(page, 'phone-zh-promoter');
    expect(errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });

  it('finds an English customer by the number as typed and carries a CSAT detractor to the apology', async () => {
    const typed = `07911 1${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    const body = visit({ storeId: 'uk-reading', serviceType: 'repair' }, { locale: 'en', phone: typed, name: 'Sam' });
    expect((await postVisit(body)).status).toBe(202);
    const context = await chromium.phone();

    const { page, errors } = await open(context, '/dev/phone');
    await page.getByRole('textbox', { name: 'another phone number' }).fill(typed);
    await page.getByRole('textbox', { name: 'another phone number' }).press('Enter');
    const thread = page.locator('#thread');
    await thread.locator('.outbound', { hasText: 'How satisfied were you with your service? Reply 1-5' }).waitFor();

    await page.getByLabel('reply text').fill('2');
    await page.getByRole('button', { name: 'Send' }).click();
    await thread.locator('.outbound', { hasText: 'What is the main reason for your score?' }).waitFor();
    await page.getByLabel('reply text').fill('The car came back dirty and nobody called me');
    await page.getByRole('button', { name: 'Send' }).click();
    await thread.locator('.outbound', { hasText: "We're sorry we let you down" }).waitFor();

    expect(await bubbles(thread)).toEqual([
      {
        from: 'closedloop',
        text: expect.stringMatching(
          /^\[Xingtu Service\] .*Reading Service Centre\. How satisfied were you with your service\? Reply 1-5.*Reply STOP to opt out$/,
        ),
      },
      { from: 'customer', text: '2' },
      { from: 'closedloop', text: expect.stringContaining('main reason') },
      { from: 'customer', text: 'The car came back dirty and nobody called me' },
      { from: 'closedloop', text: expect.stringContaining("We're sorry we let you down") },
    ]);
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'phone-en-detractor');
    expect(errors).toEqual([]);
  });

  it('switches to another customer picked from the list of numbers', async () => {
    const first = visit({}, { name: '王先生' });
    const second = visit({}, { name: '李女士' });
    for (const body of [first, second]) expect((await postVisit(body)).status).toBe(202);
    await waitForTexts(first.customer.phone, 1);
    await waitForTexts(second.customer.phone, 1);
    const context = await chromium.phone();

    const { page, errors } = await open(context, `/dev/phone?phone=${encodeURIComponent(e164(first.customer.phone))}`);
    const thread = page.locator('#thread');
    await thread.locator('.outbound', { hasText: '王先生您好' }).waitFor();
    await page.getByRole('combobox', { name: 'phone number' }).selectOption(e164(second.customer.phone));
    await thread.locator('.outbound', { hasText: '李女士您好' }).waitFor();

    expect(await thread.textContent()).not.toContain('王先生');
    expect(errors).toEqual([]);
  });
});
