import { segments } from '#shared/domain/rfm.ts';
import { isIP } from 'node:net';
import * as z from '#shared/zod.ts';
import { encodingOf } from '#shared/domain/sms-segments.ts';
import { missingTemplates, templateVariables } from '#shared/domain/registered-templates.ts';
import { reachOf } from '#shared/domain/reach.ts';

const id = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, at most 40'));
const clockTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour'));
const timezone = z.string().check(z.refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai'));
export const locales = ['zh-CN', 'en'] as const;
const locale = z.enum(locales);
const smsMode = z.enum(['two-way', 'link']);
/** How a store reaches a customer, in order (shared/domain/reach.ts). */
export const reachChannels = ['sms', 'link', 'wechat', 'call'] as const;
const reachChannel = z.enum(reachChannels);
export const surveyTypes = ['nps', 'csat', 'ces'] as const;
export const surveyType = z.enum(surveyTypes);
export const commentCategories = [
  'wait_time',
  'price',
  'repair_quality',
  'staff_attitude',
  'parts',
  'cleanliness_damage',
  'appointment',
  'communication',
] as const;
export const commentCategory = z.enum(commentCategories);

/** What resolving an alert records: the root cause a head confirms, and what was done about it. */
const closureId = z.string().check(z.regex(/^[a-z][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, _ and -, at most 40'));
const localized = z.object({
  'zh-CN': z.string().check(z.minLength(1), z.maxLength(60)),
  en: z.string().check(z.minLength(1), z.maxLength(60)),
});
export const defaultClosure = {
  rootCauses: [...commentCategories, 'other'],
  resolutions: [
    { id: 'explained', name: { 'zh-CN': '解释说明', en: 'Explained to the customer' } },
    { id: 'redo_repair', name: { 'zh-CN': '返修 / 重新施工', en: 'Repair redone' } },
    { id: 'refund_or_discount', name: { 'zh-CN': '退款或折扣', en: 'Refund or discount' } },
    { id: 'apology', name: { 'zh-CN': '致歉', en: 'Apologised' } },
    { id: 'goodwill', name: { 'zh-CN': '赠送礼品或服务', en: 'Goodwill gesture' } },
    { id: 'no_action', name: { 'zh-CN': '无需处理', en: 'No action needed' } },
  ],
};
const closure = z._default(
  z.object({
    rootCauses: z.array(closureId).check(z.minLength(1)),
    resolutions: z.array(z.object({ id: closureId, name: localized })).check(z.minLength(1)),
  }),
  defaultClosure,
);
/** An IPv4 or IPv6 network in CIDR notation (`203.0.113.0/24`, `2001:db8::/32`). */
export const cidr = z.string().check(
  z.refine((value) => {
    const [address = '', prefix, ...rest] = value.split('/');
    const family = isIP(address);
    const bits = Number(prefix);
    return rest.length === 0 && family !== 0 && /^\d{1,3}$/.test(prefix ?? '') && bits <= (family === 4 ? 32 : 128);
  }, 'a network in CIDR notation, e.g. 203.0.113.0/24'),
);

const httpUrl = z.url({ protocol: /^https?$/ });
/**
 * `secret:NAME`: the value is the secret NAME of the function's secret source (the environment
 * locally, the stack's Secrets Manager secret in AWS), resolved once at cold start (shared/config/secrets.ts).
 */
const secretReference = z.string().check(z.regex(/^secret:[A-Za-z_][A-Za-z0-9_]*$/, 'secret:NAME'));
/** A secret in the file, `secret:NAME`, or `env:NAME`: read from that environment variable when used. */
const secret = z.string().check(z.minLength(1));
/** A path on the stack's own URL: one leading slash (`//host` would name another host), no spaces. */
export const relativeChannelUrl = /^\/(?![/\\])\S*$/;
/**
 * Where a channel posts: an http(s) URL, or a path on the stack's own URL (`/dev/webhooks/workshop`)
 * that works on any port, resolved at cold start (shared/config/channel-urls.ts).
 */
const channelUrl = z
  .string()
  .check(
    z.refine(
      (url) => httpUrl.safeParse(url).success || relativeChannelUrl.test(url),
      "an http(s) URL, or a path on the stack's own URL such as /dev/webhooks/workshop",
    ),
  );
/** A URL that is itself the credential (chat robots' webhooks): the URL, or `secret:NAME`. */
const credentialUrl = z.union([secretReference, channelUrl]);
const channel = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('webhook'),
    url: channelUrl,
    /** Standard Webhooks secret (`whsec_…` base64). */
    secret,
  }),
  /** Slack incoming webhook (`https://hooks.slack.com/services/…`); the URL is the credential. */
  z.object({ type: z.literal('slack'), url: credentialUrl }),
  /** 企业微信 group robot (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`); the key is the credential. */
  z.object({ type: z.literal('wecom'), url: credentialUrl }),
  /** 钉钉 custom robot (`https://oapi.dingtalk.com/robot/send?access_token=…`); `secret` (`SEC…`) when 加签 is on. */
  z.object({ type: z.literal('dingtalk'), url: credentialUrl, secret: z.optional(secret) }),
  /** 飞书 custom bot (`https://open.feishu.cn/open-apis/bot/v2/hook/…`); `secret` when 签名校验 is on. */
  z.object({ type: z.literal('feishu'), url: credentialUrl, secret: z.optional(secret) }),
  /** Email through Amazon SES (a local outbox file when EMAIL_OUTBOX is set); SES allows 50 recipients. */
  z.object({
    type: z.literal('email'),
    to: z.array(z.email()).check(z.minLength(1), z.maxLength(50)),
    from: z.optional(z.email()),
  }),
]);

