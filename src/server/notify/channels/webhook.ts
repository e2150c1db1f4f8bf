import crypto from 'node:crypto';
import type { Digest } from '../digest.js';
import { projectLink } from '../digest.js';
import { failureOf, send } from '../delivery-error.js';
import type { ChannelOptions, ChannelSecrets, MessageChannel } from './types.js';

/** The payload schema's identifier; a breaking change gets a new version (docs/notifications/webhook.md). */
export const WEBHOOK_SCHEMA = 'https://bulwark.dev/schemas/notification/v1';
/** Receivers should refuse a timestamp further than this from their clock (replay window). */
export const REPLAY_WINDOW_SECONDS = 300;

export function webhookPayload(d: Digest, idempotencyKey: string): Record<string, unknown> {
  return {
    schema: WEBHOOK_SCHEMA,
    id: idempotencyKey,
    sentAt: new Date().toISOString(),
    project: d.project,
    link: projectLink(d),
    summary: d.summary,
    count: d.events.length,
    events: d.events,
  };
}

export function signature(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * Verifies a received webhook (what a receiver does; used by the tests and shown in the docs): the timestamp
 * within the replay window and the signature equal in constant time.
 */
export function verifyWebhook(secret: string, headers: { timestamp: string | undefined; signature: string | undefined }, body: string, nowSeconds = Math.floor(Date.now() / 1000)): { ok: true } | { ok: false; reason: string } {
  const { timestamp, signature: sig } = headers;
  if (!timestamp || !/^[0-9]{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing or malformed X-Bulwark-Timestamp' };
  if (Math.abs(nowSeconds - Number(timestamp)) > REPLAY_WINDOW_SECONDS) return { ok: false, reason: 'timestamp outside the replay window' };
  if (!sig || !/^sha256=[0-9a-f]{64}$/.test(sig)) return { ok: false, reason: 'missing or malformed X-Bulwark-Signature' };
  const want = Buffer.from(signature(secret, timestamp, body));
  const got = Buffer.from(sig);
  return want.length === got.length && crypto.timingSafeEqual(want, got) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/** Generic webhook: the versioned JSON payload, signed; `X-Bulwark-Delivery` carries the idempotency key. */
export function webhookChannel(opts: ChannelOptions<'webhook'>, secrets: ChannelSecrets<'webhook'>): MessageChannel {
  return {
    kind: 'message',
    recipients: () => [null],
    async send(d, _recipient, idempotencyKey) {
      const body = JSON.stringify(webhookPayload(d, idempotencyKey));
      const ts = String(Math.floor(Date.now() / 1000));
      const res = await send('webhook', opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Bulwark-Notifier/1',
          'x-bulwark-timestamp': ts,
          'x-bulwark-signature': signature(secrets.secret, ts, body),
          'x-bulwark-delivery': idempotencyKey,
        },
        body,
      });
      if (!res.ok) throw await failureOf('webhook', res);
      await res.body?.cancel();
    },
  };
}
