import crypto from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import Fastify from 'fastify';
import { validateReport } from '../report/schema.js';
import { VERSION } from '../version.js';
import type { Principal } from './auth.js';
import { API_KEY_PREFIX, INGEST_TOKEN_PREFIX, SESSION_COOKIE, authenticate, hashSecret, newSecret, parseCookies, scopeOf } from './auth.js';
import {
  ConflictError,
  ForbiddenError,
  HttpError,
  InvalidReportError,
  InvalidRequestError,
  NotFoundError,
  StoreUnavailableError,
  UnauthenticatedError,
} from './errors.js';
import { body, boolParam, checkName, intParam, one, pageParams, query, severityParam } from './http.js';
import { openApiDocument } from './openapi.js';
import { registerDashboard } from './static.js';
import { ReadModel } from './store/queries.js';
import type { Store } from './store/store.js';
import type { WorkerOptions } from './worker.js';
import { IngestWorker } from './worker.js';

export type AuthMode = 'public' | 'user' | 'admin' | 'ingest';

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

export interface AppOptions {
  store: Store;
  /** Fastify logger: true/options for pino on stderr, false for none (tests). */
  logger?: FastifyServerOptions['logger'] | false;
  /** Largest accepted report body in bytes (default 32 MiB). */
  maxReportBytes?: number;
  /** Run the in-process ingestion worker (default true). */
  worker?: boolean | WorkerOptions;
  /** Dashboard session lifetime (default 12 h). */
  sessionTtlMs?: number;
}

export const DEFAULT_MAX_REPORT_BYTES = 32 * 1024 * 1024;
const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,200}$/;

/** Errors from a store that is down or overloaded: answered 503 + Retry-After, never 500. */
export function isStoreUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : '';
  const msg = typeof err?.message === 'string' ? err.message : '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300', '08006', '08001', '08003', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY'].includes(code) ||
    /driver has already been destroyed|Connection terminated|timeout exceeded when trying to connect|The database connection is not open|Cannot use a pool after calling end/i.test(msg)
  );
}

