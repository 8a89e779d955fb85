import { describe, expect, it } from 'vitest';
import { createPhoneVault } from '#shared/privacy/phone-vault.ts';

const phone = '+8613800138000';
const vault = createPhoneVault('dev-only-phone-key-change-me-in-production');

/** Flips one bit in one base64url part of a `v1.<iv>.<body>.<tag>` ciphertext. */
const tamper = (cipher: string, part: 1 | 2 | 3) => {
  const parts = cipher.split('.');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
};

describe('createPhoneVault', () => {
  it('hashes the same number to the same value every time', () => {
    expect(vault.hash(phone)).toBe(vault.hash(phone));
    expect(createPhoneVault('dev-only-phone-key-change-me-in-production').hash(phone)).toBe(vault.hash(phone));
  });

  it('hashes the same number differently under another key', () => {
    expect(createPhoneVault('another-key-for-another-deployment').hash(phone)).not.toBe(vault.hash(phone));
  });

  it('hashes different numbers differently', () => {
    expect(vault.hash('+8613800138001')).not.toBe(vault.hash(phone));
  });

  it('does not put the number in its hash', () => {
    expect(vault.hash(phone)).not.toContain('13800138000');
  });

  it('decrypts what it encrypted', () => {
    expect(vault.decrypt(vault.encrypt(phone))).toBe(phone);
  });

  it('encrypts the same number differently each time', () => {
    expect(vault.encrypt(phone)).not.toBe(vault.encrypt(phone));
  });

  it('never shows the number in the ciphertext', () => {
    const cipher = vault.encrypt(phone);

    expect(cipher).not.toContain('13800138000');
    expect(cipher).not.toContain(Buffer.from(phone).toString('base64url'));
    expect(cipher.startsWith('v1.')).toBe(true);
  });

  it.each([
    [1, 'nonce'],
    [2, 'body'],
    [3, 'tag'],
  ] as const)('refuses a ciphertext whose %s part (%s) was tampered with', (part, _name) => {
    const cipher = vault.encrypt(phone);

    expect(() => vault.decrypt(tamper(cipher, part))).toThrow();
  });

  it('refuses a ciphertext made under another key', () => {
    const other = createPhoneVault('another-key-for-another-deployment');

    expect(() => vault.decrypt(other.encrypt(phone))).toThrow();
  });

  it.each(['', 'garbage', 'v2.a.b.c', 'v1..b.c'])('refuses the unreadable ciphertext %j', (cipher) => {
    expect(() => vault.decrypt(cipher)).toThrow();
  });
});