const routingRule = z.object({
  when: z.strictObject({
    surveys: z.optional(z.array(surveyType).check(z.minLength(1))),
    maxScore: z.optional(z.number()),
    serviceTypes: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
    storeIds: z.optional(z.array(id).check(z.minLength(1))),
    categories: z.optional(z.array(commentCategory).check(z.minLength(1))),
    /** true: only customers of high value (see `priority`); false: only the others. */
    highValue: z.optional(z.boolean()),
  }),
  departments: z.array(id).check(z.minLength(1)),
});

const smsProvider = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('simulator') }),
  z.object({
    provider: z.literal('twilio'),
    accountSid: z.string().check(z.regex(/^AC[0-9a-fA-F]{32}$/, 'a Twilio Account SID (AC + 32 hex)')),
    from: z.optional(z.string().check(z.minLength(1))),
    messagingServiceSid: z.optional(z.string().check(z.regex(/^MG[0-9a-fA-F]{32}$/))),
    apiBaseUrl: z._default(z.url(), 'https://api.twilio.com'),
    /** Prefer the TWILIO_AUTH_TOKEN environment variable. */
    authToken: z.optional(z.string().check(z.minLength(1))),
  }),
  /** AWS End User Messaging SMS: outbound by SendTextMessage, replies through an SNS topic. */
  z.object({
    provider: z.literal('aws'),
    /** The phone number, its id or ARN, or a phone pool id or ARN the texts go out from (and replies come to). */
    originationIdentity: z.string().check(z.minLength(1), z.maxLength(256)),
    /** A configuration set for delivery events, when one is set up. */
    configurationSetName: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  }),
]);

/**
 * A WeChat service account (服务号) that sends template messages (模板消息) opening the web survey.
 * `apiBaseUrl` may be a path on the stack's own URL (`/dev/wechat-api`, the local fake), resolved
 * like relative channel URLs (shared/config/channel-urls.ts).
 */
