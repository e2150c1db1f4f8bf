import { describe, expect, it } from 'vitest';
import { REPLAY_WINDOW_SECONDS, signature, verifyWebhook } from './webhook.js';

describe('webhook signatures', () => {
  const secret = 'whsec-0123456789abcdef';
  const body = '{"schema":"https://bulwark.dev/schemas/notification/v1"}';
  const now = 1_800_000_000;

  it('is HMAC-SHA256 over "<timestamp>.<body>", hex, prefixed sha256=', () => {
    // Independent value: printf '%s' '1800000000.{"a":1}' | openssl dgst -sha256 -hmac 'k'
    expect(signature('k', '1800000000', '{"a":1}')).toBe('sha256=a776b22fd93f756bb625f275db2abe8a55e6c7d8b59d2533b90bc67b8569d2b7');
    expect(signature(secret, '1', body)).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('verifies a good one and refuses tampering, another secret, stale or future timestamps', () => {
    const ts = String(now);
    const sig = signature(secret, ts, body);
    expect(verifyWebhook(secret, { timestamp: ts, signature: sig }, body, now)).toEqual({ ok: true });
    expect(verifyWebhook(secret, { timestamp: ts, signature: sig }, body + ' ', now)).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifyWebhook('another-secret-xxxxxx', { timestamp: ts, signature: sig }, body, now)).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifyWebhook(secret, { timestamp: ts, signature: sig }, body, now + REPLAY_WINDOW_SECONDS + 1)).toEqual({ ok: false, reason: 'timestamp outside the replay window' });
    expect(verifyWebhook(secret, { timestamp: ts, signature: sig }, body, now - REPLAY_WINDOW_SECONDS - 1).ok).toBe(false);
    expect(verifyWebhook(secret, { timestamp: undefined, signature: sig }, body, now).ok).toBe(false);
    expect(verifyWebhook(secret, { timestamp: ts, signature: 'sha1=abc' }, body, now).ok).toBe(false);
  });
});
