/**
 * `npm run demo`: fills the running stack (CLOSEDLOOP_URL) with realistic data through its own
 * APIs: months of history through the historical import (POST /v1/imports) and the scorer, then
 * a few live SMS conversations (POST /v1/service-events, the simulator's outbox and inbound),
 * and follow-ups of the alerts they raise. Seeded and idempotent: running it again adds nothing
 * but the days that have passed since.
 *
 * `npm run demo -- --json FILE` also writes the run's figures there (`DemoSummary`), for the
 * bench's first-demo phase.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import * as z from '#shared/zod.ts';
import { ConfigError } from '#shared/config/load.ts';
import type { Config, LocalPerson, Store } from '#shared/config/schema.ts';
import { chunkImport, readImportRecords } from '#shared/domain/import-records.ts';
import { toE164 } from '#shared/domain/phone.ts';
import { isQuiet, localDate } from '#shared/domain/quiet-hours.ts';
import { reachOf } from '#shared/domain/reach.ts';
import { requiredImportColumns, validateImportRows } from '#shared/use-cases/import-answers.ts';
import { Dice, type DemoHistory, demoPhone, generateHistory } from './demo-data.ts';
import { signIn } from './lib/sign-in.ts';
import {
  CHUNK_LIMITS,
  fetchStack,
  formatProblem,
  ImportRefused,
  importFile,
  ingestToken,
  problemsOf,
  StackUnreachable,
  stackConfig,
  stackUrl,
} from './lib/closedloop.ts';

const usage = `npm run demo -- [--json FILE (also write the run's figures there: rows, answers, seconds)]`;

/** What `--json` writes; bench/first-demo.ts reads it. Seconds are wall-clock, measured by the demo itself. */
export interface DemoSummary {
  /** Visits in the generated history, and those of them with an answer. */
  rows: number;
  answers: number;
  imported: number;
  duplicates: number;
  /** POST /v1/imports of every row, first request to last answer. */
  importSeconds: number;
  /** From the import's end until the scores held every answer (or the demo gave up waiting: `settled` false). */
  scoringSeconds: number;
  settled: boolean;
  scored: number;
  /** The live conversations and the follow-ups of their alerts. */
  liveSeconds: number;
  live: Record<string, number>;
  alerts: number;
  /** From the demo's start (config read, history generated) to its summary. */
  totalSeconds: number;
}

const SCORING_DEADLINE_MS = 15 * 60_000;
const TEXT_DEADLINE_MS = 90_000;
const ALERT_DEADLINE_MS = 120_000;

/** What the demo reads back from the stack, parsed rather than trusted. */
const bodies = {
  ingest: z.object({
    survey: z.object({
      id: z.optional(z.string()),
      status: z.string(),
      reason: z.optional(z.string()),
      sendAt: z.optional(z.string()),
    }),
  }),
  messages: z.object({ messages: z.array(z.object({ direction: z.optional(z.string()) })) }),
  callbacks: z.object({ callbacks: z.array(z.object({ surveyId: z.string(), dueAt: z.string() })) }),
  notices: z.object({ messages: z.array(z.object({ url: z.nullable(z.optional(z.string())) })) }),
  alerts: z.object({
    alerts: z.array(z.object({ id: z.string(), surveyId: z.string(), departmentId: z.string(), status: z.string() })),
  }),
  scores: z.object({
    buckets: z.array(
      z.object({
        group: z.string(),
        responses: z.number(),
        promoters: z.optional(z.number()),
        detractors: z.optional(z.number()),
      }),
    ),
  }),
};

