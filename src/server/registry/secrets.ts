import crypto from 'node:crypto';
import { hashSecret } from '../auth.js';

/** Webhook secrets are kept as their SHA-256, like API keys and ingest tokens (auth.ts). */
export { hashSecret };

/** Constant-time check of a presented secret against a stored hash. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
