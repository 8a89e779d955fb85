/**
 * The OpenAPI 3.1 document of the public HTTP API, generated from the very zod schemas the
 * handlers parse requests with (zod-openapi); served at GET /openapi.json. Local-only /dev routes
 * are not part of it. A test checks it both ways against the routes the topology defines.
 */
import * as z from '#shared/zod.ts';
import { createDocument, type ZodOpenApiOperationObject } from 'zod-openapi';
import { closedLoopQuerySchema } from '#shared/use-cases/closed-loop-metrics.ts';
import { twilioInboundSchema } from '#shared/use-cases/handle-inbound-sms.ts';
import { importRowSchema, MAX_IMPORT_ROWS } from '#shared/use-cases/import-answers.ts';
import { responsesQuerySchema } from '#shared/use-cases/list-responses.ts';
import { callOutcomeSchema, listCallTasksQuerySchema } from '#shared/use-cases/call-backs.ts';
import { alertActionSchema, listAlertsQuerySchema } from '#shared/use-cases/manage-alerts.ts';
import { funnelQuerySchema } from '#shared/use-cases/query-funnel.ts';
import { integrityQuerySchema } from '#shared/use-cases/query-integrity.ts';
import { retentionQuerySchema } from '#shared/use-cases/query-retention.ts';
import { scoresQuerySchema } from '#shared/use-cases/query-scores.ts';
import { twilioStatusCallbackSchema } from '#shared/use-cases/record-delivery-status.ts';
import { serviceEventSchema } from '#shared/use-cases/schedule-survey.ts';
import { webAnswerSchema, webSurveyTokenSchema } from '#shared/use-cases/web-survey.ts';

const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.optional(z.record(z.string(), z.string())).check(z.meta({ description: 'field path → what is wrong with it' })),
    }),
  })
  .check(z.meta({ id: 'Error', description: 'Every 4xx and 5xx answer' }));

const json = (schema: z.ZodMiniType, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(errorSchema, description);
const bearer = [{ bearer: [] }];
const guarded = {
  '400': error('a parameter or the body is invalid; `fields` names each bad field'),
  '401': error('no token, or an unknown one'),
  '403': error("a token outside this route's role or department"),
};
const twilioSignature = z.object({
  'x-twilio-signature': z.string().check(z.meta({ description: "Twilio's signature of PUBLIC_BASE_URL + path and the form" })),
});
const alertPath = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128), z.meta({ description: 'the alert id' })) });

const callTaskPath = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128), z.meta({ description: 'the call task id' })),
});

const anyObject = (description: string) => z.looseObject({}).check(z.meta({ description }));

