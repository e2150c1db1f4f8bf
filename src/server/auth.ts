import crypto from 'node:crypto';
import { sha256 } from '../util/hash.js';
import type { Scope, Store } from './store/store.js';

/** Who is calling: a user (API key or dashboard session) or a project's write-only ingest token. */
export type Principal =
  | { kind: 'user'; userId: number; name: string; role: 'admin' | 'member'; teamIds: number[]; via: 'api-key' | 'session' }
  | { kind: 'ingest'; tokenId: number; projectId: number };

export const API_KEY_PREFIX = 'bwk_';
export const INGEST_TOKEN_PREFIX = 'bwi_';
export const SESSION_COOKIE = 'bulwark_session';

/** A fresh secret: prefix + 32 random bytes. Only its sha256 is stored. */
export function newSecret(prefix: string): { secret: string; hash: string } {
  const secret = prefix + crypto.randomBytes(32).toString('base64url');
  return { secret, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return sha256(secret);
}

export function scopeOf(p: Principal): Scope {
  if (p.kind !== 'user') return { teamIds: [] };
  return p.role === 'admin' ? 'all' : { teamIds: p.teamIds };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

/** Resolves the credential of a request; undefined when none or an unknown/revoked one was sent. */
export async function authenticate(store: Store, headers: { authorization?: string; cookie?: string }): Promise<Principal | undefined> {
  const auth = headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m?.[1]) return undefined;
    const secret = m[1];
    if (secret.startsWith(INGEST_TOKEN_PREFIX)) {
      const t = await store.ingestTokenByHash(hashSecret(secret));
      return t ? { kind: 'ingest', tokenId: t.id, projectId: t.project_id } : undefined;
    }
    if (secret.startsWith(API_KEY_PREFIX)) {
      const u = await store.userByKeyHash(hashSecret(secret));
      return u ? { kind: 'user', userId: u.id, name: u.name, role: u.role, teamIds: u.teamIds, via: 'api-key' } : undefined;
    }
    return undefined;
  }
  const session = parseCookies(headers.cookie)[SESSION_COOKIE];
  if (session) {
    const u = await store.userBySessionHash(hashSecret(session));
    return u ? { kind: 'user', userId: u.id, name: u.name, role: u.role, teamIds: u.teamIds, via: 'session' } : undefined;
  }
  return undefined;
}