class Stack {
  /**
   * Tokens of the people who act (the CX team's first person and each department's head), each
   * signed in again once most of its lifetime has passed: on a busy machine the import alone can
   * outlast a token, and the scoring wait after it was then refused with 401.
   */
  private readonly tokens = new Map<string, { accessToken: Promise<string | undefined>; renewAt: number }>();
  constructor(
    readonly url: string,
    private readonly config: Readonly<Config>,
  ) {}
  private tokenOf(person: LocalPerson | undefined): Promise<string | undefined> {
    if (!person) return Promise.resolve(undefined);
    const held = this.tokens.get(person.username);
    if (held && Date.now() < held.renewAt) return held.accessToken;
    const signedIn = Date.now();
    // Set before the sign-in answers, so callers at the same moment share it.
    const entry = { accessToken: Promise.resolve<string | undefined>(undefined), renewAt: Number.POSITIVE_INFINITY };
    entry.accessToken = signIn(this.url, person.username, person.password).then((t) => {
      if (t.expiresIn !== undefined) entry.renewAt = signedIn + t.expiresIn * 800;
      return t.accessToken;
    });
    this.tokens.set(person.username, entry);
    return entry.accessToken;
  }
  cxToken() {
    return this.tokenOf(this.config.auth.people.find((p) => p.role === 'cx'));
  }
  /** A department's head acts on its own alerts as themselves; the CX team acts for a department without one. */
  async departmentToken(departmentId: string) {
    const head = this.config.auth.people.find((p) => p.role === 'department' && p.departmentId === departmentId);
    return head ? this.tokenOf(head) : this.cxToken();
  }
  async call(
    path: string,
    options: { token?: string | undefined; json?: unknown } = {},
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetchStack(`${this.url}${path}`, {
      method: options.json === undefined ? 'GET' : 'POST',
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      return { status: response.status, body: text };
    }
  }
  /** A call that must succeed with a body of this shape. */
  async read<S extends z.ZodMiniType>(
    path: string,
    schema: S,
    options: { token?: string | undefined; json?: unknown } = {},
  ): Promise<z.infer<S>> {
    const { status, body } = await this.call(path, options);
    const parsed = schema.safeParse(body);
    if (status >= 300 || !parsed.success) throw new Error(`${path} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    return parsed.data;
  }
}

async function until<T>(probe: () => Promise<T | undefined>, deadlineMs: number, everyMs = 500): Promise<T | undefined> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Answers recorded in the scores between two visit dates (day buckets, so exactly those days), every survey type. */
async function scoredAnswers(stack: Stack, from: string, to: string): Promise<number> {
  let total = 0;
  for (const metric of ['nps', 'csat', 'ces']) {
    const { buckets } = await stack.read(`/v1/scores?metric=${metric}&from=${from}&to=${to}&granularity=day`, bodies.scores, {
      token: await stack.cxToken(),
    });
    for (const bucket of buckets) total += bucket.responses;
  }
  return total;
}

// ——— Live conversations ———

interface LiveCase {
  key: string;
  lang: 'zh' | 'en';
  serviceType: string;
  /** The customer's replies, in order; `stop` texts the opt-out word and then comes back for another visit. */
  replies: string[];
  /** `landline`: a number that takes no texts, so a WeChat-first store's call-back team gets a call task for it. */
  kind: 'answer' | 'opt_out' | 'invalid_phone' | 'landline';
  detractor?: boolean;
  /**
   * A customer of a WeChat-first store (`reach` starting with `wechat`) who gave their openid: one
   * who follows the account gets the template message and answers on its web survey; one who does
   * not (WeChat's 43004) is texted instead, the survey's one fallback.
   */
  wechat?: 'following' | 'not_following';
}

const liveCases: LiveCase[] = [
  { key: 'z1', lang: 'zh', serviceType: 'maintenance', replies: ['10', '服务很周到，顾问讲解很清楚'], kind: 'answer' },
  {
    key: 'z2',
    lang: 'zh',
    serviceType: 'first_service',
    replies: ['3分', '等了三个小时，车还没修好'],
    kind: 'answer',
    detractor: true,
  },
  {
    key: 'z3',
    lang: 'zh',
    serviceType: 'repair',
    replies: ['2', '报价和最后收费不一样，太贵了'],
    kind: 'answer',
    detractor: true,
  },
  { key: 'z4', lang: 'zh', serviceType: 'maintenance', replies: ['七', '还可以吧'], kind: 'answer' },
  { key: 'z5', lang: 'zh', serviceType: 'maintenance', replies: ['退订'], kind: 'opt_out' },
  { key: 'e1', lang: 'en', serviceType: 'maintenance', replies: ['9', 'Quick and friendly, thanks'], kind: 'answer' },
  {
    key: 'e2',
    lang: 'en',
    serviceType: 'repair',
    replies: ['1', 'Found a scratch on the door and nobody called me'],
    kind: 'answer',
    detractor: true,
  },
  {
    key: 'e3',
    lang: 'en',
    serviceType: 'warranty',
    replies: ['2', 'Parts were out of stock, I had to come back twice'],
    kind: 'answer',
    detractor: true,
  },
  {
    key: 'e4',
    lang: 'en',
    serviceType: 'maintenance',
    replies: ['six', 'Waited two hours past the promised time'],
    kind: 'answer',
    detractor: true,
  },
  { key: 'x1', lang: 'zh', serviceType: 'maintenance', replies: [], kind: 'invalid_phone' },
  { key: 'w1', lang: 'zh', serviceType: 'maintenance', replies: ['9', '微信上评价很方便'], kind: 'answer', wechat: 'following' },
  {
    key: 'w2',
    lang: 'zh',
    serviceType: 'repair',
    replies: ['4', '修完第二天又亮故障灯'],
    kind: 'answer',
    detractor: true,
    wechat: 'following',
  },
  { key: 'w3', lang: 'zh', serviceType: 'maintenance', replies: ['8', '还不错'], kind: 'answer', wechat: 'not_following' },
  { key: 'c1', lang: 'zh', serviceType: 'first_service', replies: [], kind: 'landline' },
];

/** Follow-ups the departments record on the live alerts, in order: the first alert closed, the next contacted... */
const followUps: { action: string; note: string; rootCause?: string; resolution?: string }[][] = [
  [
    { action: 'acknowledge', note: '已收到，今天联系客户' },
    { action: 'contacted', note: '已致电客户道歉，约好明天免费复检' },
    { action: 'resolved', note: '复检完成，问题已解决，客户满意', rootCause: 'repair_quality', resolution: 'redo_repair' },
  ],
  [
    { action: 'acknowledge', note: 'On it' },
    { action: 'contacted', note: 'Called the customer, apologised and offered a courtesy check' },
  ],
  [{ action: 'acknowledge', note: '已分配给当班主管' }],
];

interface LiveOutcome {
  key: string;
  storeId: string;
  phone: string;
  status: 'answered' | 'opted_out' | 'suppressed' | 'waiting' | 'done_before' | 'no_text' | 'call_task';
  detail: string;
  surveyId?: string | undefined;
  detractor?: boolean | undefined;
}

interface LivePlan {
  liveCase: LiveCase;
  store: Store;
  /** The store is in quiet hours now: the text will wait for the morning. */
  quiet: boolean;
}

function planLive(config: Readonly<Config>, now: Date): LivePlan[] {
  const wechatFirst = config.wechat ? config.stores.filter((s) => reachOf(s, config)[0] === 'wechat') : [];
  const twoWay = config.stores.filter((s) => (s.smsMode ?? config.smsMode) === 'two-way' && !wechatFirst.includes(s));
  const byLang = {
    zh: twoWay.filter((s) => s.country === 'CN'),
    en: twoWay.filter((s) => s.country !== 'CN'),
  };
  const open = (s: Store) => !isQuiet(now, s.timezone, config.quietHours);
  const counters = { zh: 0, en: 0 };
  return liveCases.flatMap((liveCase) => {
    if (liveCase.wechat || liveCase.kind === 'landline') {
      // WeChat's cases need a WeChat-first store (and the config's service account); without one they are left out.
      const store = wechatFirst[0];
      return store ? [{ liveCase, store, quiet: !open(store) }] : [];
    }
    const candidates = byLang[liveCase.lang].length ? byLang[liveCase.lang] : twoWay;
    if (candidates.length === 0) return [];
    // Stores whose customers are awake now first, so the texts go out during the demo.
    const awake = candidates.filter(open);
    const pool = awake.length ? awake : candidates;
    const store = pool[counters[liveCase.lang]++ % pool.length] as Store;
    return [{ liveCase, store, quiet: !open(store) }];
  });
}

async function runConversation(
  stack: Stack,
  config: Readonly<Config>,
  history: DemoHistory,
  plan: LivePlan,
  day: string,
  step: () => void,
): Promise<LiveOutcome> {
  const { liveCase, store } = plan;
  const dice = new Dice(`live|${day}|${liveCase.key}`);
  const phone =
    liveCase.kind === 'invalid_phone'
      ? '12345'
      : liveCase.kind === 'landline'
        ? `020${dice.int(3000_0000, 8999_9999)}`
        : (demoPhone(dice, store.country) ?? '12345');
  const openId = liveCase.wechat
    ? `o${createHash('sha256').update(`demo|${day}|${liveCase.key}`).digest('base64url').slice(0, 27)}`
    : undefined;
  // The customer's replies come from their number as the network gives it: in E.164.
  const from = toE164(phone, store.country) ?? phone;
  const surveyPlan = config.surveyPlans.find((p) => p.serviceType === liveCase.serviceType) ?? config.surveyPlans[0];
  const advisors = history.advisors.filter((a) => a.storeId === store.id);
  const visit = (suffix: string) => ({
    eventId: `DEMO-LIVE-${day.replaceAll('-', '')}-${liveCase.key}${suffix}`,
    // Long enough ago for the plan's delay to have passed: the text is due now.
    occurredAt: new Date(Date.now() - ((surveyPlan?.delayMinutes ?? 120) + 20) * 60_000).toISOString(),
    storeId: store.id,
    serviceType: surveyPlan?.serviceType ?? liveCase.serviceType,
    customer: {
      id: `C-LIVE-${liveCase.key}`,
      phone,
      name: liveCase.lang === 'zh' ? '陈女士' : 'Ms Lim',
      locale: liveCase.lang === 'zh' ? 'zh-CN' : 'en',
      ...(openId ? { wechatOpenId: openId } : {}),
    },
    advisorId: advisors.length ? dice.pick(advisors).id : undefined,
    amount: dice.int(300, 4000),
    currency: store.country === 'CN' ? 'CNY' : store.country === 'SG' ? 'SGD' : 'GBP',
  });
  const base = { key: liveCase.key, storeId: store.id, phone };
  // The WeChat simulator answers 43004 for an openid that does not follow the account.
  if (openId)
    await stack.read('/dev/wechat/followers', z.unknown(), { json: { openId, following: liveCase.wechat === 'following' } });
  const { survey } = await stack.read('/v1/service-events', bodies.ingest, { token: ingestToken(config), json: visit('') });
  step();
  if (survey.status === 'suppressed') return { ...base, status: 'suppressed', detail: survey.reason ?? '' };
  if (openId && liveCase.wechat === 'following' && !plan.quiet) return answerOnWechat(stack, plan, openId, base, survey.id, step);
  if (liveCase.kind === 'landline') return awaitCallTask(stack, config, plan, base, survey.id, step);
  // A run earlier today already had this conversation: the customer's replies are in the thread.
  const thread = await stack.read(`/dev/sms/thread?phone=${encodeURIComponent(from)}`, bodies.messages);
  if (thread.messages.some((m) => m.direction === 'inbound')) {
    return {
      ...base,
      status: 'done_before',
      detail: 'conversation already held by an earlier run today',
      surveyId: survey.id,
      detractor: liveCase.detractor,
    };
  }
  if (plan.quiet) {
    return { ...base, status: 'waiting', detail: `quiet hours in ${store.timezone}: the text goes out at ${survey.sendAt}` };
  }
  const texts = await until(async () => {
    const { messages } = await stack.read(`/dev/sms/outbox?to=${encodeURIComponent(from)}`, bodies.messages);
    return messages.length ? messages : undefined;
  }, TEXT_DEADLINE_MS);
  step();
  if (!texts) return { ...base, status: 'no_text', detail: `no survey text within ${TEXT_DEADLINE_MS / 1000} s` };
  for (const reply of liveCase.replies) {
    await stack.read('/dev/sms/inbound', z.unknown(), { json: { from, body: reply } });
    step();
  }
  if (liveCase.kind === 'opt_out') {
    // The same customer's next visit: nobody texts a number that opted out.
    const again = await stack.read('/v1/service-events', bodies.ingest, { token: ingestToken(config), json: visit('-b') });
    step();
    return {
      ...base,
      status: 'opted_out',
      detail: `texted 退订; next visit → ${again.survey.status} (${again.survey.reason})`,
    };
  }
  return {
    ...base,
    status: 'answered',
    detail: liveCase.replies.join(' / '),
    surveyId: survey.id,
    detractor: liveCase.detractor,
  };
}

/** A landline takes no texts: the call-back team gets a call task for it, left open for a newcomer to work in the inbox. */
async function awaitCallTask(
  stack: Stack,
  config: Readonly<Config>,
  plan: LivePlan,
  base: Pick<LiveOutcome, 'key' | 'storeId' | 'phone'>,
  surveyId: string | undefined,
  step: () => void,
): Promise<LiveOutcome> {
  const team = config.callbacks.departmentId ?? config.defaultDepartment;
  if (plan.quiet)
    return { ...base, status: 'waiting', detail: `quiet hours in ${plan.store.timezone}: the call task opens later` };
  const task = await until(async () => {
    const token = await stack.departmentToken(team);
    const { callbacks } = await stack.read(`/v1/callbacks?storeId=${encodeURIComponent(base.storeId)}`, bodies.callbacks, {
      token,
    });
    return callbacks.find((t) => t.surveyId === surveyId);
  }, TEXT_DEADLINE_MS);
  step();
  if (!task) return { ...base, status: 'no_text', detail: `no call task within ${TEXT_DEADLINE_MS / 1000} s` };
  return { ...base, status: 'call_task', detail: `a landline: call task for ${team}, due ${task.dueAt}`, surveyId };
}

/** The customer opens the template message's link and answers on the web survey, score and words in one go. */
async function answerOnWechat(
  stack: Stack,
  plan: LivePlan,
  openId: string,
  base: Pick<LiveOutcome, 'key' | 'storeId' | 'phone'>,
  surveyId: string | undefined,
  step: () => void,
): Promise<LiveOutcome> {
  const { liveCase } = plan;
  const notice = await until(async () => {
    const { messages } = await stack.read(`/dev/wechat/outbox?openId=${encodeURIComponent(openId)}`, bodies.notices);
    return messages.find((m) => m.url)?.url ?? undefined;
  }, TEXT_DEADLINE_MS);
  step();
  if (!notice) return { ...base, status: 'no_text', detail: `no WeChat notice within ${TEXT_DEADLINE_MS / 1000} s` };
  const [score = '', reason = ''] = liveCase.replies;
  const response = await fetchStack(`${stack.url}${new URL(notice).pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ score, reason }).toString(),
  });
  await response.arrayBuffer();
  step();
  // 409: a run earlier today already answered this notice.
  if (response.status === 409) {
    return {
      ...base,
      status: 'done_before',
      detail: 'answered on WeChat by an earlier run today',
      surveyId,
      detractor: liveCase.detractor,
    };
  }
  if (!response.ok) return { ...base, status: 'no_text', detail: `the web survey answered ${response.status}` };
  return {
    ...base,
    status: 'answered',
    detail: `WeChat: ${liveCase.replies.join(' / ')}`,
    surveyId,
    detractor: liveCase.detractor,
  };
}

