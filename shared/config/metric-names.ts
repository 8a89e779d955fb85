/**
 * Business metrics: the handlers emit them (CloudWatch embedded metric format) where a use
 * case's result is known, and the stack's dashboard charts them. One namespace, one `service`
 * dimension, so each is one CloudWatch metric however many functions emit it.
 */
export const METRICS_NAMESPACE = 'ClosedLoop';
export const SERVICE_NAME = 'closedloop';

export const businessMetrics = {
  surveysScheduled: 'SurveysScheduled',
  surveysSuppressed: 'SurveysSuppressed',
  surveysSent: 'SurveysSent',
  remindersSent: 'RemindersSent',
  answers: 'Answers',
  detractors: 'Detractors',
  alertsRaised: 'AlertsRaised',
  alertsDelivered: 'AlertsDelivered',
  escalations: 'Escalations',
  retentionTasksRaised: 'RetentionTasksRaised',
} as const;
export type BusinessMetric = (typeof businessMetrics)[keyof typeof businessMetrics];
