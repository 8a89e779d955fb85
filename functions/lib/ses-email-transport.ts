/** Amazon SES as the email transport; compose.ts imports this module on the first email, not at cold start. */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesEmail } from '#shared/adapters/alert-channels/ses-email.ts';

export const createSesEmail = () => new SesEmail(new SESv2Client({ maxAttempts: 3 }));