const wechat = z.object({
  appId: z.string().check(z.regex(/^[A-Za-z0-9_-]{6,64}$/, "the service account's AppID (wx…)")),
  /** The AppSecret, `secret:NAME`, or absent: then the WECHAT_APP_SECRET secret (environment or Secrets Manager). */
  appSecret: z.optional(secret),
  /** The approved template's id (服务 category, chosen in 模板消息 of the account's platform). */
  templateId: z.string().check(z.regex(/^[A-Za-z0-9_-]{6,128}$/, 'a template id as the platform lists it')),
  apiBaseUrl: z._default(channelUrl, 'https://api.weixin.qq.com'),
  /** The template's keys (its {{key.DATA}} placeholders) for the store's name, the visit's date and the prompt. */
  fields: z._default(
    z.object({
      store: z._default(z.string().check(z.regex(/^[A-Za-z0-9_]{1,32}$/)), 'thing1'),
      visitDate: z._default(z.string().check(z.regex(/^[A-Za-z0-9_]{1,32}$/)), 'time2'),
      prompt: z._default(z.string().check(z.regex(/^[A-Za-z0-9_]{1,32}$/)), 'thing3'),
    }),
    { store: 'thing1', visitDate: 'time2', prompt: 'thing3' },
  ),
});

/** A text as registered with the provider and the carriers: its id there and its whole body, signature included. */
const registeredTemplate = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  body: z.string().check(
    z.minLength(1),
    z.maxLength(500),
    z.refine(
      (body) => [...body.matchAll(/\{([^{}]*)\}/g)].every(([, v]) => (templateVariables as readonly string[]).includes(v ?? '')),
      `variables are ${templateVariables.map((v) => `{${v}}`).join(', ')}`,
    ),
  ),
});

