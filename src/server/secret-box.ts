import crypto from 'node:crypto';
import { BulwarkError } from '../core/errors.js';

/**
 * Secrets at rest (registry credentials, channel webhook URLs, tokens, SMTP passwords): AES-256-GCM under a
 * 32-byte key from BULWARK_SECRET_KEY (64 hex digits or base64). Sealed text: `v1:` + base64(iv ‖ tag ‖
 * ciphertext); the owner's name (`registry:<name>`, the channel name) is the additional authenticated data, so a
 * value copied to another owner does not open. Without the key nothing secret is stored or read: never fail open
 * into plaintext.
 */
export const SECRET_KEY_ENV = 'BULWARK_SECRET_KEY';
const PREFIX = 'v1:';

export class SecretKeyError extends BulwarkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BULWARK_E_USAGE', message, { hint: `set ${SECRET_KEY_ENV} to 32 random bytes, base64 or hex (e.g. \`openssl rand -base64 32\`)`, ...options });
  }
}

export function parseSecretKey(text: string | undefined): Buffer {
  if (text === undefined || text.trim() === '') throw new SecretKeyError(`${SECRET_KEY_ENV} is not set: secrets (registry credentials, channel secrets) cannot be stored or read`);
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new SecretKeyError(`${SECRET_KEY_ENV} must be 32 bytes (base64 or 64 hex digits), got ${key.length} bytes`);
  return key;
}

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox {
    return new SecretBox(parseSecretKey(env[SECRET_KEY_ENV]));
  }

  /** A key as bytes, or as the text BULWARK_SECRET_KEY holds (64 hex digits or base64). */
  static fromKey(key: Buffer | string | undefined): SecretBox {
    if (Buffer.isBuffer(key)) {
      if (key.length !== 32) throw new SecretKeyError('the secret key must be 32 bytes');
      return new SecretBox(Buffer.from(key));
    }
    return new SecretBox(parseSecretKey(key));
  }

  seal(plain: string, aad: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string, aad: string): string {
    if (!sealed.startsWith(PREFIX)) throw new SecretKeyError(`a stored secret of ${aad} is not in the sealed format v1`);
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    if (raw.length < 28) throw new SecretKeyError(`a stored secret of ${aad} is truncated`);
    const d = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch (e) {
      throw new SecretKeyError(`a stored secret of ${aad} does not open with this ${SECRET_KEY_ENV} (a changed key, or tampered data)`, { cause: e });
    }
  }
}
