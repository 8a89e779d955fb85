/**
 * The demo's history: months of visits and answers for the configured stores, made up from a
 * seeded generator so that every run makes the same rows with the same eventIds. Each store's
 * day is generated on its own (seeded by store and date), so a later run's window shares its
 * days, row for row, with an earlier run's.
 */
import { createHash } from 'node:crypto';
import { pickWeighted, seededRandom } from '#local/seeded-random.ts';
import type { CommentCategory, Config, Store, SurveyType } from '#shared/config/schema.ts';
import { toE164 } from '#shared/domain/phone.ts';
import { instantOfWallClock, localDate, nextSendableTime } from '#shared/domain/quiet-hours.ts';
import { scales, type Sentiment, sentimentOf } from '#shared/domain/scoring.ts';
import type { ImportRowFields } from '#shared/use-cases/import-answers.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A seeded source of chance (xoroshiro128+), one per thing that must come out the same every run. */
export class Dice {
  readonly float: () => number;
  constructor(key: string) {
    this.float = seededRandom(createHash('sha256').update(`closedloop-demo|${key}`).digest().readInt32LE(0));
  }
  chance(p: number) {
    return this.float() < p;
  }
  int(min: number, max: number) {
    return min + Math.floor(this.float() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error('nothing to pick from');
    return item;
  }
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    return pickWeighted(this.float, entries);
  }
  /** Standard normal (Box–Muller). */
  normal() {
    return Math.sqrt(-2 * Math.log(1 - this.float())) * Math.cos(2 * Math.PI * this.float());
  }
}

/** How each store (by its place in the config) does: some clearly better than others. */
const storeProfiles = [
  { quality: 0.7, visitsPerDay: 22, responseRate: 0.45 },
  { quality: 0.56, visitsPerDay: 17, responseRate: 0.41 },
  { quality: 0.36, visitsPerDay: 19, responseRate: 0.37 },
  { quality: 0.62, visitsPerDay: 15, responseRate: 0.42 },
  { quality: 0.8, visitsPerDay: 13, responseRate: 0.49 },
  { quality: 0.55, visitsPerDay: 12, responseRate: 0.43 },
  // A newer store, reaching its customers by WeChat first: fewer visits, more answers.
  { quality: 0.6, visitsPerDay: 7, responseRate: 0.52 },
];
const TOTAL_ADVISORS = 25;
/**
 * Two advisors for the integrity panel: at the first link-mode store, one who asks customers to
 * "give me a 10" at the counter (web answers minutes after the visit, top scores); at the second
 * store, one whose visits often come without a phone number.
 */
const asksForTens = { advisor: 0, share: 0.6 };
const missingPhones = { store: 1, advisor: 2, share: 0.45 };

/** Advisors who clearly stand out, by store index and advisor index. */
const standouts = [
  { store: 0, advisor: 1, skill: 0.2 },
  { store: 4, advisor: 2, skill: 0.15 },
  { store: 2, advisor: 3, skill: -0.32 },
];

const serviceMix: Record<string, { share: number; quality: number; response: number }> = {
  first_service: { share: 0.1, quality: 0.08, response: 1.1 },
  maintenance: { share: 0.5, quality: 0, response: 1 },
  repair: { share: 0.28, quality: -0.06, response: 1 },
  warranty: { share: 0.12, quality: -0.12, response: 0.9 },
};

/** What a visit costs (CNY-like, any store), low and high: the customers' spend for RFM. Warranty work is free. */
const amounts: Record<string, [number, number]> = {
  first_service: [0, 400],
  maintenance: [500, 1500],
  repair: [1200, 9000],
  warranty: [0, 0],
};

/** Spring Festival (the first day of the lunar year), which closes Chinese service centres for days. */
const chineseNewYear: Record<number, string> = {
  2024: '2024-02-10',
  2025: '2025-01-29',
  2026: '2026-02-17',
  2027: '2027-02-06',
  2028: '2028-01-26',
  2029: '2029-02-13',
  2030: '2030-02-03',
};

