import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { API_KEY_PREFIX, newSecret } from '../../src/server/auth.js';
import { Store } from '../../src/server/store/store.js';
import type { IngestWorker } from '../../src/server/worker.js';
import { syntheticReport } from '../../src/server/synthetic.js';
import type { TestStore } from './support.js';
import { ENGINES, freshStore } from './support.js';

const MAX = 256 * 1024;

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`ingestion security on ${engine}`, () => {
    let t: TestStore;
    let store: Store;
    let app: FastifyInstance;
    let worker: IngestWorker;
    let admin: string;
    let tokenA: string;
    let tokenB: string;
    const auth = (k: string) => ({ authorization: `Bearer ${k}` });
    const upload = (token: string, body: string, key?: string) =>
      app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...auth(token), 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, payload: body });
    const scanCount = async (project?: string) => {
      let q = store.db.selectFrom('scans as s').innerJoin('projects as p', 'p.id', 's.project_id').select((eb) => eb.fn.countAll().as('n'));
      if (project) q = q.where('p.name', '=', project);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };
    const queueCount = async () => Number((await store.db.selectFrom('ingest_queue').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    beforeAll(async () => {
      t = await freshStore(engine);
      store = await Store.open(t.options);
      const built = await buildApp({ store, logger: false, maxReportBytes: MAX, uploadsPerToken: 8, worker: { idleMs: 20 } });
      app = built.app;
      worker = built.worker!;
      const key = newSecret(API_KEY_PREFIX);
      await store.identity.createUser('root', 'admin', key.hash);
      admin = key.secret;
      for (const name of ['alpha', 'beta']) {
        const r = await app.inject({ method: 'POST', url: '/api/v1/projects', headers: auth(admin), payload: { name } });
        expect(r.statusCode).toBe(201);
      }
      tokenA = (await app.inject({ method: 'POST', url: '/api/v1/projects/alpha/tokens', headers: auth(admin) })).json<{ token: string }>().token;
      tokenB = (await app.inject({ method: 'POST', url: '/api/v1/projects/beta/tokens', headers: auth(admin) })).json<{ token: string }>().token;
    });
    afterAll(async () => {
      await app?.close();
      await store?.close();
      await t?.cleanup();
    });

    it('a project token uploads to its own project only, and every other route answers 403', async () => {
      const r = await upload(tokenA, JSON.stringify(syntheticReport({ seed: 1, findings: 10 })));
      expect(r.statusCode).toBe(202);
      await worker.drain();
      expect(await scanCount('alpha')).toBe(1);
      expect(await scanCount('beta')).toBe(0);
      const attempts: [string, string, unknown?][] = [
        ['GET', '/api/v1/projects'],
        ['GET', '/api/v1/projects/alpha'],
        ['GET', '/api/v1/projects/alpha/findings'],
        ['GET', '/api/v1/projects/beta/findings'],
        ['GET', '/api/v1/projects/alpha/scans'],
        ['GET', '/api/v1/projects/alpha/trend'],
        ['GET', '/api/v1/search?vuln=CVE-2099-00001'],
        ['GET', '/api/v1/summary'],
        ['GET', '/api/v1/me'],
        ['POST', '/api/v1/projects', { name: 'gamma' }],
        ['POST', '/api/v1/projects/beta/tokens'],
        ['POST', '/api/v1/projects/alpha/tokens'],
        ['GET', '/api/v1/projects/alpha/tokens'],
        ['DELETE', '/api/v1/projects/beta/tokens/2'],
        ['POST', '/api/v1/users', { name: 'eve', role: 'admin' }],
        ['POST', '/api/v1/teams', { name: 'evil' }],
        ['GET', '/api/v1/nonexistent'],
      ];
      for (const [method, url, payload] of attempts) {
        const res = await app.inject({ method: method as 'GET', url, headers: auth(tokenA), ...(payload ? { payload: payload as object } : {}) });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json<{ error: { code: string } }>().error.code).toBe('forbidden');
      }
      expect(await store.projects.byName('gamma')).toBeUndefined();
      // Even public routes refuse a request that carries an ingest token.
      expect((await app.inject({ method: 'GET', url: '/api/v1/health', headers: auth(tokenA) })).statusCode).toBe(403);
    });

    it('rejects malformed, invalid and oversized reports with 400/413 and stores and queues nothing', async () => {
      const before = { scans: await scanCount(), queue: await queueCount() };
      const cases: [string, number, string][] = [
        ['{not json', 400, 'invalid_report'],
        ['[]', 400, 'invalid_report'],
        [JSON.stringify({ ...syntheticReport({ seed: 2, findings: 1 }), gate: { passed: 'yes' } }), 400, 'invalid_report'],
        [JSON.stringify({ hello: 'world' }), 400, 'invalid_report'],
        [JSON.stringify(syntheticReport({ seed: 3, findings: 2000 })), 413, 'report_too_large'],
      ];
      for (const [body, status, code] of cases) {
        const r = await upload(tokenA, body);
        expect(r.statusCode, body.slice(0, 40)).toBe(status);
        expect(r.json<{ error: { code: string } }>().error.code).toBe(code);
      }
      const nonJson = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...auth(tokenA), 'content-type': 'text/plain' }, payload: 'x' });
      expect(nonJson.statusCode).toBe(415);
      const badKey = await upload(tokenA, JSON.stringify(syntheticReport({ seed: 4, findings: 1 })), 'bad key with spaces');
      expect(badKey.statusCode).toBe(400);
      await worker.drain();
      expect({ scans: await scanCount(), queue: await queueCount() }).toEqual(before);
    });

    it('stores one scan for a replayed upload (same key, or same body)', async () => {
      const before = await scanCount('beta');
      const body = JSON.stringify(syntheticReport({ seed: 5, findings: 15 }));
      const first = await upload(tokenB, body, 'ci-run-42');
      const replays = await Promise.all([upload(tokenB, body, 'ci-run-42'), upload(tokenB, body)]);
      expect([first, ...replays].map((r) => r.statusCode)).toEqual([202, 202, 202]);
      expect(new Set([first, ...replays].map((r) => r.json<{ id: number }>().id)).size).toBe(1);
      // The same key with another body: refused (409), not acknowledged and dropped.
      const reused = await upload(tokenB, JSON.stringify(syntheticReport({ seed: 6, findings: 3 })), 'ci-run-42');
      expect(reused.statusCode).toBe(409);
      expect(reused.json<{ error: { code: string } }>().error.code).toBe('conflict');
      await worker.drain();
      expect(await scanCount('beta')).toBe(before + 1);
      const late = await upload(tokenB, body);
      expect(late.json<{ replay: boolean; status: string; scanId: number }>()).toMatchObject({ replay: true, status: 'done' });
      await worker.drain();
      expect(await scanCount('beta')).toBe(before + 1);
    });

    it('refuses unknown and revoked tokens, and non-admin users', async () => {
      expect((await upload('bwi_nope', '{}')).statusCode).toBe(401);
      expect((await app.inject({ method: 'POST', url: '/api/v1/reports', payload: {} })).statusCode).toBe(401);
      const created = (await app.inject({ method: 'POST', url: '/api/v1/projects/beta/tokens', headers: auth(admin) })).json<{ id: number; token: string }>();
      const body = JSON.stringify(syntheticReport({ seed: 7, findings: 2 }));
      const del = await app.inject({ method: 'DELETE', url: `/api/v1/projects/beta/tokens/${created.id}`, headers: auth(admin) });
      expect(del.statusCode).toBe(204);
      expect((await upload(created.token, body)).statusCode).toBe(401);
      // A token id of another project cannot be revoked through this one.
      const other = (await app.inject({ method: 'GET', url: '/api/v1/projects/alpha/tokens', headers: auth(admin) })).json<{ items: { id: number }[] }>();
      expect((await app.inject({ method: 'DELETE', url: `/api/v1/projects/beta/tokens/${other.items[0]!.id}`, headers: auth(admin) })).statusCode).toBe(404);
      expect((await upload(tokenA, JSON.stringify(syntheticReport({ seed: 8, findings: 1 })))).statusCode).toBe(202);
      // Users cannot upload (uploads need a project token); members see only their team's projects.
      expect((await upload(admin, body)).statusCode).toBe(403);
      await app.inject({ method: 'POST', url: '/api/v1/teams', headers: auth(admin), payload: { name: 'payments' } });
      await app.inject({ method: 'POST', url: '/api/v1/projects', headers: auth(admin), payload: { name: 'pay-api', team: 'payments' } });
      const member = (await app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(admin), payload: { name: 'mia', teams: ['payments'] } })).json<{ apiKey: string }>().apiKey;
      const list = (await app.inject({ method: 'GET', url: '/api/v1/projects', headers: auth(member) })).json<{ items: { name: string }[] }>();
      expect(list.items.map((p) => p.name)).toEqual(['pay-api']);
      expect((await app.inject({ method: 'GET', url: '/api/v1/projects/alpha/findings', headers: auth(member) })).statusCode).toBe(404);
      expect((await app.inject({ method: 'POST', url: '/api/v1/projects', headers: auth(member), payload: { name: 'x' } })).statusCode).toBe(403);
    });

    it('a dashboard session reads but cannot change anything', async () => {
      const login = await app.inject({ method: 'POST', url: '/api/v1/login', payload: { apiKey: admin } });
      expect(login.statusCode).toBe(200);
      const cookie = String(login.headers['set-cookie']);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      const session = cookie.split(';')[0]!;
      expect((await app.inject({ method: 'GET', url: '/api/v1/projects', headers: { cookie: session } })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/api/v1/projects', headers: { cookie: session }, payload: { name: 'csrf' } })).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: '/api/v1/logout', headers: { cookie: session } })).statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: '/api/v1/projects', headers: { cookie: session } })).statusCode).toBe(401);
      expect((await app.inject({ method: 'POST', url: '/api/v1/login', payload: { apiKey: 'bwk_wrong' } })).statusCode).toBe(401);
    });

    it('serves the OpenAPI document and health without credentials', async () => {
      const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ openapi: string; paths: Record<string, unknown> }>();
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toContain('/api/v1/reports');
      // Generated from the routes' schemas: every API route, its parameters, and the shared enums.
      const full = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
        paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, { items?: { properties?: Record<string, { enum?: string[] }> } }> } }> }> }>>;
        components: { securitySchemes: Record<string, unknown> };
      }>();
      for (const p of ['/api/v1/projects/{name}/findings', '/api/v1/admin/queue', '/api/v1/admin/audit', '/api/v1/users/{name}/keys/{id}', '/api/v1/teams/{name}/members/{user}', '/api/v1/health']) {
        expect(Object.keys(full.paths), p).toContain(p);
      }
      const findings = full.paths['/api/v1/projects/{name}/findings']!.get!;
      expect(findings.parameters!.map((x) => `${x.in}:${x.name}`).sort()).toEqual(['path:name', 'query:cursor', 'query:fixable', 'query:limit', 'query:package', 'query:severity', 'query:status', 'query:suppressed']);
      const item = findings.responses['200']!.content!['application/json']!.schema.properties!.items!.items!.properties!;
      expect(item.severity!.enum).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']);
      expect(Object.keys(full.components.securitySchemes).sort()).toEqual(['apiKey', 'ingestToken', 'session']);
      expect(full.paths['/api/v1/reports']!.post!.security).toEqual([{ ingestToken: [] }]);
      // The dashboard's files are not API routes.
      expect(Object.keys(full.paths).every((p) => p.startsWith('/api/v1/'))).toBe(true);
      expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).json()).toMatchObject({ status: 'ok', store: engine });
      // An unknown Idempotency-Key format and query values outside the schema are 400s, not 500s.
      expect((await app.inject({ method: 'GET', url: '/api/v1/projects?limit=0', headers: auth(admin) })).statusCode).toBe(400);
      expect((await app.inject({ method: 'GET', url: '/api/v1/projects?gate=maybe', headers: auth(admin) })).statusCode).toBe(400);
      expect((await app.inject({ method: 'GET', url: '/api/v1/projects/alpha/findings?severity=nope', headers: auth(admin) })).statusCode).toBe(400);
      expect((await app.inject({ method: 'GET', url: '/api/v1/projects/alpha/findings?severity=critical,high', headers: auth(admin) })).statusCode).toBe(200);
    });
  });
}

describe('store down', () => {
  it('answers 503 with Retry-After and acknowledges nothing when the store is unreachable', async () => {
    const t = await freshStore('sqlite');
    const store = await Store.open(t.options);
    const { app } = await buildApp({ store, logger: false, worker: false });
    const id = await store.projects.create('down', null);
    const tok = newSecret('bwi_');
    await store.projects.createIngestToken(id, tok.hash);
    await store.close(); // the database goes away
    const r = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${tok.secret}`, 'content-type': 'application/json' }, payload: JSON.stringify(syntheticReport({ seed: 9, findings: 1 })) });
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(503);
    await app.close();
    await t.cleanup();
  });
});
