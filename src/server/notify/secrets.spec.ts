import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, parseSecretKey } from './secrets.js';

describe('sealed channel secrets (AES-256-GCM)', () => {
  const box = SecretBox.fromKey(crypto.randomBytes(32));

  it('round-trips, with a fresh IV each time and no plaintext in the sealed form', () => {
    const a = box.seal('xoxb-secret-token', 'slack');
    const b = box.seal('xoxb-secret-token', 'slack');
    expect(a).not.toBe(b);
    expect(a).not.toContain('xoxb');
    expect(box.open(a, 'slack')).toBe('xoxb-secret-token');
  });

  it('refuses another channel name (AAD), a flipped bit, a truncated value and another key', () => {
    const s = box.seal('secret', 'a');
    expect(() => box.open(s, 'b')).toThrow(/cannot be decrypted/);
    const raw = Buffer.from(s.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => box.open('v1:' + raw.toString('base64'), 'a')).toThrow(/cannot be decrypted/);
    expect(() => box.open('v1:AAAA', 'a')).toThrow(/truncated/);
    expect(() => box.open('plain', 'a')).toThrow(/unknown format/);
    expect(() => SecretBox.fromKey(crypto.randomBytes(32)).open(s, 'a')).toThrow(/wrong BULWARK_SECRET_KEY/);
  });

  it('reads the key as base64 or hex, 32 bytes, and says what is wrong otherwise', () => {
    expect(parseSecretKey(crypto.randomBytes(32).toString('base64'))).toHaveLength(32);
    expect(parseSecretKey('ab'.repeat(32))).toHaveLength(32);
    expect(() => parseSecretKey(undefined)).toThrow(/BULWARK_SECRET_KEY is not set/);
    expect(() => parseSecretKey(crypto.randomBytes(16).toString('base64'))).toThrow(/must be 32 bytes.*got 16/);
  });
});