const DAY_MS = 24 * HOUR;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const daysInMonth = (date: string) => new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 0)).getUTCDate();

/** Sunday first, as getUTCDay counts: busy Saturdays, quiet Sundays. */
const weekdayFactor = [0.55, 1, 0.95, 0.95, 1, 1.1, 1.3];

/** How busy a store is on a date compared with an ordinary day: holidays, pre-holiday rushes, month ends. */
export function busyness(date: string, country: string): number {
  let factor = weekdayFactor[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? 1;
  const [year, month, day] = [Number(date.slice(0, 4)), date.slice(5, 7), Number(date.slice(8, 10))];
  const springFestival = chineseNewYear[year];
  const fromNewYear = springFestival ? dayNumber(date) - dayNumber(springFestival) : Number.NaN;
  if (country === 'CN') {
    if (fromNewYear >= -2 && fromNewYear <= 6) factor *= 0.12;
    else if (fromNewYear >= -7 && fromNewYear < -2) factor *= 1.3;
    else if (fromNewYear > 6 && fromNewYear <= 10) factor *= 1.4;
    if (month === '10' && day <= 7)
      factor *= 0.35; // National Day Golden Week
    else if (month === '10' && day <= 10) factor *= 1.35;
    if (month === '05' && day <= 5) factor *= 0.5; // Labour Day holiday
  } else if (country === 'SG') {
    if (fromNewYear >= 0 && fromNewYear <= 1) factor *= 0.15;
    else if (fromNewYear >= -5 && fromNewYear < 0) factor *= 1.2;
  } else if (country === 'GB') {
    const md = date.slice(5);
    if (md === '12-25' || md === '12-26' || md === '01-01') factor *= 0;
    else if (md === '12-24' || (month === '12' && day >= 27)) factor *= 0.55;
    else if (month === '08') factor *= 0.9; // summer holidays
  }
  // Month-end: sales and service targets pull visits into the last days.
  if (day > daysInMonth(date) - 3) factor *= 1.25;
  return factor;
}

export const comments: Record<'zh' | 'en', Record<CommentCategory, string[]> & { praise: string[]; mixed: string[] }> = {
  zh: {
    wait_time: ['等了三个多小时才提车，太慢了', '预约了到店还要排队，等太久', '说好两小时，结果拖了一整天', '交车时间一再延误'],
    price: ['保养价格太贵了', '结算时多收了工时费', '报价和最后收费不一样', '换个机油收费也太高了'],
    repair_quality: ['修完没两天又坏了，只能返修', '异响还是没修好', '老问题依旧，白跑一趟', '故障灯又亮了'],
    staff_attitude: ['前台态度很差，爱答不理', '顾问很不耐烦', '问了几次都没人理，态度冷漠'],
    parts: ['配件缺货，要等两周', '零件没货，车只能先开回去'],
    cleanliness_damage: ['车内被弄脏了，座椅上有油污', '提车发现车门多了一道划痕'],
    appointment: ['网上预约一直约不上，只能改期', '到店才发现预约没登记上'],
    communication: ['修车进度没人通知我', '加了项目也没解释清楚就做了', '说好回电，一直没人联系'],
    praise: [
      '服务很周到，谢谢',
      '顾问很专业，讲解清楚',
      '效率高，车也洗得很干净',
      '非常满意，下次还来',
      '师傅手艺好，车开起来顺多了',
    ],
    mixed: ['总体还行，休息区可以再改善', '一般吧，流程可以更简单', '还可以，就是停车不太方便'],
  },
  en: {
    wait_time: [
      'Had to wait over three hours for a simple service',
      'The car was ready two days late',
      'Waited ages at the counter, far too slow',
    ],
    price: ['Far too expensive for a basic service', 'I was overcharged on labour', 'The final bill was higher than the quote'],
    repair_quality: [
      'Same problem came back a week later',
      'The noise is still there after the repair',
      'Warning light came on again the next day',
    ],
    staff_attitude: ['The advisor was rude and dismissive', 'Staff were unfriendly and unhelpful', 'I felt ignored at reception'],
    parts: ['Parts were out of stock, had to come back', 'Two weeks for backordered parts'],
    cleanliness_damage: ['Found a new scratch on the door', 'Car came back dirty with greasy marks on the seat'],
    appointment: ['Could not get an appointment for two weeks', 'My booking was lost and I had to reschedule'],
    communication: [
      'Nobody called to tell me the car was ready',
      'Extra work was done without anyone explaining it',
      'Promised a call back that never came',
    ],
    praise: [
      'Great service, thank you',
      'Friendly team and very professional',
      'Quick and easy, car looks great',
      'Really happy, will come again',
    ],
    mixed: [
      'Fine overall, the lounge could be better',
      'Decent, but the process could be simpler',
      'OK, parking was a bit awkward',
    ],
  },
};

const zhSurnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林'];
const sgSurnames = ['Tan', 'Lim', 'Lee', 'Ng', 'Wong', 'Goh', 'Chua', 'Koh', 'Teo', 'Ong', 'Kumar', 'Singh'];
const gbSurnames = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Evans'];

/** A mobile number of the store's country, valid by its numbering plan; undefined for other countries. */
export function demoPhone(dice: Dice, country: string): string | undefined {
  const digits = (n: number) => Array.from({ length: n }, () => dice.int(0, 9)).join('');
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate =
      country === 'CN'
        ? `${dice.pick(['135', '136', '137', '138', '139', '150', '158', '159', '186', '188'])}${digits(8)}`
        : country === 'SG'
          ? `${dice.pick(['8', '9'])}${digits(7)}`
          : country === 'GB'
            ? `07${dice.pick(['4', '5', '7', '8', '9'])}${digits(8)}`
            : undefined;
    if (!candidate) return undefined;
    if (toE164(candidate, country)) return candidate;
  }
  return undefined;
}

