import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { isBulwarkError } from '../../src/core/errors.js';
import { buildApp } from '../../src/server/app.js';
import { API_KEY_PREFIX, newSecret } from '../../src/server/auth.js';
import { startServer } from '../../src/server/server.js';
import { Store, StoreOpenError } from '../../src/server/store/store.js';
import { syntheticReport } from '../../src/server/synthetic.js';
import type { TestStore } from './support.js';
import { ENGINES, freshStore } from './support.js';

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`key and user management, audited, on ${engine}`, () => {
    let t: TestStore;
    let store: Store;
    let app: FastifyInstance;
    let root: string;
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, key: string, payload?: object) => app.inject({ method, url, headers: as(key), ...(payload ? { payload } : {}) });

    beforeAll(async () => {
      t = await freshStore(engine);
      store = await Store.open(t.options);
      app = (await buildApp({ store, logger: false, worker: false })).app;
      const key = newSecret(API_KEY_PREFIX);
      await store.identity.createUser('root', 'admin', key.hash);
      root = key.secret;
      expect((await call('POST', '/api/v1/teams', root, { name: 'web' })).statusCode).toBe(201);
      expect((await call('POST', '/api/v1/projects', root, { name: 'shop', team: 'web' })).statusCode).toBe(201);
    });
    afterAll(async () => {
      await app?.close();
      await store?.close();
      await t?.cleanup();
    });

    it('rotates and revokes API keys', async () => {
      const first = (await call('POST', '/api/v1/users', root, { name: 'kim', teams: ['web'] })).json<{ apiKey: string }>().apiKey;
      expect((await call('GET', '/api/v1/me', first)).statusCode).toBe(200);
      const second = (await call('POST', '/api/v1/users/kim/keys', root)).json<{ id: number; apiKey: string }>();
      const keys = (await call('GET', '/api/v1/users/kim/keys', root)).json<{ items: { id: number; revokedAt: string | null }[] }>().items;
      expect(keys.length).toBe(2);
      const firstId = keys.find((k) => k.id !== second.id)!.id;
      expect((await call('DELETE', `/api/v1/users/kim/keys/${firstId}`, root)).statusCode).toBe(204);
      expect((await call('GET', '/api/v1/me', first)).statusCode).toBe(401);
      expect((await call('GET', '/api/v1/me', second.apiKey)).statusCode).toBe(200);
      // A key of another user cannot be revoked through this one.
      const rootKeys = (await call('GET', '/api/v1/users/root/keys', root)).json<{ items: { id: number }[] }>().items;
      expect((await call('DELETE', `/api/v1/users/kim/keys/${rootKeys[0]!.id}`, root)).statusCode).toBe(404);
      expect((await call('GET', '/api/v1/me', root)).statusCode).toBe(200);
      // Members cannot manage keys.
      expect((await call('POST', '/api/v1/users/root/keys', second.apiKey)).statusCode).toBe(403);
    });

    it('ends sessions, removes members and users', async () => {
      const key = (await call('POST', '/api/v1/users', root, { name: 'lee', teams: ['web'] })).json<{ apiKey: string }>().apiKey;
      const login = await app.inject({ method: 'POST', url: '/api/v1/login', payload: { apiKey: key } });
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      expect((await app.inject({ method: 'GET', url: '/api/v1/projects/shop', headers: { cookie } })).statusCode).toBe(200);
      expect((await call('DELETE', '/api/v1/users/lee/sessions', root)).json()).toEqual({ ended: 1 });
      expect((await app.inject({ method: 'GET', url: '/api/v1/projects/shop', headers: { cookie } })).statusCode).toBe(401);
      // Removing the membership hides the team's projects at once.
      expect((await call('GET', '/api/v1/projects/shop', key)).statusCode).toBe(200);
      expect((await call('DELETE', '/api/v1/teams/web/members/lee', root)).statusCode).toBe(204);
      expect((await call('DELETE', '/api/v1/teams/web/members/lee', root)).statusCode).toBe(404);
      expect((await call('GET', '/api/v1/projects/shop', key)).statusCode).toBe(404);
      // Removing the user ends everything it had.
      const again = await app.inject({ method: 'POST', url: '/api/v1/login', payload: { apiKey: key } });
      const cookie2 = String(again.headers['set-cookie']).split(';')[0]!;
      expect((await call('DELETE', '/api/v1/users/lee', root)).statusCode).toBe(204);
      expect((await call('GET', '/api/v1/me', key)).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: cookie2 } })).statusCode).toBe(401);
      expect((await call('GET', '/api/v1/users', root)).json<{ items: { name: string }[] }>().items.map((u) => u.name)).not.toContain('lee');
      // An admin cannot remove themselves, and the last admin stays.
      expect((await call('DELETE', '/api/v1/users/root', root)).statusCode).toBe(409);
    });

    it('keeps an audit log of admin actions, readable by admins only', async () => {
      const log = (await call('GET', '/api/v1/admin/audit?limit=500', root)).json<{ items: { actor: string; action: string; target: string; details: Record<string, unknown> | null }[] }>().items;
      const actions = log.map((e) => `${e.action} ${e.target}`).reverse();
      for (const expected of ['team.create web', 'project.create shop', 'user.create kim', 'key.create kim', 'key.revoke kim', 'user.create lee', 'session.end lee', 'team.member.remove web', 'user.remove lee']) {
        expect(actions).toContain(expected);
      }
      expect(log.every((e) => e.actor === 'root')).toBe(true);
      expect(log.find((e) => e.action === 'team.member.remove')?.details).toEqual({ user: 'lee' });
      const member = (await call('POST', '/api/v1/users', root, { name: 'max' })).json<{ apiKey: string }>().apiKey;
      expect((await call('GET', '/api/v1/admin/audit', member)).statusCode).toBe(403);
      expect((await call('GET', '/api/v1/admin/queue?state=failed', member)).statusCode).toBe(403);
    });

    it('searches names with LIKE metacharacters taken literally (q=my_app finds my_app)', async () => {
      for (const name of ['my_app', 'myXapp', 'my-app']) expect((await call('POST', '/api/v1/projects', root, { name })).statusCode).toBe(201);
      const names = async (q: string) => (await call('GET', `/api/v1/projects?q=${encodeURIComponent(q)}`, root)).json<{ items: { name: string }[] }>().items.map((p) => p.name).sort();
      expect(await names('my_app')).toEqual(['my_app']);
      expect(await names('MY_')).toEqual(['my_app']);
      expect(await names('%')).toEqual([]);
      expect(await names('\\')).toEqual([]);
      expect(await names('app')).toEqual(['my-app', 'myXapp', 'my_app'].sort());
      const pid = (await store.projects.byName('my_app'))!.id;
      const report = syntheticReport({ seed: 77, findings: 3 });
      report.findings[0]!.package.name = 'left_pad';
      report.findings[1]!.package.name = 'leftXpad';
      await store.scans.store(pid, report);
      const pkgs = (await call('GET', '/api/v1/projects/my_app/findings?package=left_pad', root)).json<{ items: { package: { name: string } }[] }>().items;
      expect(pkgs.map((f) => f.package.name)).toEqual(['left_pad']);
    });
  });
}

