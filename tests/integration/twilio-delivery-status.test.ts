import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { twilioSignature } from '#shared/adapters/sms/twilio-signature.ts';
import { countItems, dynamo, PUBLIC_BASE_URL, TWILIO_TOKEN, twilioRequest } from './helpers.ts';

const path = '/v1/sms/twilio/status';
const documents = DynamoDBDocumentClient.from(dynamo);
const newSid = () => `SM${randomUUID().replaceAll('-', '')}`;

/** The form Twilio posts to a message's StatusCallback. */
const statusForm = (sid: string, status: string, extra: Record<string, string> = {}) => ({
  MessageSid: sid,
  SmsSid: sid,
  SmsStatus: status,
  MessageStatus: status,
  AccountSid: `AC${'0'.repeat(32)}`,
  From: '+15005550006',
  To: '+8613800138000',
  ApiVersion: '2010-04-01',
  ...extra,
});
const postStatus = (form: Record<string, string>, options: { signature?: string | null; token?: string } = {}) =>
  twilioRequest(form, { ...options, path });

async function deliveryItem(sid: string) {
  const { Item } = await documents.send(
    new GetCommand({ TableName: 'closedloop-main', Key: { pk: `DELIVERY#${sid}`, sk: 'DELIVERY' }, ConsistentRead: true }),
  );
  return Item;
}

describe('POST /v1/sms/twilio/status', () => {
  it('records a signed status for a message it has not stored (Twilio may call first) and answers 204', async () => {
    const sid = newSid();

    const response = await postStatus(statusForm(sid, 'sent'));

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    const item = await deliveryItem(sid);
    expect(item).toMatchObject({ type: 'delivery', provider: 'twilio', messageId: sid, status: 'sent' });
    expect(item?.history).toEqual([{ status: 'sent', at: expect.any(String) }]);
    expect(item?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
  });

  it('keeps the furthest status and its error code when callbacks arrive out of order, with every status in the history', async () => {
    const sid = newSid();

    await postStatus(statusForm(sid, 'queued'));
    await postStatus(statusForm(sid, 'undelivered', { ErrorCode: '30003' }));
    await postStatus(statusForm(sid, 'sent'));

    const item = await deliveryItem(sid);
    expect(item).toMatchObject({ status: 'undelivered', errorCode: '30003' });
    expect(item?.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'undelivered', 'sent']);
    expect(item?.history[1]).toMatchObject({ status: 'undelivered', errorCode: '30003' });
  });

  it('records a repeated callback once', async () => {
    const sid = newSid();
    await postStatus(statusForm(sid, 'delivered'));

    const again = await postStatus(statusForm(sid, 'delivered'));

    expect(again.status).toBe(204);
    expect((await deliveryItem(sid))?.history).toHaveLength(1);
  });

  it.each([
    ['a forged signature', { signature: 'bm90IGEgcmVhbCBzaWduYXR1cmU=' }],
    ['no signature', { signature: null }],
    ['a signature made with another auth token', { token: 'some-other-token' }],
  ])('refuses %s with 403 and writes nothing', async (_, options) => {
    const sid = newSid();
    const before = await countItems();

    const response = await postStatus(statusForm(sid, 'delivered'), options);

    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden');
    expect(await deliveryItem(sid)).toBeUndefined();
    expect(await countItems()).toBe(before);
  });

  it('refuses a signature made for the inbound webhook’s URL', async () => {
    const sid = newSid();
    const form = statusForm(sid, 'sent');
    const signedForInbound = twilioSignature(TWILIO_TOKEN, `${PUBLIC_BASE_URL}/v1/sms/twilio`, Object.entries(form));

    expect((await postStatus(form, { signature: signedForInbound })).status).toBe(403);
    expect(await deliveryItem(sid)).toBeUndefined();
  });

  it.each([
    ['an unknown MessageStatus', (sid: string) => statusForm(sid, 'lost')],
    ['a MessageSid that is not a message sid', () => statusForm(`CA${'0'.repeat(32)}`, 'sent')],
    ['no MessageStatus', (sid: string) => ({ MessageSid: sid })],
    ['a non-numeric ErrorCode', (sid: string) => statusForm(sid, 'failed', { ErrorCode: 'boom' })],
  ])('answers 400 naming the field for %s, and writes nothing', async (_, form) => {
    const sid = newSid();

    const response = await postStatus(form(sid));

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(Object.keys(response.body.error.fields ?? {}).length).toBeGreaterThan(0);
    expect(await deliveryItem(sid)).toBeUndefined();
  });
});
