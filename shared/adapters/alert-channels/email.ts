import type { AlertPayload } from '#shared/ports.ts';
import type { AlertText } from './alert-text.ts';
import { type ChannelOf, type ChannelSender, type MessageOptions, textOf } from './channel.ts';

export interface EmailMessage {
  /** Unique per alert, round and channel: the same on a retry. */
  id: string;
  to: string[];
  from?: string | undefined;
  subject: string;
  text: string;
  html: string;
}

/** Hands a finished email to whatever carries it: Amazon SES in AWS, an outbox file locally. */
export interface EmailTransport {
  send(message: EmailMessage): Promise<void>;
}

const escapeHtml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

/** A short plain-text body and the same as a simple HTML table (no images, no external CSS). */
export function emailContent(text: AlertText): Pick<EmailMessage, 'subject' | 'text' | 'html'> {
  const plain = [
    text.headline,
    '',
    ...text.fields.map((f) => `${f.label}: ${f.value}`),
    '',
    `${text.comment.label}:`,
    text.comment.value,
    '',
    `${text.link.label}: ${text.link.url}`,
    '',
    text.footer,
  ].join('\n');
  const rows = text.fields
    .map(
      (f) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`,
    )
    .join('');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;font-size:14px">',
    `<h2 style="color:${text.urgent ? '#c0392b' : '#d35400'}">${escapeHtml(text.headline)}</h2>`,
    `<table>${rows}</table>`,
    `<p><strong>${escapeHtml(text.comment.label)}</strong></p>`,
    `<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:8px">${escapeHtml(text.comment.value)}</blockquote>`,
    `<p><a href="${escapeHtml(text.link.url)}">${escapeHtml(text.link.label)}</a></p>`,
    `<p style="color:#888;font-size:12px">${escapeHtml(text.footer)}</p>`,
    '</body></html>',
  ].join('');
  return { subject: text.title, text: plain, html };
}

export class EmailChannel implements ChannelSender<'email'> {
  constructor(
    private readonly transport: EmailTransport,
    private readonly options: MessageOptions,
  ) {}

  async deliver(channel: ChannelOf<'email'>, payload: AlertPayload, idempotencyKey: string): Promise<void> {
    await this.transport.send({
      id: idempotencyKey,
      to: channel.to,
      from: channel.from,
      ...emailContent(textOf(payload, this.options)),
    });
  }
}
