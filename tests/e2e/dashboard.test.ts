import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  answeredSurvey,
  api,
  countItems,
  heads,
  postVisit,
  reply,
  stack,
  tokens,
  visit,
  waitFor,
  waitForTexts,
} from '../integration/helpers.ts';
import { desktopContext, launchChromium, open, overflowsSideways, phoneContext, screenshot, signInOnForm } from './browser.ts';

/**
 * The CX dashboard against a real local stack, with answers put in the way customers give them
 * (visits through the ingest API, replies through the SMS simulator). What the page shows is
 * checked against what the API answers for the same range at that moment.
 */
const config = JSON.parse(readFileSync(stack.configPath, 'utf8'));
const targets = config.targets as Record<'nps' | 'csat' | 'ces', { green: number; amber: number }>;
const MIN_RESPONSES: number = config.minResponses ?? 10;
const ADVISOR = `A-e2e-${Math.floor(Math.random() * 1e6)}`;
const STORE = 'sh-minhang';
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString();
/** Visit times spread over the last four weeks, all inside the default 30-day range. */
const spread = [3, 50, 120, 220, 310, 410, 500, 600];

const npsAnswers: [string, string | undefined][] = [
  ['10', '师傅很专业，讲解很清楚'],
  ['10', '服务很周到'],
  ['10', undefined],
  ['9', '休息区很舒服'],
  ['9', undefined],
  ['9', undefined],
  ['10', undefined],
  ['9', undefined],
  ['8', '还行，就是有点慢'],
  ['7', undefined],
  ['3', '等了三个小时，车还没修好'],
  ['2', '价格太贵了，收费也不透明'],
];
const csatAnswers = ['5', '5', '5', '4', '4', '4', '4', '3', '2', '5'];
const detractorReasons = ['等了三个小时，车还没修好', '价格太贵了，收费也不透明'];

interface Bucket {
  responses: number;
  promoters?: number;
  detractors?: number;
  satisfied?: number;
  easy?: number;
  score: number;
}

/** The range the page shows, as the API's query parameters. */
async function shownRange(page: Page) {
  return `from=${await page.locator('#from').inputValue()}&to=${await page.locator('#to').inputValue()}`;
}

/** The whole range's figures from the API's daily buckets, computed here by DESIGN §5. */
async function apiFigure(metric: 'nps' | 'csat' | 'ces', range: string, filters = '') {
  const { body } = await api(`/v1/scores?metric=${metric}&granularity=day&${range}${filters}`, { token: tokens.cx });
  const buckets: Bucket[] = body.buckets;
  const n = buckets.reduce((s, b) => s + b.responses, 0);
  const sum = (f: (b: Bucket) => number) => buckets.reduce((s, b) => s + f(b), 0);
  const score =
    metric === 'nps'
      ? Math.round(((sum((b) => b.promoters ?? 0) - sum((b) => b.detractors ?? 0)) / n) * 1000) / 10
      : metric === 'csat'
        ? Math.round((sum((b) => b.satisfied ?? 0) / n) * 1000) / 10
        : Math.round((sum((b) => b.score * b.responses) / n) * 100) / 100;
  return { n, score };
}

const rag = (metric: 'nps' | 'csat' | 'ces', score: number) =>
  score >= targets[metric].green ? '达标' : score >= targets[metric].amber ? '关注' : '未达标';

/** Waits until no panel is loading. */
const settled = (page: Page) => page.waitForFunction(() => document.querySelector('[aria-busy]') === null);

/** Opening the dashboard sends the browser to the provider's sign-in form; it comes back signed in. */
async function signIn(page: Page, who: { username: string; password: string }) {
  await signInOnForm(page, who);
  await page.locator('.tile .tile-name').first().waitFor();
  await settled(page);
}

const tile = (page: Page, metric: string) => page.locator(`.tile[data-metric="${metric}"]`);
const breakdownRow = (page: Page, text: string) => page.locator('#breakdown tbody tr').filter({ hasText: text });