const operations: Record<string, Partial<Record<'get' | 'post', ZodOpenApiOperationObject>>> = {
  '/v1/service-events': {
    post: {
      summary: 'One completed service visit (role ingest); idempotent on eventId',
      security: bearer,
      requestBody: { content: { 'application/json': { schema: serviceEventSchema } } },
      responses: {
        '202': json(
          anyObject('{"eventId","survey":{"id","status":"scheduled","sendAt"}} or status "suppressed" with a reason'),
          'accepted',
        ),
        ...guarded,
        '413': error('the body is over 64 KB'),
        '415': error('not application/json'),
      },
    },
  },
  '/v1/imports': {
    post: {
      summary: `Past visits and their answers from another tool (role ingest): up to ${MAX_IMPORT_ROWS} rows, all valid or none written; idempotent on eventId`,
      security: bearer,
      requestBody: {
        content: {
          'application/x-ndjson': {
            schema: z.string().check(z.meta({ description: 'one import row (the ImportRow schema) as JSON per line' })),
          },
          'text/csv': {
            schema: z.string().check(z.meta({ description: 'a header row, then one import row per line (RFC 4180)' })),
          },
        },
      },
      responses: {
        '200': json(
          z.object({ imported: z.number(), duplicates: z.number(), answered: z.number() }),
          'what was imported; rows seen before are duplicates',
        ),
        ...guarded,
        '413': error('over 1000 rows or 1 MB'),
        '415': error('neither CSV nor JSON lines'),
      },
    },
  },
  '/v1/sms/twilio': {
    post: {
      summary: "Twilio's inbound message webhook: one conversation step; answers TwiML",
      requestParams: { header: twilioSignature },
      requestBody: { content: { 'application/x-www-form-urlencoded': { schema: twilioInboundSchema } } },
      responses: {
        '200': { description: 'TwiML with the reply, if any', content: { 'text/xml': { schema: z.string() } } },
        '400': error('a required field is missing'),
        '403': error('a bad or missing signature; nothing changes'),
      },
    },
  },
  '/v1/sms/twilio/status': {
    post: {
      summary: "Twilio's status callback for the texts ClosedLoop sent",
      requestParams: { header: twilioSignature },
      requestBody: { content: { 'application/x-www-form-urlencoded': { schema: twilioStatusCallbackSchema } } },
      responses: {
        '204': { description: 'kept' },
        '400': error('invalid fields'),
        '403': error('a bad or missing signature; nothing changes'),
      },
    },
  },
  '/v1/scores': {
    get: {
      summary: 'Rolled-up NPS, CSAT or CES per period and group, also by channel (roles cx, department)',
      security: bearer,
      requestParams: { query: scoresQuerySchema },
      responses: { '200': json(anyObject('{"metric","minResponses","buckets":[...]}'), 'the buckets'), ...guarded },
    },
  },
  '/v1/funnel': {
    get: {
      summary:
        'Visits, surveys sent and answered, suppressions by reason; by channel, each channel’s sends and answers (a survey moved on to its next channel is sent by both) (roles cx, department)',
      security: bearer,
      requestParams: { query: funnelQuerySchema },
      responses: { '200': json(anyObject('{"buckets":[...]}'), 'the funnel per period and group'), ...guarded },
    },
  },
  '/v1/integrity': {
    get: {
      summary:
        'Integrity signals per store or advisor: contact quality, fast / store-network / shared-device answers, top scores and suppressions against peers with p-values (roles cx, department)',
      security: bearer,
      requestParams: { query: integrityQuerySchema },
      responses: { '200': json(anyObject('{"settings","brand","groups":[...]}'), 'the signals per group'), ...guarded },
    },
  },
  '/v1/retention': {
    get: {
      summary:
        'Of the customers surveyed in the range (month of the visit), the share who came back within horizonDays, per class of their answer (NPS promoter / passive / detractor; CSAT, CES alike), detractors recovered or not, each with n and a 95% Wilson interval (role cx; a department head gets 403)',
      security: bearer,
      requestParams: { query: retentionQuerySchema },
      responses: {
        '200': json(
          anyObject('{"metric","horizonDays","minResponses","buckets":[{"period","group","classes":[...],"detractors",...}]}'),
          'the cohorts',
        ),
        ...guarded,
      },
    },
  },
  '/v1/responses': {
    get: {
      summary: 'The answers and verbatims behind a bucket, newest first, a page at a time (roles cx, department)',
      security: bearer,
      requestParams: { query: responsesQuerySchema },
      responses: { '200': json(anyObject('{"metric","responses":[...],"nextCursor"?}'), 'one page'), ...guarded },
    },
  },
  '/v1/closed-loop': {
    get: {
      summary:
        'Follow-up, closed-loop, SLA, escalation and recovery figures, cases reopened by a failed recovery, and the recovery rate by who closed the case, each with n (roles cx, department)',
      security: bearer,
      requestParams: { query: closedLoopQuerySchema },
      responses: {
        '200': json(
          anyObject(
            '{"overall":{...,"recoveryDecided","recovered","recoveryRate","reopened","reopenedUnresolved","reopenRate","recoveryByCloser":[{"sub","name","n","recovered","reopened","recoveryRate"}]},"groups":[...]}',
          ),
          'the figures',
        ),
        ...guarded,
      },
    },
  },
  '/v1/alerts': {
    get: {
      summary:
        'Detractor alerts and retention tasks: reopened cases first (status reopened: a failed recovery), then newest first (roles cx, department: its own only)',
      security: bearer,
      requestParams: { query: listAlertsQuerySchema },
      responses: { '200': json(anyObject('{"alerts":[...]}'), 'the alerts'), ...guarded },
    },
  },
  '/v1/alerts/{id}': {
    get: {
      summary:
        "One alert as its case page shows it: with its actions, the visit, the customer's other surveys and alerts (history), the SLA clock (sla) and the timeline",
      security: bearer,
      requestParams: { path: alertPath },
      responses: {
        '200': json(anyObject('the alert; a reopened case also has `reopened` {"at","surveyId","score","comment"}'), 'the alert'),
        ...guarded,
        '404': error('no such alert'),
      },
    },
  },
  '/v1/alerts/{id}/actions': {
    post: {
      summary: 'Acknowledge, contact, resolve, mark unreachable or reassign an alert (a reopened one too)',
      security: bearer,
      requestParams: { path: alertPath },
      requestBody: { content: { 'application/json': { schema: alertActionSchema } } },
      responses: {
        '200': json(anyObject('the alert after the action'), 'done'),
        ...guarded,
        '404': error('no such alert'),
        '409': error('the action does not follow from the alert status'),
      },
    },
  },
  '/v1/alerts/{id}/contact': {
    post: {
      summary:
        "The customer's full number, to call them (a person of the alert's department, or cx); recorded as phone_revealed in the alert's actions, shown nowhere else",
      security: bearer,
      requestParams: { path: alertPath },
      responses: {
        '200': json(z.object({ phone: z.string().check(z.meta({ description: 'E.164, for a tel: link' })) }), 'the number'),
        ...guarded,
        '404': error('no such alert'),
        '409': error('the alert was reassigned meanwhile'),
      },
    },
  },
  '/v1/callbacks': {
    get: {
      summary:
        "The call-back department's call tasks (电话回访): open ones due first, done ones latest first; each with its store, visit, attempts so far and due time (a person of the call-back department, or cx)",
      security: bearer,
      requestParams: { query: listCallTasksQuerySchema },
      responses: {
        '200': json(
          anyObject('{"callbacks":[{"id","status","storeId","visit","attempts","maxAttempts","dueAt",...}]}'),
          'the tasks',
        ),
        ...guarded,
      },
    },
  },
  '/v1/callbacks/{id}': {
    get: {
      summary:
        "One call task with its script (the customer's language, the survey's own question and scale) and its log of reveals and calls",
      security: bearer,
      requestParams: { path: callTaskPath },
      responses: {
        '200': json(anyObject('the task, with `script` and `log`'), 'the task'),
        ...guarded,
        '404': error('no such call task'),
      },
    },
  },
  '/v1/callbacks/{id}/outcome': {
    post: {
      summary:
        'How a call ended: answered (score on the survey’s scale, the customer’s words: scored with channel call and the caller), not_reachable (tried again later, up to callbacks.attempts; then the survey moves to its store’s next channel once, else expires), refused (suppressed refused) or wrong_number (a contact flag on the visit)',
      security: bearer,
      requestParams: { path: callTaskPath },
      requestBody: { content: { 'application/json': { schema: callOutcomeSchema } } },
      responses: {
        '200': json(anyObject('the task after the call'), 'recorded'),
        ...guarded,
        '404': error('no such call task'),
        '409': error('the task is already done, or another call was recorded meanwhile'),
      },
    },
  },
  '/v1/callbacks/{id}/contact': {
    post: {
      summary:
        "The customer's full number for the caller (a person of the call-back department, or cx); recorded as phone_revealed in the task's log, shown nowhere else",
      security: bearer,
      requestParams: { path: callTaskPath },
      responses: {
        '200': json(z.object({ phone: z.string().check(z.meta({ description: 'E.164, for a tel: link' })) }), 'the number'),
        ...guarded,
        '404': error('no such call task'),
        '409': error('the task is done'),
      },
    },
  },
  '/s/{token}': {
    get: {
      summary: 'The web survey page, in the customer’s language',
      requestParams: { path: z.object({ token: webSurveyTokenSchema }) },
      responses: {
        '200': { description: 'the page', content: { 'text/html': { schema: z.string() } } },
        '404': { description: 'an unknown token', content: { 'text/html': { schema: z.string() } } },
        '410': { description: 'an expired or used token', content: { 'text/html': { schema: z.string() } } },
      },
    },
    post: {
      summary: 'The one answer of a web survey',
      requestParams: { path: z.object({ token: webSurveyTokenSchema }) },
      requestBody: {
        content: {
          'application/x-www-form-urlencoded': { schema: webAnswerSchema },
          'application/json': { schema: webAnswerSchema },
        },
      },
      responses: {
        '200': { description: 'thanks', content: { 'text/html': { schema: z.string() } } },
        '400': { description: 'an invalid answer' },
        '404': { description: 'an unknown token' },
        '410': { description: 'an expired or used token' },
      },
    },
  },
  '/openapi.json': {
    get: {
      summary: 'This document',
      responses: { '200': json(anyObject('OpenAPI 3.1'), 'the document') },
    },
  },
};

export function openApiDocument() {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'ClosedLoop',
      version: '1.0.0',
      description: 'Post-service surveys (NPS, CSAT, CES) by SMS, exact rollups, and closed-loop follow-up of every detractor.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      // A row of POST /v1/imports, whether it came as a JSON line or a CSV row.
      schemas: { ImportRow: importRowSchema },
    },
    paths: operations,
  });
}
