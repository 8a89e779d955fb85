import { appendFile, readFile } from 'node:fs/promises';
import * as z from '#shared/zod.ts';
import type { EmailMessage, EmailTransport } from './email.ts';

const outboxEmail = z.object({
  id: z.string(),
  to: z.array(z.string()),
  from: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  sentAt: z.string(),
});
export type OutboxEmail = z.infer<typeof outboxEmail>;

/**
 * The local email provider: each message is appended to a JSON-lines file that
 * `GET /dev/email/outbox` reads. Nothing leaves the machine.
 */
export class OutboxEmailTransport implements EmailTransport {
  constructor(
    private readonly file: string,
    private readonly defaultFrom = 'closedloop@localhost',
  ) {}

  async send(message: EmailMessage): Promise<void> {
    const entry: OutboxEmail = { ...message, from: message.from ?? this.defaultFrom, sentAt: new Date().toISOString() };
    await appendFile(this.file, `${JSON.stringify(entry)}\n`, 'utf8');
  }

  async messages(): Promise<OutboxEmail[]> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => outboxEmail.parse(JSON.parse(line)));
  }
}
