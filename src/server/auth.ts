import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sha256 } from '../util/hash.js';
import { ForbiddenError, StoreUnavailableError, UnauthenticatedError } from './errors.js';
import type { Scope, Store } from './store/store.js';

/** Who is calling: a user (API key or dashboard session) or a project's write-only ingest token. */
export type Principal =
  | { kind: 'user'; userId: number; name: string; role: 'admin' | 'member'; teamIds: number[]; via: 'api-key' | 'session' }
  | { kind: 'ingest'; tokenId: number; projectId: number };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

/** webhook: the route checks its own secret (registry webhooks); no user credential is looked up. */
export type AuthMode = 'public' | 'user' | 'admin' | 'ingest' | 'webhook';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; routes without one need a user (deny by default). */
    auth?: AuthMode;
    /** Dashboard sessions may call this non-GET route (logout). */
    sessionWrite?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

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
      const t = await store.projects.ingestTokenByHash(hashSecret(secret));
      return t ? { kind: 'ingest', tokenId: t.id, projectId: t.project_id } : undefined;
    }
    if (secret.startsWith(API_KEY_PREFIX)) {
      const u = await store.identity.userByKeyHash(hashSecret(secret));
      return u ? { kind: 'user', userId: u.id, name: u.name, role: u.role, teamIds: u.teamIds, via: 'api-key' } : undefined;
    }
    return undefined;
  }
  const session = parseCookies(headers.cookie)[SESSION_COOKIE];
  if (session) {
    const u = await store.identity.userBySessionHash(hashSecret(session));
    return u ? { kind: 'user', userId: u.id, name: u.name, role: u.role, teamIds: u.teamIds, via: 'session' } : undefined;
  }
  return undefined;
}

/** The calling user (routes whose auth mode is user or admin). */
export function userOf(req: FastifyRequest): UserPrincipal {
  const p = req.principal;
  if (p?.kind !== 'user') throw new ForbiddenError();
  return p;
}

/**
 * Authentication and authorization as one onRequest hook on the root instance: every route states who may
 * call it (`config.auth`, default: a user). Runs before the body is read.
 */
export function installAuth(app: FastifyInstance, store: Store): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (req) => {
    const mode: AuthMode = req.routeOptions.config?.auth ?? 'user';
    if (mode === 'webhook') return;
    let principal: Principal | undefined;
    try {
      principal = await authenticate(store, { authorization: req.headers.authorization, cookie: req.headers.cookie });
    } catch (e) {
      // authenticate only reads the store: any failure of it is the store's, never the caller's.
      throw new StoreUnavailableError(e);
    }
    req.principal = principal;
    if (req.headers.authorization && !principal) throw new UnauthenticatedError('unknown or revoked credential');
    // A write-only ingest token may upload reports for its project and do nothing else.
    if (principal?.kind === 'ingest' && mode !== 'ingest') throw new ForbiddenError('an ingest token can only upload reports (POST /api/v1/reports)');
    if (mode === 'public') return;
    if (!principal) throw new UnauthenticatedError();
    if (mode === 'ingest' && principal.kind !== 'ingest') throw new ForbiddenError('uploads need a project ingest token');
    if (principal.kind === 'user') {
      if (mode === 'admin' && principal.role !== 'admin') throw new ForbiddenError('this needs an admin');
      // Dashboard cookies only read (CSRF stays harmless); changes need an API key in the Authorization header.
      if (principal.via === 'session' && req.method !== 'GET' && req.method !== 'HEAD' && !req.routeOptions.config?.sessionWrite) {
        throw new ForbiddenError('a dashboard session can only read; use an API key for changes');
      }
    }
  });
}
