/**
 * The alert channels, built for the one function that delivers alerts (deliver-alert). They are
 * not in compose.ts because the webhook channel signs with standardwebhooks, a CommonJS package
 * esbuild cannot tree-shake: imported from there, it and its hashing code sat in every bundle.
 * The SES client is imported and built like any other (sms-sender.ts says why not on first use).
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createAlertChannels } from '#shared/adapters/alert-channels/alert-channels.ts';
import type { EmailTransport } from '#shared/adapters/alert-channels/email.ts';
import { OutboxEmailTransport } from '#shared/adapters/alert-channels/outbox-email.ts';
import { SesEmail } from '#shared/adapters/alert-channels/ses-email.ts';
import { requireAbsoluteChannelUrls } from '#shared/config/channel-urls.ts';
import { config, runtime } from './compose.ts';

/** Email goes to the local outbox file when EMAIL_OUTBOX names one (the local runtime does), else to Amazon SES. */
function emailTransport(): EmailTransport {
  const outbox = runtime.env.EMAIL_OUTBOX;
  if (outbox) return new OutboxEmailTransport(outbox);
  return new SesEmail(new SESv2Client({ maxAttempts: 3 }));
}

export function alertChannels() {
  requireAbsoluteChannelUrls(config, runtime.env.CLOSEDLOOP_CONFIG);
  return createAlertChannels({ config, env: runtime.env, email: emailTransport() });
}