/** What every SMS provider shares: registered templates, the daily cap and the conversation's length. */
const smsRules = z.object({
  /** `templates[kind][locale]`: the texts registered for the countries that require it (shared/domain/registered-templates.ts). */
  templates: z._default(
    z.record(z.string().check(z.minLength(1), z.maxLength(40)), z.partialRecord(locale, registeredTemplate)),
    {},
  ),
  /** Stores in these countries send only registered texts (mainland China requires it). */
  registeredTemplateCountries: z._default(z.array(z.string().check(z.regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2 country code'))), [
    'CN',
  ]),
  /**
   * At most this many texts to one number per the customer's local day (Tencent Cloud's default is 2):
   * a question or reminder over it waits for the next day, a reply over it is not sent.
   */

  maxPerNumberPerDay: z.optional(z.int().check(z.gte(1), z.lte(50))),
  /** `short`: the question asks score and reason in one reply, so a survey takes two texts. */
  conversation: z._default(z.enum(['full', 'short']), 'full'),
});

/** Red/amber/green thresholds of a score on the dashboard: at least `green` is green, at least `amber` amber. */
const target = (min: number, max: number, green: number, amber: number) =>
  z._default(
    z
      .object({ green: z.number().check(z.gte(min), z.lte(max)), amber: z.number().check(z.gte(min), z.lte(max)) })
      .check(z.refine((t) => t.amber <= t.green, { path: ['amber'], message: 'must not be above green' })),
    { green, amber },
  );
const targets = {
  nps: target(-100, 100, 50, 30),
  csat: target(0, 100, 90, 80),
  ces: target(1, 7, 5.5, 5),
};

/** A role of a person or a client on people's routes, as their groups or scopes name it. */
const personRole = z.discriminatedUnion('role', [
  z.object({ role: z.literal('cx') }),
  z.object({ role: z.literal('department'), departmentId: id }),
]);

/**
 * A machine key for the machine routes (visits, imports): the token itself, `secret:NAME`, or
 * `sha256:<hex>` (only its SHA-256 is kept, as in AWS's secret).
 */
const machineKey = z.object({
  token: z.string().check(z.minLength(8)),
  role: z.literal('ingest'),
  /** Who holds it, as the audit trail records it (default: the role). */
  name: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});

/** OAuth client credentials for a BI tool or CRM on people's routes (locally; in AWS a Cognito app client). */
const oauthClient = z.intersection(
  z.object({
    clientId: z.string().check(z.regex(/^[A-Za-z0-9._-]{3,64}$/, 'letters, digits, dot, dash, underscore; 3–64')),
    /** The local provider's client secret; the stack's Cognito client gets a generated one instead. */
    secret: z.optional(z.string().check(z.minLength(16))),
  }),
  personRole,
);

/** A person who signs in to the local OpenID Connect provider (`npm start`); in AWS, Cognito's users. */
const localPerson = z.intersection(
  z.object({
    username: z.string().check(z.regex(/^[a-z0-9._-]{2,64}$/, 'lower-case letters, digits, dot, dash, underscore')),
    name: z.string().check(z.minLength(1), z.maxLength(80)),
    password: z.string().check(z.minLength(8)),
  }),
  personRole,
);

/** An existing OpenID Connect issuer for people (instead of the stack's Cognito user pool). */
const oidcIssuer = z.object({
  issuer: httpUrl,
  /** The token's `aud` (ID tokens) or `client_id` (access tokens) the API accepts. */
  audience: z.union([z.string().check(z.minLength(1)), z.array(z.string().check(z.minLength(1))).check(z.minLength(1))]),
  /** The public client the web pages sign in with (code + PKCE). */
  clientId: z.string().check(z.minLength(1)),
  /** The claim listing the person's groups: `cx`, `department-<id>`. */
  rolesClaim: z._default(z.string().check(z.minLength(1)), 'cognito:groups'),
});

/** Four cut points, strictly ascending. */
const ascendingCuts = z
  .tuple([
    z.number().check(z.nonnegative()),
    z.number().check(z.nonnegative()),
    z.number().check(z.nonnegative()),
    z.number().check(z.nonnegative()),
  ])
  .check(z.refine(([a, b, c, d]) => a < b && b < c && c < d, 'four cut points, each above the one before'));

/**
 * Retention horizons in days: a list of one to four, or one number, which is what a person
 * writes for one horizon (`"horizonDays": 180`) and is read as `[180]`.
 */
const horizonDays = z.pipe(
  z.transform((value: unknown) => (typeof value === 'number' ? [value] : value)),
  z
    .array(z.int().check(z.gte(1), z.lte(730)), {
      error: (issue) => (issue.code === 'invalid_type' ? 'a number of days, or a list of one to four' : undefined),
    })
    .check(
      z.minLength(1),
      z.maxLength(4),
      z.refine((h) => new Set(h).size === h.length, 'each horizon once'),
    ),
);

export const configSchema = z
  .object({
    brand: z.object({
      name: z.string().check(z.minLength(1)),
      /**
       * One signature for every locale, or one per locale. A 【…】 signature belongs to Chinese
       * texts only: where English texts would get a Chinese one (one string, or another locale's as
       * fallback), they sign with `[name]` if the brand name is GSM-7 and `[name]` fits 20
       * characters, else with none (shared/domain/messages.ts). An explicit `en` one must be GSM-7.
       */
      smsSignature: z.union([
        z.string().check(z.minLength(1), z.maxLength(20)),
        z.partialRecord(locale, z.string().check(z.minLength(1), z.maxLength(20))),
      ]),
    }),
    defaultLocale: locale,
    stores: z
      .array(
        z.object({
          id,
          name: z.string().check(z.minLength(1)),
          timezone,
          country: z.string().check(z.regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2 country code')),
          /** Overrides the config-wide smsMode for this store's sender. */
          smsMode: z.optional(smsMode),
          /**
           * The channels this store reaches a customer by, in order: the first one a visit can use,
           * the next one once (shared/domain/reach.ts). Default: `["sms"]`, or `["link"]` where
           * `smsMode` is link.
           */
          reach: z.optional(
            z.array(reachChannel).check(
              z.minLength(1),
              z.maxLength(4),
              z.refine((r) => new Set(r).size === r.length, 'each channel once'),
            ),
          ),
          /** The store's own networks (CIDR): a web answer from one of them is flagged `store_network`. */
          networks: z.optional(z.array(cidr).check(z.maxLength(50))),
        }),
      )
      .check(z.minLength(1)),
    departments: z
      .array(
        z.object({
          id,
          name: z.string().check(z.minLength(1)),
          slaHours: z.number().check(z.positive()),
          channels: z._default(z.array(channel), []),
        }),
      )
      .check(z.minLength(1)),
    surveyPlans: z
      .array(
        z.object({
          serviceType: z.string().check(z.minLength(1)),
          /** The service as people read it on the pages, in each locale; without one they see `serviceType`. */
          name: z.optional(localized),
          survey: surveyType,
          delayMinutes: z.number().check(z.gte(0)),
          /** The department that delivers this service; answers count towards its scores. */
          departmentId: z.optional(id),
        }),
      )
      .check(z.minLength(1)),
    quietHours: z.object({ start: clockTime, end: clockTime }),
    throttleDays: z.number().check(z.gte(0)),
    reminder: z.object({ afterHours: z.number().check(z.positive()) }),
    expiryHours: z.number().check(z.positive()),
    reasonWaitMinutes: z._default(z.number().check(z.positive()), 30),
    /** A bucket with fewer answers is shown as not enough data rather than as a hard number. */
    minResponses: z._default(z.int().check(z.gte(1)), 10),
    /** Customers with many visits or a high spend in the event history get priority and a shorter SLA. */
    priority: z._default(
      z.object({
        /** Set (either): also a customer with this many visits or this spend is high value, as before segments. */
        minVisits: z.optional(z.int().check(z.positive())),
        minSpend: z.optional(z.number().check(z.positive())),
        slaFactor: z._default(z.number().check(z.positive(), z.lte(1)), 0.5),
      }),
      { slaFactor: 0.5 },
    ),
    /** After an alert is resolved the customer is surveyed again, throttle, quiet hours and opt-out permitting. */
    recovery: z._default(z.object({ resurveyAfterHours: z._default(z.number().check(z.positive()), 72) }), {
      resurveyAfterHours: 72,
    }),
    /**
     * Retention: the horizons (days after a surveyed visit) within which a next visit counts as
     * the customer coming back; the first is what GET /v1/retention answers by default.
     */
    retention: z._default(
      z.object({
        horizonDays: z._default(horizonDays, [180, 365]),
        /** RFM cut points (shared/domain/rfm.ts); the defaults suit a car service business (CNY). */
        rfm: z._default(
          z.object({
            recencyDays: z._default(ascendingCuts, [45, 120, 240, 400]),
            visits: z._default(ascendingCuts, [2, 3, 5, 8]),
            spend: z._default(ascendingCuts, [1500, 4000, 10_000, 25_000]),
          }),
          { recencyDays: [45, 120, 240, 400], visits: [2, 3, 5, 8], spend: [1500, 4000, 10_000, 25_000] },
        ),
        /** Detractors in these segments get high-priority alerts with the shorter SLA (`priority.slaFactor`). */
        highValueSegments: z._default(z.array(z.enum(segments)), ['champions', 'loyal', 'cant_lose']),
        /** A loyal customer (F ≥ 3 and M ≥ 3) with no visit for this long raises one retention task. */
        atRiskAfterDays: z._default(z.int().check(z.gte(7), z.lte(730)), 180),
        /** Who works retention tasks (default: `defaultDepartment`); their channels and inbox. */
        departmentId: z.optional(id),
        /** A retention task's SLA: a personal call within 72 hours is the recovery playbook. */
        taskSlaHours: z._default(z.number().check(z.positive(), z.lte(720)), 72),
        /** A visit within this many days of the task counts the customer won back. */
        wonBackDays: z._default(z.int().check(z.gte(1), z.lte(365)), 90),
      }),
      {
        horizonDays: [180, 365],
        rfm: { recencyDays: [45, 120, 240, 400], visits: [2, 3, 5, 8], spend: [1500, 4000, 10_000, 25_000] },
        highValueSegments: ['champions', 'loyal', 'cant_lose'],
        atRiskAfterDays: 180,
        taskSlaHours: 72,
        wonBackDays: 90,
      },
    ),
    /**
     * Call-backs (电话回访): a survey whose channel is `call` becomes a call task for this department
     * (default: `defaultDepartment`), due within `slaHours`; a customer not reached is tried again,
     * up to `attempts` calls, then the task closes and the survey expires.
     */
    callbacks: z._default(
      z.object({
        departmentId: z.optional(id),
        slaHours: z._default(z.number().check(z.positive(), z.lte(720)), 72),
        attempts: z._default(z.int().check(z.gte(1), z.lte(10)), 3),
      }),
      { slaHours: 72, attempts: 3 },
    ),
    routing: z._default(z.array(routingRule), []),
    closure,
    defaultDepartment: id,
    sms: z.intersection(smsProvider, smsRules),
    /** WeChat service-account template messages, for stores whose `reach` names `wechat`. */
    wechat: z.optional(wechat),
    auth: z.object({
      tokens: z.array(machineKey).check(z.minLength(1)),
      clients: z._default(z.array(oauthClient), []),
      people: z._default(z.array(localPerson), []),
      oidc: z.optional(oidcIssuer),
    }),
    privacy: z._default(
      z.object({
        /** HMAC key for phone lookups and AES key material; prefer PHONE_KEY in the environment. */
        phoneKey: z.optional(z.union([secretReference, z.string().check(z.minLength(16))])),
        retentionDays: z._default(z.int().check(z.positive()), 730),
      }),
      { retentionDays: 730 },
    ),
    publicBaseUrl: z.optional(z.url()),
    /**
     * `two-way`: customers answer by replying to the text. `link`: the sender cannot receive
     * replies, so the text carries a link to the one-page web survey instead.
     */
    smsMode: z._default(smsMode, 'two-way'),
    /** Integrity signals: what flags an answer or a visit, and when a share counts as far above its peers. */
    integrity: z._default(
      z.object({
        /** Staff numbers (as typed, the store's country by default): a visit with one is flagged `staff_phone`. */
        staffPhones: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(32))).check(z.maxLength(500)), []),
        /** A web answer this soon after the visit's end is flagged `fast_answer`. */
        fastAnswerMinutes: z._default(z.number().check(z.positive()), 10),
        /** Fewer visits or answers than this (in the group or its peers) and no test is run. */
        minN: z._default(z.int().check(z.gte(1)), 30),
        /** A share fires its signal when the one-sided test's p-value is below this. */
        maxPValue: z._default(z.number().check(z.positive(), z.lte(0.5)), 0.01),
        /** This many top scores in a row for one advisor flags the answers from there on `perfect_streak`. */
        streakLength: z._default(z.int().check(z.gte(2)), 10),
      }),
      { staffPhones: [], fastAnswerMinutes: 10, minN: 30, maxPValue: 0.01, streakLength: 10 },
    ),
    /** The dashboard's targets per score (NPS −100…100, CSAT % satisfied, CES mean 1–7). */
    targets: z._default(z.object(targets), {
      nps: { green: 50, amber: 30 },
      csat: { green: 90, amber: 80 },
      ces: { green: 5.5, amber: 5 },
    }),
  })
  .check(
    z.superRefine((config, ctx) => {
      const signature = config.brand.smsSignature;
      if (typeof signature === 'object' && signature.en !== undefined && encodingOf(signature.en) !== 'GSM-7') {
        ctx.addIssue({
          code: 'custom',
          path: ['brand', 'smsSignature', 'en'],
          message: 'an English signature must be GSM-7 (no 【】 or Chinese characters), or English texts fall into UCS-2',
        });
      }
      const departments = new Set(config.departments.map((d) => d.id));
      const mustBeDepartment = (value: string, path: (string | number)[]) => {
        if (!departments.has(value)) {
          ctx.addIssue({ code: 'custom', path, message: `unknown department "${value}"` });
        }
      };
      mustBeDepartment(config.defaultDepartment, ['defaultDepartment']);
      if (config.retention.departmentId) mustBeDepartment(config.retention.departmentId, ['retention', 'departmentId']);
      if (config.callbacks.departmentId) mustBeDepartment(config.callbacks.departmentId, ['callbacks', 'departmentId']);
      config.routing.forEach((rule, i) => {
        rule.departments.forEach((d, j) => {
          mustBeDepartment(d, ['routing', i, 'departments', j]);
        });
      });
      config.surveyPlans.forEach((plan, i) => {
        if (plan.departmentId) mustBeDepartment(plan.departmentId, ['surveyPlans', i, 'departmentId']);
      });
      for (const key of ['clients', 'people'] as const) {
        config.auth[key].forEach((p, i) => {
          if (p.role === 'department') mustBeDepartment(p.departmentId, ['auth', key, i, 'departmentId']);
        });
      }
      checkReach(config, ctx);
      unique(config.closure.rootCauses, ['closure', 'rootCauses'], ctx);
      unique(
        config.closure.resolutions.map((r) => r.id),
        ['closure', 'resolutions'],
        ctx,
      );
      unique(
        config.stores.map((s) => s.id),
        ['stores'],
        ctx,
      );
      unique(
        config.departments.map((d) => d.id),
        ['departments'],
        ctx,
      );
      unique(
        config.surveyPlans.map((p) => p.serviceType),
        ['surveyPlans'],
        ctx,
      );
      unique(
        config.auth.tokens.map((t) => t.token),
        ['auth', 'tokens'],
        ctx,
      );
      unique(
        config.auth.clients.map((c) => c.clientId),
        ['auth', 'clients'],
        ctx,
      );
      unique(
        config.auth.people.map((p) => p.username),
        ['auth', 'people'],
        ctx,
      );
    }),
  );

