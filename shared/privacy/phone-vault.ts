import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { PhoneVault } from '#shared/ports.ts';

/**
 * Phones are stored twice, never in clear: an HMAC-SHA256 for lookups and AES-256-GCM
 * ciphertext for sending. Both keys are derived (HKDF) from one secret.
 */
export function createPhoneVault(secret: string): PhoneVault {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', secret, 'closedloop', purpose, 32));
  const hashKey = derive('phone-lookup');
  const encryptionKey = derive('phone-encryption');
  const deviceKey = derive('device-id');
  return {
    hash: (e164) => createHmac('sha256', hashKey).update(e164).digest('base64url'),
    deviceHash: (fingerprint) => createHmac('sha256', deviceKey).update(fingerprint).digest('base64url').slice(0, 22),
    encrypt(e164) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      const body = Buffer.concat([cipher.update(e164, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    decrypt(stored) {
      const [version, iv, body, tag] = stored.split('.');
      if (version !== 'v1' || !iv || !body || !tag) throw new Error('unreadable phone ciphertext');
      const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
