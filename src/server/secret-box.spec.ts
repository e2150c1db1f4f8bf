import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, parseSecretKey } from './secret-box.js';

describe('sealed secrets (AES-256-GCM): registry credentials and channel secrets', () => {
  const box = SecretBox.fromKey(crypto.randomBytes(32));

  it('round-trips, with a fresh IV each time and no plaintext in the sealed form', () => {
    const a = box.seal('xoxb-secret-token', 'slack');
    const b = box.seal('xoxb-secret-token', 'slack');
    expect(a).not.toBe(b);
    expect(a).not.toContain('xoxb');
    expect(box.open(a, 'slack')).toBe('xoxb-secret-token');
    const hexKeyed = SecretBox.fromKey(crypto.randomBytes(32).toString('hex'));
    expect(hexKeyed.open(hexKeyed.seal('{"password":"s3cret"}', 'registry:a'), 'registry:a')).toBe('{"password":"s3cret"}');
  });

  it('refuses another owner (AAD), a flipped bit, a truncated value, another format and another key', () => {
    const s = box.seal('secret', 'registry:a');
    expect(() => box.open(s, 'registry:b')).toThrow(/a stored secret of registry:b does not open with this BULWARK_SECRET_KEY/);
    const raw = Buffer.from(s.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => box.open('v1:' + raw.toString('base64'), 'registry:a')).toThrow(/does not open/);
    expect(() => box.open('v1:AAAA', 'registry:a')).toThrow(/truncated/);
    expect(() => box.open('plain', 'registry:a')).toThrow(/not in the sealed format v1/);
    expect(() => SecretBox.fromKey(crypto.randomBytes(32).toString('base64')).open(s, 'registry:a')).toThrow(/does not open with this BULWARK_SECRET_KEY/);
  });

  it('reads the key as base64 or hex, 32 bytes, and says what is wrong otherwise', () => {
    expect(parseSecretKey(crypto.randomBytes(32).toString('base64'))).toHaveLength(32);
    expect(parseSecretKey('ab'.repeat(32))).toHaveLength(32);
    expect(() => parseSecretKey(undefined)).toThrow(/BULWARK_SECRET_KEY is not set/);
    expect(() => SecretBox.fromKey(undefined)).toThrow(/BULWARK_SECRET_KEY is not set/);
    expect(() => parseSecretKey(crypto.randomBytes(16).toString('base64'))).toThrow(/must be 32 bytes.*got 16/);
    expect(() => SecretBox.fromKey('short')).toThrow(/32 bytes/);
    expect(() => SecretBox.fromKey('ab'.repeat(31))).toThrow(/32 bytes/);
    expect(() => SecretBox.fromKey(crypto.randomBytes(16))).toThrow(/32 bytes/);
    expect(() => SecretBox.fromEnv({})).toThrow(/BULWARK_SECRET_KEY is not set/);
  });
});