// ——— Follow-ups ———

async function followUp(stack: Stack, detractorSurveys: string[], step: () => void) {
  const wanted = new Set(detractorSurveys);
  const alerts = await until(async () => {
    const { alerts: all } = await stack.read('/v1/alerts?limit=200', bodies.alerts, { token: await stack.cxToken() });
    const mine = all.filter((a) => wanted.has(a.surveyId));
    return new Set(mine.map((a) => a.surveyId)).size === wanted.size ? mine : undefined;
  }, ALERT_DEADLINE_MS);
  step();
  if (!alerts) return { alerts: 0, actions: 0, missing: true };
  let actions = 0;
  const sorted = [...alerts].sort((a, b) => a.id.localeCompare(b.id));
  for (const [i, alert] of sorted.entries()) {
    const script = followUps[i] ?? [];
    // A later run finds these already acted on: only an open alert gets its follow-ups.
    if (alert.status !== 'open') continue;
    for (const { action, note } of script) {
      const { status } = await stack.call(`/v1/alerts/${alert.id}/actions`, {
        token: await stack.departmentToken(alert.departmentId),
        json: { action, note },
      });
      if (status === 200) actions++;
    }
  }
  step();
  return { alerts: alerts.length, actions, missing: false };
}

// ——— The run ———

function options() {
  try {
    const { values } = parseArgs({ options: { json: { type: 'string' }, help: { type: 'boolean', default: false } } });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    return { json: values.json };
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}

async function main() {
  const opts = options();
  const config = stackConfig();
  const stack = new Stack(stackUrl(), config);
  const started = Date.now();
  const now = new Date();

  const ping = await fetchStack(`${stack.url}/`);
  if (!ping.ok) throw new StackUnreachable(`${stack.url}/ answered ${ping.status}: is this ClosedLoop's local stack?`);

  console.log(`Generating ${config.stores.length} stores' history…`);
  const history = generateHistory(config, now);
  const source = Buffer.from(history.rows.map((row) => JSON.stringify(row)).join('\n'));
  const read = readImportRecords(source, 'ndjson', requiredImportColumns);
  const checked = validateImportRows(read.records, config, now);
  const problems = problemsOf({ ...read.errors, ...checked.errors });
  if (problems.length > 0) {
    for (const p of problems.slice(0, 20)) console.error(formatProblem('demo', p));
    throw new Error(`the demo's own rows do not validate against this config (${problems.length} problems)`);
  }
  const answeredRows = history.rows.filter((r) => r.score !== undefined).length;
  const plans = planLive(config, now);
  const liveSteps = plans.reduce((n, p) => n + 2 + p.liveCase.replies.length + (p.liveCase.kind === 'opt_out' ? 1 : 0), 0) + 2;
  const chunks = chunkImport(source, read, CHUNK_LIMITS).length;
  console.log(
    `${history.rows.length} visits ${history.from} → ${history.to} (${answeredRows} answered) in ${chunks} requests; ` +
      `${plans.length} live customers; stack ${stack.url}`,
  );

  const bar = new SingleBar(
    { format: ' {bar} {percentage}% | {phase} | {duration_formatted}', hideCursor: true },
    Presets.shades_classic,
  );
  const total = history.rows.length + answeredRows + liveSteps;
  bar.start(total, 0, { phase: 'importing history' });
  let value = 0;
  const advance = (n: number, phase?: string) => {
    value += n;
    bar.update(Math.min(value, total), phase ? { phase } : {});
  };

  try {
    // 1. History, through the import and the scorer.
    const scoredBefore = await scoredAnswers(stack, history.from, history.to);
    const importStarted = Date.now();
    const imported = await importFile(source, read, 'ndjson', {
      url: stack.url,
      token: ingestToken(config),
      progress: (rows, sum) => advance(rows, `importing history: ${sum.imported} new, ${sum.duplicates} already there`),
    });
    const importSeconds = (Date.now() - importStarted) / 1000;

    const scoringStarted = Date.now();
    let scored = scoredBefore;
    let shown = 0;
    const settled = await until(
      async () => {
        scored = await scoredAnswers(stack, history.from, history.to);
        const progress = Math.min(scored, answeredRows);
        advance(progress - shown, `scoring history: ${scored}/${answeredRows} answers in the scores`);
        shown = progress;
        return scored >= answeredRows ? true : undefined;
      },
      SCORING_DEADLINE_MS,
      1000,
    );
    advance(answeredRows - shown);
    const scoringSeconds = (Date.now() - scoringStarted) / 1000;

    // 2. Live conversations, all at once, through the real APIs and the SMS simulator.
    const liveStarted = Date.now();
    advance(0, 'live conversations');
    const day = localDate(now, 'UTC');
    const outcomes = await Promise.all(
      plans.map((plan) => runConversation(stack, config, history, plan, day, () => advance(1, 'live conversations'))),
    );
    const liveSurveys = outcomes.filter((o) => o.detractor && (o.status === 'answered' || o.status === 'done_before'));

    // 3. The departments follow up the alerts the detractors raised.
    advance(0, 'following up alerts');
    const follow = liveSurveys.length
      ? await followUp(
          stack,
          liveSurveys.flatMap((o) => (o.surveyId ? [o.surveyId] : [])),
          () => advance(1, 'following up alerts'),
        )
      : { alerts: 0, actions: 0, missing: false };
    const liveSeconds = (Date.now() - liveStarted) / 1000;
    bar.update(total, { phase: 'done' });
    bar.stop();

    // 4. What there is to see now.
    const stores = await stack.read(
      `/v1/scores?metric=nps&from=${history.from}&to=${history.to}&groupBy=store&granularity=month`,
      bodies.scores,
      { token: await stack.cxToken() },
    );
    const byStore = new Map<string, { n: number; p: number; d: number }>();
    for (const b of stores.buckets) {
      const s = byStore.get(b.group) ?? { n: 0, p: 0, d: 0 };
      byStore.set(b.group, { n: s.n + b.responses, p: s.p + (b.promoters ?? 0), d: s.d + (b.detractors ?? 0) });
    }
    const rate = (n: number, s: number) => (s > 0 ? Math.round(n / s) : 0);
    console.log(
      `
Demo data is in ClosedLoop (${((Date.now() - started) / 1000).toFixed(0)} s in all)

History   ${history.rows.length} visits at ${config.stores.length} stores, ${history.advisors.length} advisors, ${history.from} → ${history.to}
          imported ${imported.imported} new (${imported.answered} answered), ${imported.duplicates} already there
          import ${importSeconds.toFixed(1)} s (${rate(history.rows.length, importSeconds)} rows/s); ` +
        (settled
          ? `scored ${scored} answers, settled ${scoringSeconds.toFixed(1)} s after the import (${rate(imported.answered, scoringSeconds)} answers/s)`
          : `${scored}/${answeredRows} answers scored so far: the scorer carries on in the background`) +
        `
NPS by store, ${history.from} → ${history.to}:
${[...byStore]
  .map(
    ([store, s]) =>
      `          ${store.padEnd(14)} ${String(Math.round(((s.p - s.d) / s.n) * 100)).padStart(4)}  (${s.n} answers)`,
  )
  .join('\n')}
Live      ${outcomes.map((o) => `\n          ${o.key} ${o.storeId.padEnd(12)} ${o.status.padEnd(11)} ${o.detail}`).join('')}
Alerts    ${follow.missing ? 'not all raised yet (the scorer is still busy)' : `${follow.alerts} raised by the live detractors, ${follow.actions} follow-up actions recorded now`}

Dashboard        ${stack.url}/   (sign in as one of the config's auth.people, e.g. ${config.auth.people[0]?.username ?? 'a person'})
Phone simulator  ${stack.url}/dev/phone
Inbox            ${stack.url}/inbox   (a head of department sees their own cases)`,
    );
    if (opts.json) {
      const live: Record<string, number> = {};
      for (const o of outcomes) live[o.status] = (live[o.status] ?? 0) + 1;
      const summary: DemoSummary = {
        rows: history.rows.length,
        answers: answeredRows,
        imported: imported.imported,
        duplicates: imported.duplicates,
        importSeconds,
        scoringSeconds,
        settled: settled === true,
        scored,
        liveSeconds,
        live,
        alerts: follow.alerts,
        totalSeconds: (Date.now() - started) / 1000,
      };
      writeFileSync(opts.json, `${JSON.stringify(summary, null, 2)}\n`);
    }
  } finally {
    bar.stop();
  }
}

try {
  await main();
} catch (error) {
  if (error instanceof ImportRefused) {
    for (const p of error.problems.slice(0, 20)) console.error(formatProblem('demo', p));
    console.error(error.message);
    process.exit(1);
  }
  if (error instanceof StackUnreachable || error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
