import crypto from 'node:crypto';
import { BulwarkError, UsageError } from '../../core/errors.js';

/**
 * Registry credentials at rest: AES-256-GCM with a 32-byte key from BULWARK_SECRET_KEY (64 hex digits or
 * base64 of 32 bytes). Sealed text: `v1.<iv b64>.<tag b64>.<ciphertext b64>`; the registry name is the
 * additional authenticated data, so a sealed value copied to another registry does not open.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(text: string | undefined, where = 'BULWARK_SECRET_KEY'): SecretBox {
    if (text === undefined || text === '') {
      throw new UsageError(`${where} is not set: registry credentials are stored encrypted with it`, 'generate one with: openssl rand -hex 32');
    }
    const t = text.trim();
    let key: Buffer | undefined;
    if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
    else if (/^[A-Za-z0-9+/]{43}=?$/.test(t)) key = Buffer.from(t, 'base64');
    if (!key || key.length !== 32) throw new UsageError(`${where} must be 32 bytes as 64 hex digits or base64`, 'generate one with: openssl rand -hex 32');
    return new SecretBox(key);
  }

  seal(plain: string, aad: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join('.');
  }

  open(sealed: string, aad: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') throw new BulwarkError('BULWARK_E_PARSE', 'stored credentials are not in the sealed format v1');
    try {
      const d = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(parts[1]!, 'base64'));
      d.setAAD(Buffer.from(aad, 'utf8'));
      d.setAuthTag(Buffer.from(parts[2]!, 'base64'));
      return Buffer.concat([d.update(Buffer.from(parts[3]!, 'base64')), d.final()]).toString('utf8');
    } catch (e) {
      throw new BulwarkError('BULWARK_E_USAGE', 'stored registry credentials do not open with this BULWARK_SECRET_KEY (changed key, or tampered value)', { cause: e });
    }
  }
}

/** Webhook secrets are kept as their SHA-256. */
export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of a presented secret against a stored hash. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