function customerName(dice: Dice, country: string) {
  if (country === 'CN') return `${dice.pick(zhSurnames)}${dice.pick(['先生', '女士'])}`;
  return `${dice.pick(['Mr', 'Ms'])} ${dice.pick(country === 'SG' ? sgSurnames : gbSurnames)}`;
}

export interface DemoAdvisor {
  id: string;
  storeId: string;
  skill: number;
  workload: number;
}

interface StorePlan {
  store: Store;
  profile: (typeof storeProfiles)[number];
  code: string;
  locale: 'zh-CN' | 'en';
  advisors: DemoAdvisor[];
  technicians: string[];
  customers: number;
}

function storePlans(config: Readonly<Config>): StorePlan[] {
  const profiles = config.stores.map(
    (_, i) => storeProfiles[i % storeProfiles.length] ?? { quality: 0.6, visitsPerDay: 14, responseRate: 0.42 },
  );
  const totalVolume = profiles.reduce((sum, p) => sum + p.visitsPerDay, 0);
  const codes = new Set<string>();
  return config.stores.map((store, s) => {
    const profile = profiles[s] ?? { quality: 0.6, visitsPerDay: 14, responseRate: 0.42 };
    let code = (store.id.split('-').pop() ?? store.id).slice(0, 3).toUpperCase();
    while (codes.has(code)) code = `${code.slice(0, 2)}${codes.size}`;
    codes.add(code);
    const dice = new Dice(`store|${store.id}`);
    const count = Math.max(3, Math.round((TOTAL_ADVISORS * profile.visitsPerDay) / totalVolume));
    const advisors = Array.from({ length: count }, (_, a) => ({
      id: `A-${code}-${String(a + 1).padStart(2, '0')}`,
      storeId: store.id,
      skill: standouts.find((o) => o.store === s && o.advisor === a)?.skill ?? dice.normal() * 0.04,
      workload: 0.7 + dice.float() * 0.6,
    }));
    return {
      store,
      profile,
      code,
      locale: store.country === 'CN' ? 'zh-CN' : 'en',
      advisors,
      technicians: Array.from({ length: 4 }, (_, t) => `T-${code}-${String(t + 1).padStart(2, '0')}`),
      // Most customers come back within the months shown: fewer customers than visits.
      customers: Math.round(profile.visitsPerDay * 110),
    };
  });
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function sentimentFor(dice: Dice, quality: number): Sentiment {
  const promoter = 0.2 + 0.65 * quality;
  const detractor = clamp(0.32 - 0.3 * quality, 0.03, 0.6);
  return dice.weighted([
    ['promoter', promoter],
    ['detractor', detractor],
    ['passive', Math.max(0.05, 1 - promoter - detractor)],
  ] as const);
}

/** How scores spread within each sentiment: detractors mostly 5s and 6s, as in real NPS data. */
const scoreSpread: Record<SurveyType, Record<Sentiment, (readonly [number, number])[]>> = {
  nps: {
    promoter: [
      [10, 0.55],
      [9, 0.45],
    ],
    passive: [
      [8, 0.55],
      [7, 0.45],
    ],
    detractor: [
      [6, 0.42],
      [5, 0.25],
      [4, 0.1],
      [3, 0.09],
      [2, 0.06],
      [1, 0.04],
      [0, 0.04],
    ],
  },
  csat: {
    promoter: [
      [5, 0.6],
      [4, 0.4],
    ],
    passive: [[3, 1]],
    detractor: [
      [2, 0.65],
      [1, 0.35],
    ],
  },
  ces: {
    promoter: [
      [7, 0.45],
      [6, 0.35],
      [5, 0.2],
    ],
    passive: [[4, 1]],
    detractor: [
      [3, 0.55],
      [2, 0.3],
      [1, 0.15],
    ],
  },
};

function scoreFor(dice: Dice, survey: SurveyType, sentiment: Sentiment): number {
  const score = dice.weighted(scoreSpread[survey][sentiment]);
  // The tables are written per sentiment; keep them honest with the scoring rules.
  if (sentimentOf(survey, score) !== sentiment) throw new Error(`demo score ${score} is not a ${sentiment} for ${survey}`);
  return score;
}

function complaintCategory(dice: Dice, serviceType: string, busy: number, advisorSkill: number): CommentCategory {
  const repairLike = serviceType === 'repair' || serviceType === 'warranty';
  return dice.weighted([
    ['wait_time', 2.5 * busy * busy],
    ['price', serviceType === 'maintenance' ? 2.6 : 1.6],
    ['repair_quality', repairLike ? 3.5 : 1],
    ['staff_attitude', advisorSkill < -0.1 ? 3 : 1],
    ['parts', repairLike ? 1.5 : 0.5],
    ['cleanliness_damage', 0.7],
    ['appointment', 0.8],
    ['communication', advisorSkill < -0.1 ? 2.8 : 1.3],
  ] as const);
}

/** Minutes past local midnight a visit ends: a morning and an afternoon peak, 08:30 to 18:45. */
const visitMinutes = (dice: Dice) =>
  Math.round(clamp(dice.chance(0.55) ? 660 + dice.normal() * 75 : 960 + dice.normal() * 80, 510, 1125));

/** How long after the text the answer came: mostly within the hour, some the same day, a few after the reminder. */
function answerDelayMs(dice: Dice, reminderHours: number) {
  const u = dice.float();
  if (u < 0.7) return Math.round(-Math.log(1 - dice.float()) * 25 * MINUTE) + MINUTE;
  if (u < 0.9) return Math.round((1 + dice.float() * 7) * HOUR);
  return Math.round((reminderHours + dice.float() * 6) * HOUR);
}

/**
 * After an answer, the chance that the customer never comes back: what makes the retention panel
 * show a true figure (promoters return more often than detractors). Decided by each visit's own
 * seed; a lost customer's later visits are left out of the history.
 */
export const lostAfter: Record<Sentiment, number> = { promoter: 0.05, passive: 0.15, detractor: 0.4 };

/** Drawn from the visit's own seed, so the rest of the history stays as it was. */
function amountOf(eventId: string, serviceType: string): number {
  const [low, high] = amounts[serviceType] ?? [300, 1500];
  return Math.round(low + new Dice(`amount|${eventId}`).float() * (high - low));
}

export interface DemoHistory {
  rows: ImportRowFields[];
  from: string;
  to: string;
  advisors: DemoAdvisor[];
  /** Visits not included yet: their survey is still open (not answered, not yet expired) at `now`. */
  pending: number;
}

/**
 * Every store's visits from `months` months before yesterday to yesterday (store local dates),
 * with their surveys: a row per visit, answered or expired. A visit is included once its
 * survey is over (answered, or past its expiry), so every row is history by `now`.
 */
export function generateHistory(config: Readonly<Config>, now: Date, months = 6): DemoHistory {
  const today = localDate(now, 'UTC');
  const to = addDays(today, -1);
  const fromDate = new Date(`${to}T00:00:00Z`);
  fromDate.setUTCMonth(fromDate.getUTCMonth() - months);
  const from = addDays(fromDate.toISOString().slice(0, 10), 1);
  const days = dayNumber(to) - dayNumber(from) + 1;
  const plans = storePlans(config);
  const nowMs = now.getTime();
  const rows: ImportRowFields[] = [];
  let pending = 0;
  const planMix = config.surveyPlans.map((p) => [p, serviceMix[p.serviceType]?.share ?? 1 / config.surveyPlans.length] as const);

  const quietStart = minutesOf(config.quietHours.start);
  const quietEnd = minutesOf(config.quietHours.end);
  const customers = new Map<string, { phone?: string | undefined; name: string }>();
  const customerOf = (plan: StorePlan, n: number) => {
    const key = `${plan.store.id}|${n}`;
    let person = customers.get(key);
    if (!person) {
      const dice = new Dice(`customer|${key}`);
      person = { phone: demoPhone(dice, plan.store.country), name: customerName(dice, plan.store.country) };
      customers.set(key, person);
    }
    return person;
  };

  const lost = new Set<string>();
  const linkStore = plans.findIndex((p) => (p.store.smsMode ?? config.smsMode) === 'link');
  for (const [s, plan] of plans.entries()) {
    const { store, profile, locale } = plan;
    /** When the plan's text went out: at once after the delay in the daytime, else when quiet hours end. */
    const sendTime = (visitAt: number, localMinutes: number, delayMinutes: number) =>
      quietStart !== quietEnd && quietEnd < quietStart && localMinutes >= quietEnd && localMinutes < quietStart
        ? visitAt + delayMinutes * MINUTE
        : nextSendableTime(new Date(visitAt + delayMinutes * MINUTE), store.timezone, config.quietHours).getTime();
    const lang = locale === 'zh-CN' ? 'zh' : 'en';
    const web = (store.smsMode ?? config.smsMode) === 'link';
    const storeTo = addDays(localDate(now, store.timezone), -1);
    for (let d = 0; d < days; d++) {
      const date = addDays(from, d);
      if (date > storeTo) break;
      const dice = new Dice(`day|${store.id}|${date}`);
      // Local midnight by the day's daytime offset (a DST change happens at night, before any visit).
      const midnight = instantOfWallClock(date, 720, store.timezone).getTime() - 720 * MINUTE;
      const busy = busyness(date, store.country);
      const expected = profile.visitsPerDay * busy;
      const visits = Math.max(0, Math.round(expected + dice.normal() * Math.sqrt(expected)));
      for (let v = 0; v < visits; v++) {
        const surveyPlan = dice.weighted(planMix);
        const mix = serviceMix[surveyPlan.serviceType] ?? { quality: 0, response: 1 };
        const advisor = dice.weighted(plan.advisors.map((a) => [a, a.workload] as const));
        const customer = dice.int(1, plan.customers);
        const minutes = visitMinutes(dice);
        const visitAt = midnight + minutes * MINUTE;
        const sentAt = sendTime(visitAt, minutes + surveyPlan.delayMinutes, surveyPlan.delayMinutes);
        const rate = profile.responseRate * mix.response * (web ? 0.85 : 1);
        const answered = dice.chance(rate);
        const answeredAt = sentAt + answerDelayMs(dice, config.reminder.afterHours);
        // Rush days show in the scores: longer waits, shorter tempers.
        const quality = clamp(
          profile.quality + advisor.skill + mix.quality - Math.max(0, busy - 1.1) * 0.12 + dice.normal() * 0.05,
          0.02,
          0.98,
        );
        const sentiment = sentimentFor(dice, quality);
        const score = scoreFor(dice, surveyPlan.survey, sentiment);
        const commented = dice.chance(sentiment === 'detractor' ? 0.8 : sentiment === 'passive' ? 0.45 : 0.35);
        const texts = comments[lang];
        const comment = !commented
          ? undefined
          : sentiment === 'promoter'
            ? dice.pick(texts.praise)
            : sentiment === 'passive' && dice.chance(0.6)
              ? dice.pick(texts.mixed)
              : dice.pick(texts[complaintCategory(dice, surveyPlan.serviceType, busy, advisor.skill)]);
        const technicianId = dice.pick(plan.technicians);
        // Whether the survey is over by now decides only whether the row is in; every draw is made
        // before it, so a later run draws the same rows.
        const over = answered ? answeredAt <= nowMs : sentAt + config.expiryHours * HOUR <= nowMs;
        const customerKey = `${store.id}|${customer}`;
        const eventId = `DEMO-${store.id}-${date.replaceAll('-', '')}-${String(v + 1).padStart(3, '0')}`;
        if (lost.has(customerKey)) continue;
        if (answered && new Dice(`lost|${eventId}`).chance(lostAfter[sentiment])) lost.add(customerKey);
        if (!over) {
          pending++;
          continue;
        }
        const person = customerOf(plan, customer);
        // Decided by their own seeds, after every other draw: the rest of the history stays as it was.
        const integrity = new Dice(`integrity|${eventId}`);
        const atTheCounter =
          answered && s === linkStore && advisor === plan.advisors[asksForTens.advisor] && integrity.chance(asksForTens.share);
        const noPhone =
          s === missingPhones.store && advisor === plan.advisors[missingPhones.advisor] && integrity.chance(missingPhones.share);
        const counterAnswerAt = visitAt + (2 + integrity.int(1, 6)) * MINUTE;
        rows.push({
          eventId,
          occurredAt: new Date(visitAt).toISOString(),
          storeId: store.id,
          serviceType: surveyPlan.serviceType,
          advisorId: advisor.id,
          technicianId,
          customerId: `C-${plan.code}-${String(customer).padStart(5, '0')}`,
          customerName: person.name,
          ...(person.phone && !noPhone ? { phone: person.phone } : {}),
          amount: amountOf(eventId, surveyPlan.serviceType),
          locale,
          channel: web ? 'web' : 'sms',
          sentAt: new Date(atTheCounter ? visitAt + MINUTE : sentAt).toISOString(),
          ...(atTheCounter
            ? { score: scales[surveyPlan.survey].max, answeredAt: new Date(counterAnswerAt).toISOString() }
            : answered
              ? { score, answeredAt: new Date(answeredAt).toISOString(), ...(comment ? { comment } : {}) }
              : {}),
        });
      }
    }
  }
  return { rows, from, to, advisors: plans.flatMap((p) => p.advisors), pending };
}