export async function buildApp(opts: AppOptions): Promise<{ app: FastifyInstance; worker: IngestWorker | undefined }> {
  const { store } = opts;
  const read = new ReadModel(store);
  const maxReportBytes = opts.maxReportBytes ?? DEFAULT_MAX_REPORT_BYTES;
  const sessionTtlMs = opts.sessionTtlMs ?? 12 * 3600 * 1000;
  const app = Fastify({
    logger: opts.logger === undefined ? { level: 'info', stream: process.stderr } : opts.logger,
    trustProxy: false,
  }) as unknown as FastifyInstance;
  const worker = opts.worker === false ? undefined : new IngestWorker(store, { ...(typeof opts.worker === 'object' ? opts.worker : {}), log: app.log as FastifyBaseLogger });

  app.decorateRequest('principal', undefined);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    const mode: AuthMode = req.routeOptions.config?.auth ?? 'user';
    let principal: Principal | undefined;
    try {
      principal = await authenticate(store, { authorization: req.headers.authorization, cookie: req.headers.cookie });
    } catch (e) {
      throw isStoreUnavailable(e) ? new StoreUnavailableError(e) : e;
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

  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof HttpError) {
      if (err instanceof StoreUnavailableError) {
        reply.header('retry-after', String(err.retryAfter));
        req.log.warn({ err: err.cause instanceof Error ? err.cause.message : String(err.cause) }, 'store unavailable');
      }
      return reply.code(err.status).send({ error: { code: err.apiCode, message: err.message, ...(err.details ? { details: err.details } : {}) } });
    }
    if (isStoreUnavailable(err)) {
      req.log.warn({ err: err.message }, 'store unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: { code: 'store_unavailable', message: 'the store is unavailable; retry later' } });
    }
    const status = err.statusCode;
    if (status === 413) return reply.code(413).send({ error: { code: 'report_too_large', message: `the body exceeds ${maxReportBytes} bytes; nothing was stored` } });
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send({ error: { code: 'invalid_request', message: err.message } });
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });

  const user = (req: FastifyRequest): Extract<Principal, { kind: 'user' }> => {
    const p = req.principal;
    if (p?.kind !== 'user') throw new ForbiddenError();
    return p;
  };

  /** The project named in the path, if this user may see it (members: projects of their teams). */
  const visibleProject = async (req: FastifyRequest) => {
    const u = user(req);
    const name = (req.params as { name: string }).name;
    const p = await store.projectByName(name);
    if (!p || (u.role !== 'admin' && (p.team_id === null || !u.teamIds.includes(p.team_id)))) throw new NotFoundError(`project ${name}`);
    return p;
  };

  // ---- public ------------------------------------------------------------------------------------

  app.get('/api/v1/health', { config: { auth: 'public' } }, async (_req, reply) => {
    try {
      await store.ping();
    } catch (e) {
      reply.header('retry-after', '5');
      return reply.code(503).send({ status: 'unavailable', store: store.engine, error: e instanceof Error ? e.message : String(e) });
    }
    return { status: 'ok', version: VERSION, store: store.engine, worker: worker ? 'running' : 'off' };
  });

  app.get('/api/v1/openapi.json', { config: { auth: 'public' } }, async () => openApiDocument(VERSION, maxReportBytes));

  app.post('/api/v1/login', { config: { auth: 'public' } }, async (req, reply) => {
    const apiKey = body(req).apiKey;
    if (typeof apiKey !== 'string' || !apiKey.startsWith(API_KEY_PREFIX)) throw new UnauthenticatedError('send {"apiKey": "bwk_…"}');
    const u = await store.userByKeyHash(hashSecret(apiKey));
    if (!u) throw new UnauthenticatedError('unknown or revoked API key');
    const session = crypto.randomBytes(32).toString('base64url');
    await store.createSession(hashSecret(session), u.id, sessionTtlMs);
    const secure = req.protocol === 'https' ? '; Secure' : '';
    reply.header('set-cookie', `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(sessionTtlMs / 1000)}${secure}`);
    return { user: { name: u.name, role: u.role } };
  });

  app.post('/api/v1/logout', { config: { auth: 'user', sessionWrite: true } }, async (req, reply) => {
    const session = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (session) await store.deleteSession(hashSecret(session));
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return reply.code(204).send();
  });

  // ---- ingestion ---------------------------------------------------------------------------------

  await app.register(async (scope) => {
    // Reports are kept as received (hashed for replay detection), so this scope parses JSON itself.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: maxReportBytes }, (_req, raw, done) => done(null, raw));
    scope.post('/api/v1/reports', { config: { auth: 'ingest' }, bodyLimit: maxReportBytes }, async (req, reply) => {
      const p = req.principal;
      if (p?.kind !== 'ingest') throw new ForbiddenError();
      const raw = typeof req.body === 'string' ? req.body : '';
      const keyHeader = req.headers['idempotency-key'];
      const key = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
      if (key !== undefined && !IDEMPOTENCY_KEY_RE.test(key)) throw new InvalidRequestError('Idempotency-Key must be 1-200 printable ASCII characters');
      let report: unknown;
      try {
        report = JSON.parse(raw);
      } catch (e) {
        throw new InvalidReportError(`the body is not JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
      const errors = validateReport(report);
      if (errors.length > 0) throw new InvalidReportError('the body is not a valid Bulwark scan report', errors.slice(0, 20));
      let queued;
      try {
        queued = await store.enqueue({ projectId: p.projectId, tokenId: p.tokenId, idempotencyKey: key ?? null, bodyHash: hashSecret(raw), body: raw });
      } catch (e) {
        // Not committed (or unknown): the client must retry; a retry is deduplicated by key and body hash.
        throw new StoreUnavailableError(e);
      }
      worker?.notify();
      return reply.code(202).send({ id: queued.id, status: queued.status, scanId: queued.scanId, replay: queued.replay });
    });
  });

  // ---- admin: teams, users, projects, tokens -----------------------------------------------------

  app.post('/api/v1/teams', { config: { auth: 'admin' } }, async (req, reply) => {
    const name = checkName('name', body(req).name);
    if (await store.teamByName(name)) throw new ConflictError(`team ${name} exists`);
    await store.createTeam(name);
    return reply.code(201).send({ name });
  });

  app.get('/api/v1/teams', { config: { auth: 'admin' } }, async () => ({ items: await store.listTeams() }));

  app.post('/api/v1/teams/:name/members', { config: { auth: 'admin' } }, async (req, reply) => {
    const team = await store.teamByName((req.params as { name: string }).name);
    if (!team) throw new NotFoundError('team');
    const userName = body(req).user;
    const u = typeof userName === 'string' ? await store.userByName(userName) : undefined;
    if (!u) throw new NotFoundError('user');
    await store.addTeamMember(team.id, u.id);
    return reply.code(204).send();
  });

  app.post('/api/v1/users', { config: { auth: 'admin' } }, async (req, reply) => {
    const b = body(req);
    const name = checkName('name', b.name);
    const role = b.role ?? 'member';
    if (role !== 'admin' && role !== 'member') throw new InvalidRequestError('role must be admin or member');
    const teams = b.teams ?? [];
    if (!Array.isArray(teams) || !teams.every((t) => typeof t === 'string')) throw new InvalidRequestError('teams must be a list of team names');
    const teamRows = [];
    for (const t of teams as string[]) {
      const row = await store.teamByName(t);
      if (!row) throw new NotFoundError(`team ${t}`);
      teamRows.push(row);
    }
    if (await store.userByName(name)) throw new ConflictError(`user ${name} exists`);
    const key = newSecret(API_KEY_PREFIX);
    const id = await store.createUser(name, role, key.hash);
    for (const t of teamRows) await store.addTeamMember(t.id, id);
    return reply.code(201).send({ name, role, teams, apiKey: key.secret });
  });

  app.get('/api/v1/users', { config: { auth: 'admin' } }, async () => ({ items: await store.listUsers() }));

  app.get('/api/v1/me', { config: { auth: 'user' } }, async (req) => {
    const u = user(req);
    return { name: u.name, role: u.role, via: u.via };
  });

  app.post('/api/v1/projects', { config: { auth: 'admin' } }, async (req, reply) => {
    const b = body(req);
    const name = checkName('name', b.name);
    let teamId: number | null = null;
    if (b.team !== undefined && b.team !== null) {
      const team = typeof b.team === 'string' ? await store.teamByName(b.team) : undefined;
      if (!team) throw new NotFoundError('team');
      teamId = team.id;
    }
    if (await store.projectByName(name)) throw new ConflictError(`project ${name} exists`);
    await store.createProject(name, teamId);
    return reply.code(201).send({ name, team: b.team ?? null });
  });

  const adminProject = async (req: FastifyRequest) => {
    const name = (req.params as { name: string }).name;
    const p = await store.projectByName(name);
    if (!p) throw new NotFoundError(`project ${name}`);
    return p;
  };

  app.post('/api/v1/projects/:name/tokens', { config: { auth: 'admin' } }, async (req, reply) => {
    const p = await adminProject(req);
    const t = newSecret(INGEST_TOKEN_PREFIX);
    const id = await store.createIngestToken(p.id, t.hash);
    return reply.code(201).send({ id, token: t.secret });
  });

  app.get('/api/v1/projects/:name/tokens', { config: { auth: 'admin' } }, async (req) => {
    const p = await adminProject(req);
    return { items: (await store.listIngestTokens(p.id)).map((t) => ({ id: t.id, createdAt: t.created_at, revokedAt: t.revoked_at, lastUsedAt: t.last_used_at })) };
  });

  app.delete('/api/v1/projects/:name/tokens/:id', { config: { auth: 'admin' } }, async (req, reply) => {
    const p = await adminProject(req);
    const id = Number((req.params as { id: string }).id);
    if (!Number.isInteger(id) || !(await store.revokeIngestToken(p.id, id))) throw new NotFoundError('token');
    return reply.code(204).send();
  });

  // ---- read API ----------------------------------------------------------------------------------

  app.get('/api/v1/summary', async (req) => read.summary(scopeOf(user(req))));

  app.get('/api/v1/projects', async (req) => {
    const q = query(req);
    const { limit, offset } = pageParams(q);
    const gate = one(q, 'gate');
    if (gate !== undefined && gate !== 'passed' && gate !== 'failed') throw new InvalidRequestError('gate must be passed or failed');
    return read.projects(scopeOf(user(req)), { limit, offset, q: one(q, 'q'), gate });
  });

  app.get('/api/v1/projects/:name', async (req) => read.project((await visibleProject(req)).id));

  app.get('/api/v1/projects/:name/findings', async (req) => {
    const p = await visibleProject(req);
    const q = query(req);
    const status = one(q, 'status') ?? 'open';
    if (status !== 'open' && status !== 'all') throw new InvalidRequestError('status must be open or all');
    const filter = {
      severity: severityParam(q, 'severity'),
      fixable: boolParam(q, 'fixable'),
      suppressed: boolParam(q, 'suppressed'),
      package: one(q, 'package'),
      status: status as 'open' | 'all',
    };
    return read.findings(p, filter, intParam(q, 'limit', 50, 1, 500), one(q, 'cursor'));
  });

  app.get('/api/v1/projects/:name/scans', async (req) => {
    const p = await visibleProject(req);
    const q = query(req);
    return read.scans(p.id, intParam(q, 'limit', 20, 1, 500), one(q, 'cursor'));
  });

  app.get('/api/v1/projects/:name/trend', async (req) => {
    const p = await visibleProject(req);
    return { points: await read.trend(p.id, intParam(query(req), 'limit', 100, 1, 1000)) };
  });

  app.get('/api/v1/search', async (req) => {
    const q = query(req);
    const { limit, offset } = pageParams(q);
    const vuln = one(q, 'vuln');
    const pkg = one(q, 'package');
    if ((vuln === undefined) === (pkg === undefined)) throw new InvalidRequestError('pass exactly one of vuln or package');
    const scope = scopeOf(user(req));
    if (vuln !== undefined) return { kind: 'vuln', query: vuln, ...(await read.searchVuln(scope, vuln.trim(), limit, offset)) };
    return { kind: 'package', query: pkg, ...(await read.searchPackage(scope, (pkg as string).trim(), limit, offset)) };
  });

  registerDashboard(app);

  app.addHook('onClose', async () => {
    await worker?.stop();
  });
  return { app, worker };
}
