/** Names shared by the topology (which sets them) and the handlers (which read them). */
export const alertQueueName = (departmentId: string) => `alerts-${departmentId}`;

/** A name as an environment variable (or secret key) part: `customer-care` → `CUSTOMER_CARE`. */
export const envPart = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
export const envNameForTable = (table: string) => `TABLE_${envPart(table)}_NAME`;
export const envNameForQueue = (queue: string) => `QUEUE_${envPart(queue)}_URL`;

/** Where Twilio posts outbound messages' delivery status: the route, and the StatusCallback the sender asks for. */
export const twilioStatusCallbackPath = '/v1/sms/twilio/status';
