import { appendFile, readFile } from 'node:fs/promises';
import type { SmsSender } from '#shared/ports.ts';

export interface OutboxMessage {
  to: string;
  from: string;
  body: string;
  sentAt: string;
  direction: 'outbound' | 'inbound';
}

/**
 * The local SMS provider: every message is appended to a JSON-lines file that the
 * phone simulator page and `/dev/sms/outbox` read. Nothing leaves the machine.
 */
export class SimulatorSms implements SmsSender {
  constructor(
    private readonly file: string,
    private readonly from = 'CLOSEDLOOP',
  ) {}

  async send(message: { to: string; body: string }): Promise<{ providerMessageId?: string }> {
    await this.append({ ...message, from: this.from, sentAt: new Date().toISOString(), direction: 'outbound' });
    return {};
  }

  async append(message: OutboxMessage): Promise<void> {
    await appendFile(this.file, `${JSON.stringify(message)}\n`, 'utf8');
  }

  async messages(): Promise<OutboxMessage[]> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as OutboxMessage);
  }
}
