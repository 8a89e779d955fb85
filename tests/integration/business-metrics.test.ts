/**
 * The business metrics the handlers emit as CloudWatch embedded metric format (EMF) lines on
 * stdout, which Lambda's log pipeline turns into metrics, follow a detractor's conversation on
 * the shared local stack, whose output global-setup keeps in `<dataDir>/stack.log`.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { businessMetrics, METRICS_NAMESPACE, SERVICE_NAME } from '#shared/config/metric-names.ts';
import { api, postVisit, reply, stack, tokens, visit, waitFor, waitForTexts } from './helpers.ts';
import { stackLogPath } from '#local/stack-process.ts';

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

const emfLines = (): EmfLine[] =>
  readFileSync(stackLogPath(stack.dataDir), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"CloudWatchMetrics"'))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))));

/** Metric name → the sum of its values over every EMF line so far. */
function totals(): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const line of emfLines()) {
    for (const { Metrics } of line._aws.CloudWatchMetrics) {
      for (const { Name } of Metrics) {
        const values = [line[Name]].flat().map(Number);
        sums[Name] = (sums[Name] ?? 0) + values.reduce((a, b) => a + b, 0);
      }
    }
  }
  return sums;
}

let before: Record<string, number>;
let after: Record<string, number>;
const increase = (metric: string) => (after[metric] ?? 0) - (before[metric] ?? 0);

beforeAll(async () => {
  before = totals();
  // A detractor, with a reason: scheduled, sent, answered, alerted, delivered.
  const detractor = visit({ storeId: 'sh-pudong' });
  const surveyId = (await postVisit(detractor)).body.survey.id;
  await waitForTexts(detractor.customer.phone, 1);
  await reply(detractor.customer.phone, '3');
  await reply(detractor.customer.phone, '等了三个小时');
  // The same customer again at once: throttled, so suppressed.
  expect((await postVisit(visit({}, { phone: detractor.customer.phone }))).body.survey.status).toBe('suppressed');

  const alerts = await waitFor(async () => {
    const { body } = await api('/v1/alerts?limit=200', { token: tokens.cx });
    const found = body.alerts.filter((a: { surveyId: string }) => a.surveyId === surveyId);
    return found.length > 0 ? found : undefined;
  }, 'the detractor’s alerts');
  const deliverable = alerts.filter((a: { departmentId: string }) => a.departmentId !== 'parts'); // parts' receiver refuses everything
  await waitFor(async () => {
    const { body } = await api('/dev/webhooks');
    const delivered = new Set(
      body.deliveries.map((d: { payload: { data: { alert: { id: string } } } }) => d.payload?.data?.alert?.id),
    );
    return deliverable.every((a: { id: string }) => delivered.has(a.id));
  }, 'the deliveries of the detractor’s alerts');
  // Metrics are flushed when an invocation ends, and the log is written a moment later.
  await waitFor(async () => totals()[businessMetrics.alertsDelivered] !== before[businessMetrics.alertsDelivered], 'the metrics');
  after = totals();
}, 90_000);

describe('business metrics', () => {
  it('count a scheduled survey, its text, its answer, its detractor, the alerts raised and delivered, and a suppression', () => {
    for (const metric of [
      businessMetrics.surveysScheduled,
      businessMetrics.surveysSuppressed,
      businessMetrics.surveysSent,
      businessMetrics.answers,
      businessMetrics.detractors,
      businessMetrics.alertsRaised,
      businessMetrics.alertsDelivered,
    ]) {
      expect(increase(metric), metric).toBeGreaterThanOrEqual(1);
    }
  });

  it('go to the ClosedLoop namespace with one service dimension, as counts', () => {
    const lines = emfLines();

    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.service).toBe(SERVICE_NAME);
      for (const directive of line._aws.CloudWatchMetrics) {
        expect(directive.Namespace).toBe(METRICS_NAMESPACE);
        expect(directive.Dimensions).toEqual([['service']]);
        for (const metric of directive.Metrics) {
          expect(Object.values(businessMetrics)).toContain(metric.Name);
          expect(metric.Unit).toBe('Count');
        }
      }
    }
  });
});