export type Config = z.infer<typeof configSchema>;
export type Store = Config['stores'][number];
export type Department = Config['departments'][number];
export type Channel = Department['channels'][number];
export type RoutingRule = Config['routing'][number];
export type SurveyType = z.infer<typeof surveyType>;
export type CommentCategory = z.infer<typeof commentCategory>;
export type Locale = z.infer<typeof locale>;
export type MachineKey = Config['auth']['tokens'][number];
export type OAuthClient = Config['auth']['clients'][number];
export type LocalPerson = Config['auth']['people'][number];
export type PersonRole = z.infer<typeof personRole>;
export type Targets = Config['targets'];
export type WechatConfig = NonNullable<Config['wechat']>;

/**
 * Every store's reach names channels the config can serve, and every store that must send
 * registered texts has one for each kind its channels send: start-up names what is missing.
 */
function checkReach(config: z.infer<typeof configSchema>, ctx: z.core.$RefinementCtx) {
  // The WeChat and call-back blocks belong to their own modules; read here only to say whether they are configured.
  const extra = config as { wechat?: unknown; callbacks?: { departmentId?: string } };
  const callDepartment = extra.callbacks?.departmentId ?? config.defaultDepartment;
  const departments = new Set(config.departments.map((d) => d.id));
  config.stores.forEach((store, i) => {
    const reach = reachOf(store, config);
    if (reach.includes('wechat') && extra.wechat === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['stores', i, 'reach'],
        message: 'names wechat, but the config has no wechat block (appId, appSecret, templateId)',
      });
    }
    if (reach.includes('call') && !departments.has(callDepartment)) {
      ctx.addIssue({
        code: 'custom',
        path: ['stores', i, 'reach'],
        message: `names call, but the call-back department "${callDepartment}" does not exist`,
      });
    }
  });
  for (const { kind, locale } of missingTemplates(config)) {
    ctx.addIssue({
      code: 'custom',
      path: ['sms', 'templates', kind, locale],
      message: `missing: stores in ${config.sms.registeredTemplateCountries.join(', ')} send only registered texts, and this one is sent`,
    });
  }
}

function unique(values: string[], path: string[], ctx: z.core.$RefinementCtx) {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) ctx.addIssue({ code: 'custom', path, message: `duplicate "${value}"` });
    seen.add(value);
  }
}

let canonicalTimeZones: ReadonlySet<string> | undefined;

/**
 * Whether `Intl.DateTimeFormat` takes `value` as a time zone. A canonical IANA name, or `UTC`
 * (which every implementation takes, though Node 20's list leaves it out), is looked up in the
 * runtime's list (about 1.5 ms, once); only another spelling (an alias such as `Etc/UTC` or
 * `Asia/Kolkata`) builds a DateTimeFormat to ask, since the first one loads ICU's date formatting
 * data (about 11 ms): a cold start pays that where a function works out a local time, not for
 * validating its config.
 */
export function isTimeZone(value: string): boolean {
  canonicalTimeZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  if (canonicalTimeZones.has(value)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