describe('CX dashboard page', () => {
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium();
    const answered = await Promise.all([
      ...npsAnswers.map(([score, reason], i) =>
        answeredSurvey(score, reason, {
          storeId: STORE,
          advisorId: ADVISOR,
          occurredAt: hoursAgo(spread[i % spread.length] ?? 3),
        }),
      ),
      ...csatAnswers.map((score, i) =>
        answeredSurvey(score, undefined, {
          storeId: STORE,
          advisorId: ADVISOR,
          serviceType: 'repair',
          occurredAt: hoursAgo(spread[i % spread.length] ?? 3),
        }),
      ),
      ...['9', '6', '10'].map((score) => answeredSurvey(score, undefined, { storeId: 'bj-chaoyang', occurredAt: hoursAgo(30) })),
      ...['6', '7', '3'].map((score) =>
        answeredSurvey(score, undefined, { storeId: STORE, serviceType: 'warranty', occurredAt: hoursAgo(30) }),
      ),
    ]);
    // Visits not surveyed, each with its reason: a bad number, a service without a survey, a customer asked
    // recently, and one who opted out.
    expect((await postVisit(visit({ storeId: STORE, advisorId: ADVISOR }, { phone: '12345' }))).body.survey.reason).toBe(
      'invalid_phone',
    );
    expect((await postVisit(visit({ storeId: STORE, advisorId: ADVISOR, serviceType: 'car_wash' }))).body.survey.reason).toBe(
      'no_plan',
    );
    const again = visit({ storeId: STORE, advisorId: ADVISOR }, { phone: answered[0]?.phone });
    expect((await postVisit(again)).body.survey.reason).toBe('throttled');
    const quitter = visit({ storeId: STORE });
    await postVisit(quitter);
    await waitForTexts(quitter.customer.phone, 1);
    await reply(quitter.customer.phone, 'STOP');
    expect((await postVisit(visit({ storeId: STORE }, { phone: quitter.customer.phone }))).body.survey.reason).toBe('opted_out');

    const detractorSurveys = answered.slice(10, 12).map((a) => a.surveyId);
    await waitFor(
      async () => {
        const { body } = await api('/v1/alerts?status=open&limit=200', { token: tokens.cx });
        return detractorSurveys.every((id) => body.alerts.some((a: { surveyId: string }) => a.surveyId === id));
      },
      'an open alert for each detractor',
      90_000,
    );
    const around = `from=${day(-40)}&to=${day(2)}`;
    await waitFor(
      async () => {
        const { body } = await api(`/v1/scores?metric=nps&groupBy=advisor&advisorId=${ADVISOR}&granularity=month&${around}`, {
          token: tokens.cx,
        });
        const n = body.buckets.reduce((s: number, b: Bucket) => s + b.responses, 0);
        return n === npsAnswers.length;
      },
      'every answer in the rollups',
      90_000,
    );
    // Nothing is moving any more (why-questions closing, alerts delivered): the page and the API agree.
    await countItems();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
  });

  it('loads with the answers: score tiles against their targets, the trend and the breakdown agree with the API', async () => {
    context = await desktopContext(browser, stack.url);
    const { page, errors } = await open(context, '/');
    await signIn(page, heads.cx);
    const range = await shownRange(page);

    const nps = await apiFigure('nps', range);
    expect(await tile(page, 'nps').locator('.value').textContent()).toBe(`${nps.score > 0 ? '+' : ''}${nps.score}`);
    expect(await tile(page, 'nps').locator('.answers').textContent()).toBe(`${nps.n} 份回答`);
    expect(await tile(page, 'nps').locator('.pill').textContent()).toBe(rag('nps', nps.score));
    expect(await tile(page, 'nps').locator('.moe').textContent()).toMatch(/^±\d+(\.\d)?$/);
    expect(await tile(page, 'nps').getAttribute('aria-pressed')).toBe('true');

    const csat = await apiFigure('csat', range);
    expect(csat.n).toBeGreaterThanOrEqual(MIN_RESPONSES);
    expect(await tile(page, 'csat').locator('.value').textContent()).toBe(`${csat.score}%`);
    expect(await tile(page, 'csat').locator('.pill').textContent()).toBe(rag('csat', csat.score));

    const ces = await apiFigure('ces', range);
    expect(ces.n).toBeLessThan(MIN_RESPONSES);
    expect(await tile(page, 'ces').locator('.pill').textContent()).toBe('样本不足');
    expect(await tile(page, 'ces').locator('.value').textContent()).toBe('样本不足');

    // The trend: one row per weekly bucket the API gives for the same range.
    const weekly = (await api(`/v1/scores?metric=nps&granularity=week&${range}`, { token: tokens.cx })).body.buckets;
    expect(await page.locator('#trend-title').textContent()).toBe('NPS 趋势 · 按周');
    expect(await page.locator('#trend canvas').count()).toBe(1);
    expect(await page.locator('#trend .data-table tbody tr').count()).toBe(weekly.length);

    // The breakdown by store: score, margin of error and sample size; a store with few answers says so.
    const minhang = await apiFigure('nps', range, `&groupBy=store&storeId=${STORE}`);
    const cells = await breakdownRow(page, '闵行服务中心').locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual([
      `${minhang.score > 0 ? '+' : ''}${minhang.score}`,
      expect.stringMatching(/^±\d/),
      String(minhang.n),
    ]);
    expect(await breakdownRow(page, '朝阳服务中心').locator('td').first().textContent()).toBe('样本不足');

    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'dashboard-zh-overview');
    expect(errors).toEqual([]);
  });

  it('keeps the console clean: no errors and no failed requests, not even for /favicon.ico', async () => {
    context = await desktopContext(browser, stack.url);
    const { page, errors, consoleErrors, failedRequests } = await open(context, '/');
    await signIn(page, heads.cx);
    // The browser asks for an icon once the page has loaded, after everything the page itself fetched.
    await page.waitForLoadState('networkidle');

    expect(failedRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/svg\+xml,/);
  });

  it('changes the metric, granularity, breakdown, filters and dates, offering only combinations the API can answer', async () => {
    context = await desktopContext(browser, stack.url);
    const { page, errors } = await open(context, '/');
    await signIn(page, heads.cx);

    await tile(page, 'csat').click();
    await settled(page);
    expect(await tile(page, 'csat').getAttribute('aria-pressed')).toBe('true');
    expect(await tile(page, 'nps').getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('#trend-title').textContent()).toBe('CSAT 趋势 · 按周');

    await page.getByLabel('趋势粒度', { exact: true }).selectOption('day');
    await settled(page);
    const range = await shownRange(page);
    const daily = (await api(`/v1/scores?metric=csat&granularity=day&${range}`, { token: tokens.cx })).body.buckets;
    expect(await page.locator('#trend .data-table tbody tr').count()).toBe(daily.length);

    await page.locator('#breakdown-by').selectOption('advisor');
    await settled(page);
    const advisorCells = await breakdownRow(page, ADVISOR).locator('td').allTextContents();
    expect(advisorCells[2]).toBe(String(csatAnswers.length));

    // A store and one other filter; a third is not offered, and neither is a breakdown the rollups cannot answer.
    await page.getByLabel('门店', { exact: true }).selectOption(STORE);
    await settled(page);
    await page.getByLabel('部门', { exact: true }).selectOption('workshop');
    await settled(page);
    expect(await page.getByLabel('服务顾问', { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByLabel('服务类型', { exact: true }).isDisabled()).toBe(true);
    expect(await page.locator('#breakdown-by option[value="advisor"]').isDisabled()).toBe(true);
    expect(await page.locator('#breakdown-by').inputValue()).toBe('store');
    const filtered = await apiFigure('csat', range, `&storeId=${STORE}&departmentId=workshop`);
    expect(await tile(page, 'csat').locator('.answers').textContent()).toBe(`${filtered.n} 份回答`);
    await screenshot(page, 'dashboard-zh-filtered');

    await page.getByRole('button', { name: '清除筛选' }).click();
    await settled(page);
    expect(await page.getByLabel('服务顾问', { exact: true }).isDisabled()).toBe(false);

    // Last 7 days: the older answers drop out, exactly as the API counts them.
    await page.getByLabel('日期范围', { exact: true }).selectOption('7d');
    await settled(page);
    const week = await apiFigure('csat', await shownRange(page));
    expect(week.n).toBeLessThan(csatAnswers.length);
    expect(await tile(page, 'csat').locator('.answers').textContent()).toBe(`${week.n} 份回答`);

    // The view is in the address: a reload shows the same.
    await page.reload();
    await page.locator('.tile .tile-name').first().waitFor();
    await settled(page);
    expect(await tile(page, 'csat').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByLabel('日期范围', { exact: true }).inputValue()).toBe('7d');
    expect(await page.getByLabel('趋势粒度', { exact: true }).inputValue()).toBe('day');
    expect(errors).toEqual([]);
  });

  it('drills down from a breakdown row to the verbatims behind it', async () => {
    context = await desktopContext(browser, stack.url);
    const { page, errors } = await open(context, '/');
    await signIn(page, heads.cx);
    await page.locator('#breakdown-by').selectOption('advisor');
    await settled(page);

    await breakdownRow(page, ADVISOR).getByRole('button', { name: ADVISOR }).click();
    await settled(page);
    const verbatims = page.locator('#verbatims');
    expect(await verbatims.locator('.chip').textContent()).toContain(`服务顾问: ${ADVISOR}`);
    const comments = npsAnswers.flatMap(([, reason]) => (reason ? [reason] : []));
    expect((await verbatims.locator('blockquote').allTextContents()).sort()).toEqual([...comments].sort());
    expect(await breakdownRow(page, ADVISOR).getAttribute('class')).toContain('selected');
    await screenshot(page, 'dashboard-zh-verbatims');

    await verbatims.getByRole('radio', { name: '贬损' }).click();
    await settled(page);
    expect((await verbatims.locator('blockquote').allTextContents()).sort()).toEqual([...detractorReasons].sort());
    expect(await verbatims.locator('.verbatim-score strong').allTextContents()).toEqual(expect.arrayContaining(['3', '2']));

    await verbatims.getByLabel('只看有评论的回答', { exact: true }).uncheck();
    await verbatims.getByRole('radio', { name: '全部' }).click();
    await settled(page);
    expect(await verbatims.locator('.verbatim').count()).toBe(npsAnswers.length);

    await verbatims.getByRole('button', { name: '查看全部' }).click();
    await settled(page);
    expect(await verbatims.locator('.chip').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('shows the survey funnel with every suppression reason, and the closed loop with the open alerts', async () => {
    context = await desktopContext(browser, stack.url);
    const { page, errors } = await open(context, '/');
    await signIn(page, heads.cx);
    const range = await shownRange(page);

    const funnel = (await api(`/v1/funnel?granularity=day&${range}`, { token: tokens.cx })).body.buckets as {
      visits: number;
      sent: number;
      answered: number;
      suppressedTotal: number;
    }[];
    const total = (key: 'visits' | 'sent' | 'answered' | 'suppressedTotal') => String(funnel.reduce((s, b) => s + b[key], 0));
    expect(await page.locator('#funnel .funnel-value strong').allTextContents()).toEqual([
      total('visits'),
      total('sent'),
      total('answered'),
    ]);
    expect(await page.locator('#funnel .suppression h3').textContent()).toContain(`未发送: ${total('suppressedTotal')}`);
    const reasons = await page.locator('#funnel .reasons li > span:first-child').allTextContents();
    expect(reasons).toEqual(expect.arrayContaining(['已退订', '近期已调研（频控）', '手机号无效', '该服务无问卷']));
    expect(await page.locator('#funnel .funnel-table tbody tr').filter({ hasText: '闵行服务中心' }).count()).toBe(1);

    // Each channel's response rate, with its n, as the API counts it (the answers above went out by SMS).
    const byChannel = (await api(`/v1/funnel?granularity=day&groupBy=channel&${range}`, { token: tokens.cx })).body.buckets as {
      group: string;
      sent: number;
      answered: number;
    }[];
    const channels = new Map<string, { sent: number; answered: number }>();
    for (const b of byChannel) {
      const c = channels.get(b.group) ?? { sent: 0, answered: 0 };
      channels.set(b.group, { sent: c.sent + b.sent, answered: c.answered + b.answered });
    }
    const sms = channels.get('sms') ?? { sent: 0, answered: 0 };
    expect(sms.answered).toBeGreaterThanOrEqual(npsAnswers.length);
    const smsRow = page.locator('#funnel .channel-table tbody tr[data-channel="sms"]');
    expect(await smsRow.locator('th').textContent()).toBe('短信（双向）');
    expect(await smsRow.locator('td').allTextContents()).toEqual([
      String(sms.sent),
      String(sms.answered),
      `${Math.round((sms.answered / sms.sent) * 1000) / 10}% · n = ${sms.sent}`,
    ]);
    expect(await page.locator('#funnel .channel-table tbody tr').count()).toBe(channels.size);

    const loop = (await api(`/v1/closed-loop?groupBy=department&${range}`, { token: tokens.cx })).body;
    const followUp = page.locator('#closed-loop .stat').filter({ hasText: '跟进率' }).locator('.stat-value');
    expect(await followUp.textContent()).toBe(loop.overall.followUpRate === null ? '–' : `${loop.overall.followUpRate}%`);
    expect(await page.locator('#closed-loop .loop-table tbody tr').count()).toBe(loop.groups.length);
    await screenshot(page, 'dashboard-zh-funnel-closed-loop');

    // The open alerts of one store, most urgent first, with the customers' words.
    await page.getByLabel('门店', { exact: true }).selectOption(STORE);
    await settled(page);
    const shownAlerts = await page.locator('#closed-loop .alert-list blockquote').allTextContents();
    for (const reason of detractorReasons) expect(shownAlerts).toContain(reason);
    expect(errors).toEqual([]);
  });

  it('speaks the browser’s English, and switches language on request', async () => {
    context = await desktopContext(browser, stack.url, 'en-GB');
    const { page, errors } = await open(context, '/');
    await signIn(page, heads.cx);

    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('.brand-title').textContent()).toBe('Customer experience');
    expect(await page.locator('#trend-title').textContent()).toBe('NPS trend · by week');
    expect(['On target', 'Watch', 'Below target']).toContain(await tile(page, 'nps').locator('.pill').textContent());
    expect(await breakdownRow(page, '闵行服务中心').count()).toBe(1); // store names come from the config as they are
    await screenshot(page, 'dashboard-en-overview');

    await page.getByLabel('Language', { exact: true }).selectOption('zh-CN');
    await settled(page);
    expect(await page.locator('.brand-title').textContent()).toBe('客户体验');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.reload();
    await page.locator('.tile .tile-name').first().waitFor();
    expect(await page.locator('.brand-title').textContent()).toBe('客户体验');
    expect(errors).toEqual([]);
  });

  it('signs in with a person, not a pasted token: a wrong password stays on the form, and nothing is kept in localStorage', async () => {
    context = await desktopContext(browser, stack.url);
    const { page, errors } = await open(context, '/');
    await signInOnForm(page, { username: heads.cx.username, password: 'not-the-password' });
    await page.getByRole('alert').waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/oidc\/interaction\//);
    await signIn(page, heads.cx);
    expect(await page.locator('#person').textContent()).not.toBe('');
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k !== 'closedloop-locale'))).toEqual([]);
    // Sign-out ends the provider's session too (RP-initiated logout).
    await page.locator('#sign-out').click();
    await page.waitForURL((url) => url.pathname.startsWith('/oidc/'));
    expect(errors).toEqual([]);
  });

  it('shows a department head their own department, and says so when it asks for another', async () => {
    context = await desktopContext(browser, stack.url);
    const { page, errors } = await open(context, '/');
    await signIn(page, heads.workshop);
    expect(await tile(page, 'nps').locator('.answers').textContent()).toMatch(/^\d+ 份回答$/);

    await page.getByLabel('部门', { exact: true }).selectOption('billing');
    await settled(page);
    const notices = page.locator('.notice-error');
    expect(await notices.count()).toBeGreaterThan(0);
    expect(await notices.first().textContent()).toContain('您的账号无权查看');
    expect(errors).toEqual([]);
  });

  it('fits a phone screen', async () => {
    context = await phoneContext(browser, stack.url);
    const { page, errors } = await open(context, '/');
    await signIn(page, heads.cx);

    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, 'dashboard-zh-phone');
    expect(errors).toEqual([]);
  });
});