describe('deployment options', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore('sqlite');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('keeps the SQLite files private (0600, directory 0700) and commits with synchronous=FULL', async () => {
    const store = await Store.open(t.options);
    try {
      await store.projects.create('modes', null);
      const dir = t.options.dataDir!;
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      for (const f of ['bulwark.db', 'bulwark.db-wal', 'bulwark.db-shm']) {
        const p = path.join(dir, f);
        expect(fs.existsSync(p), f).toBe(true);
        expect((fs.statSync(p).mode & 0o777).toString(8), f).toBe('600');
      }
      const r = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
      expect(r.rows[0]?.synchronous).toBe(2); // FULL
    } finally {
      await store.close();
    }
  });

  it('says clearly which database it cannot open (never "a bug"), without the password', async () => {
    const err = await Store.open({ databaseUrl: 'postgres://bulwark:s3cret@127.0.0.1:1/nowhere' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreOpenError);
    expect(isBulwarkError(err)).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^cannot open the store at postgres:\/\/bulwark:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/);
    expect(msg).not.toContain('s3cret');
    const file = path.join(os.tmpdir(), `bulwark-not-a-dir-${process.pid}`);
    fs.writeFileSync(file, 'x');
    try {
      await expect(Store.open({ dataDir: file })).rejects.toBeInstanceOf(StoreOpenError);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('behind a trusted proxy: Secure cookie and HSTS for HTTPS requests; not trusted by default', async () => {
    for (const trustProxy of [true, false]) {
      const store = await Store.open(t.options);
      const { app } = await buildApp({ store, logger: false, worker: false, trustProxy });
      try {
        const key = newSecret(API_KEY_PREFIX);
        await store.identity.createUser(`proxy-${trustProxy}`, 'admin', key.hash);
        const login = await app.inject({ method: 'POST', url: '/api/v1/login', headers: { 'x-forwarded-proto': 'https' }, payload: { apiKey: key.secret } });
        expect(login.statusCode).toBe(200);
        expect(/;\s*Secure/.test(String(login.headers['set-cookie']))).toBe(trustProxy);
        expect(login.headers['strict-transport-security'] !== undefined).toBe(trustProxy);
        const plain = await app.inject({ method: 'POST', url: '/api/v1/login', payload: { apiKey: key.secret } });
        expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/);
        expect(plain.headers['strict-transport-security']).toBeUndefined();
      } finally {
        await app.close();
        await store.close();
      }
    }
  });

  it('serves HTTPS directly with --tls-cert/--tls-key: Secure cookie and HSTS', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const server = await startServer({ ...t.options, port: 0, logger: false, worker: false, tls: { cert: fs.readFileSync(cert), key: fs.readFileSync(keyFile) } });
    try {
      expect(server.url).toMatch(/^https:\/\//);
      const key = newSecret(API_KEY_PREFIX);
      await server.store.identity.createUser('tls-admin', 'admin', key.hash);
      const res = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
        const body = JSON.stringify({ apiKey: key.secret });
        const req = https.request(`${server.url}/api/v1/login`, { method: 'POST', ca: fs.readFileSync(cert), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => {
          r.resume();
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers }));
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(res.status).toBe(200);
      expect(String(res.headers['set-cookie'])).toMatch(/;\s*Secure/);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
