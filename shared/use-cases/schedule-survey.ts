import { randomUUID } from 'node:crypto';
import * as z from '#shared/zod.ts';
import { isTimeZone } from '#shared/config/schema.ts';
import { ValidationError } from '#shared/errors.ts';
import { type ContactFlag, contactFlagsOf } from '#shared/domain/integrity.ts';
import { canText, maskPhone, toE164 } from '#shared/domain/phone.ts';
import { localDate, nextSendableTime } from '#shared/domain/quiet-hours.ts';
import { firstChannel, reachOf } from '#shared/domain/reach.ts';
import type { IngestResult, Survey, SuppressionReason } from '#shared/domain/records.ts';
import { addMs, type Deps, MINUTE, TIMER_LEASE_MS } from './deps.ts';
import { noteVisit } from './track-retention.ts';
import { hashWebSurveyToken, newWebSurveyToken } from './web-survey.ts';

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

export const serviceEventSchema = z.object({
  eventId: text(128),
  occurredAt: z.iso.datetime({ offset: true }),
  storeId: text(40),
  serviceType: text(64),
  customer: z.object({
    id: z.optional(text(128)),
    /** Absent or empty: the visit is not surveyed (`invalid_phone`) and counts as a visit with no phone. */
    phone: z.optional(z.string().check(z.trim(), z.maxLength(32))),
    name: z.optional(text(64)),
    locale: z.optional(z.enum(['zh-CN', 'en'])),
    /** The customer's own IANA time zone, when the DMS knows it; quiet hours follow it. */
    timezone: z.optional(z.string().check(z.refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai'))),
    /**
     * The customer's openid with the brand's WeChat service account (28 letters, digits, - or _;
     * 16 to 64 accepted, empty read as none): they may be reached by template message. Stored
     * encrypted like the phone, never logged or listed.
     */
    wechatOpenId: z.optional(
      z.string().check(z.trim(), z.regex(/^(?:[A-Za-z0-9_-]{16,64})?$/, 'a WeChat openid: 28 letters, digits, - or _')),
    ),
  }),
  vehicle: z.optional(z.object({ vin: z.optional(text(32)), model: z.optional(text(128)) })),
  advisorId: z.optional(text(64)),
  technicianId: z.optional(text(64)),
  amount: z.optional(z.number().check(z.nonnegative())),
  currency: z.optional(z.string().check(z.regex(/^[A-Z]{3}$/))),
});
export type ServiceEvent = z.infer<typeof serviceEventSchema>;

/**
 * A completed visit becomes a scheduled survey: idempotent on eventId, every eligible
 * visit surveyed, every suppression recorded with its reason.
 */
export async function scheduleSurvey(
  deps: Pick<Deps, 'config' | 'clock' | 'surveys' | 'queues' | 'vault' | 'retention' | 'alerts'>,
  event: ServiceEvent,
): Promise<IngestResult> {
  const { config, clock, surveys, vault } = deps;
  const store = config.stores.find((s) => s.id === event.storeId);
  if (!store) throw new ValidationError(`unknown store "${event.storeId}"`, { storeId: 'not a configured store' });

  const typed = event.customer.phone || undefined;
  const phone = typed === undefined ? undefined : toE164(typed, store.country);
  const phoneHash = phone ? vault.hash(phone) : undefined;
  // The visit is in the customer's history: each cohort it is a return of counts it (once, however often it comes).
  const countVisit = async <T>(result: T) => {
    if (phoneHash) await noteVisit(deps, phoneHash);
    return result;
  };

  const earlier = await surveys.ingestResult(event.eventId);
  if (earlier) return countVisit(await redeliverDueSend(deps, earlier));

  const now = clock.now();
  const contactFlags = await contactQuality(deps, {
    typed,
    phone,
    phoneHash,
    country: store.country,
    customerId: event.customer.id,
  });
  // Every visit, surveyed or not, adds to the customer's history (what makes them high-value).
  const locale = event.customer.locale ?? config.defaultLocale;
  const visit = {
    phoneHash,
    spend: event.amount ?? 0,
    customerId: event.customer.id,
    contactFlags: contactFlags.length ? contactFlags : undefined,
    // How a retention task reaches them, should they go quiet (a surveyed visit keeps the survey's own).
    contact: phone
      ? {
          phoneCipher: vault.encrypt(phone),
          phoneMasked: maskPhone(phone),
          customerName: event.customer.name,
          storeId: store.id,
          serviceType: event.serviceType,
          locale,
        }
      : undefined,
  };
  const plan = config.surveyPlans.find((p) => p.serviceType === event.serviceType);
  const visitAt = new Date(event.occurredAt);
  // A visit not surveyed still counts in its store's funnel, on its own day, with its reason.
  const suppress = async (reason: SuppressionReason, surveyId?: string) =>
    countVisit(
      await surveys.recordSuppression(
        event.eventId,
        { eventId: event.eventId, survey: { ...(surveyId ? { id: surveyId } : {}), status: 'suppressed', reason } },
        {
          storeId: store.id,
          advisorId: event.advisorId,
          serviceType: event.serviceType,
          departmentId: plan ? (plan.departmentId ?? config.defaultDepartment) : undefined,
          visitDate: localDate(visitAt, store.timezone),
          visitAt: visitAt.toISOString(),
          at: now.toISOString(),
          ...visit,
        },
      ),
    );

  if (!plan) return suppress('no_plan');
  if (!phone || !phoneHash) return suppress('invalid_phone');
  // A store that reaches its customers only by WeChat cannot survey one who gave no openid, nor one that texts a landline.
  const landline = !canText(phone);
  const reachable = { phone: true, textable: !landline, wechatOpenId: Boolean(event.customer.wechatOpenId), callTeam: true };
  if (!firstChannel(reachOf(store, config), reachable)) return suppress('no_channel');

  const wanted = new Date(Math.max(visitAt.getTime() + plan.delayMinutes * MINUTE, now.getTime()));
  const webToken = newWebSurveyToken();
  const sendAt = nextSendableTime(wanted, event.customer.timezone ?? store.timezone, config.quietHours).toISOString();
  const dueNow = sendAt <= now.toISOString();
  const survey: Survey = {
    id: `sv_${randomUUID().replaceAll('-', '')}`,
    eventId: event.eventId,
    surveyType: plan.survey,
    status: 'scheduled',
    storeId: store.id,
    serviceType: event.serviceType,
    departmentId: plan.departmentId ?? config.defaultDepartment,
    advisorId: event.advisorId,
    technicianId: event.technicianId,
    customerId: event.customer.id,
    customerName: event.customer.name,
    locale,
    timezone: event.customer.timezone,
    phoneHash,
    phoneCipher: vault.encrypt(phone),
    phoneMasked: maskPhone(phone),
    visitAt: visitAt.toISOString(),
    amount: event.amount,
    currency: event.currency,
    visitDate: localDate(visitAt, store.timezone),
    createdAt: now.toISOString(),
    sendAt,
    webTokenCipher: vault.encrypt(webToken),
    wechatOpenIdCipher: event.customer.wechatOpenId ? vault.encrypt(event.customer.wechatOpenId) : undefined,
    landline: landline || undefined,
    contactFlags: visit.contactFlags,
    timer: { action: 'send', at: sendAt },
  };
  const throttleSince = addMs(now, -config.throttleDays * 24 * 60 * MINUTE);
  const outcome = await surveys.createSurvey(survey, {
    throttleSince,
    leaseUntil: dueNow ? addMs(now, TIMER_LEASE_MS) : undefined,
    webTokenHash: hashWebSurveyToken(webToken),
    spend: visit.spend,
    customerId: visit.customerId,
  });
  if (outcome.kind === 'duplicate') return redeliverDueSend(deps, outcome.result);
  if (outcome.kind === 'suppressed') return suppress(outcome.reason);

  // Persisted first: if this send is lost, the sweeper fires the timer when the lease ends.
  if (dueNow) await deps.queues.surveyTimer({ surveyId: survey.id, action: 'send', at: sendAt });
  await noteVisit(deps, phoneHash);
  return { eventId: event.eventId, survey: { id: survey.id, status: 'scheduled', sendAt } };
}

/**
 * No, invalid, shared or staff phone. A number is shared when the phone's history already
 * holds another customer's id (one read); a visit without a customer id cannot tell, and is not flagged.
 */
async function contactQuality(
  deps: Pick<Deps, 'config' | 'surveys'>,
  visit: {
    typed?: string | undefined;
    phone?: string | undefined;
    phoneHash?: string | undefined;
    country: string;
    customerId?: string | undefined;
  },
): Promise<ContactFlag[]> {
  if (visit.typed === undefined) return contactFlagsOf({ phone: 'none', otherCustomers: 0, isStaffPhone: false });
  if (!visit.phone || !visit.phoneHash) return contactFlagsOf({ phone: 'invalid', otherCustomers: 0, isStaffPhone: false });
  const known = visit.customerId ? await deps.surveys.customersOfPhone(visit.phoneHash) : [];
  const staff = deps.config.integrity.staffPhones.some((p) => toE164(p, visit.country) === visit.phone);
  return contactFlagsOf({
    phone: 'valid',
    otherCustomers: known.filter((id) => id !== visit.customerId).length,
    isStaffPhone: staff,
  });
}

/**
 * The same visit again: usually a DMS retrying after a 5xx, whose first attempt may have died
 * between keeping the survey and queueing its send. A due send is queued again (running a send
 * twice is harmless: it runs only while the survey is still scheduled), so the text does not wait
 * for the sweeper's lease.
 */
async function redeliverDueSend(deps: Pick<Deps, 'clock' | 'queues'>, result: IngestResult): Promise<IngestResult> {
  const { survey } = result;
  const now = deps.clock.now().toISOString();
  // Past the lease the sweeper has fired it already; before sendAt it is not due.
  if (survey.status === 'scheduled' && survey.sendAt <= now && now <= addMs(survey.sendAt, TIMER_LEASE_MS)) {
    await deps.queues.surveyTimer({ surveyId: survey.id, action: 'send', at: survey.sendAt });
  }
  return result;
}
