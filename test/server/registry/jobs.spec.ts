import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, newSecret } from '../../../src/server/auth.js';
import { watchRegistry } from '../../../src/server/registry/watch.js';
import { startServer } from '../../../src/server/server.js';
import { runCli } from '../../support/cli.js';
import { waitFor } from './harness.js';
import { hashSecret } from '../../../src/server/registry/secrets.js';
import { Store } from '../../../src/server/store/store.js';
import { ensureRegistries, testImage, testImages, testImagesFor } from '../../support/images.js';
import { ENGINES, freshStore } from '../support.js';
import type { TestStore } from '../support.js';

const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

describe.each(ENGINES)('scan job queue ($engine)', ({ engine, skip }) => {
  let ts: TestStore | undefined;
  const stores: Store[] = [];
  const open = async (): Promise<Store> => {
    ts ??= await freshStore(engine);
    const s = await Store.open(ts.options);
    stores.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await ts?.cleanup();
    ts = undefined;
  });

  const job = async (s: Store, n: number) => {
    const pid = (await s.projects.byName('p'))?.id ?? (await s.projects.create('p', null));
    return s.scanJobs.enqueue({ registryId: null, image: 'r/app', repository: 'app', digest: D(n), projectId: pid, source: 'api' });
  };

  it.skipIf(skip)('one job per image and digest; back-off after a failure; dead after the last attempt; requeue', async () => {
    const s = await open();
    const a = await job(s, 1);
    const b = await job(s, 1);
    expect([a.created, b.created, b.id]).toEqual([true, false, a.id]);
    const c1 = (await s.scanJobs.claim('w1', 60_000))!;
    expect(c1.id).toBe(a.id);
    expect(await s.scanJobs.claim('w2', 60_000)).toBeUndefined(); // leased
    expect(await s.scanJobs.fail(c1, 'boom', { maxAttempts: 2, baseBackoffMs: 60_000 })).toBe('queued');
    expect(await s.scanJobs.claim('w2', 60_000)).toBeUndefined(); // backing off
    await s.db.updateTable('scan_jobs').set({ next_attempt_at: new Date(Date.now() - 1).toISOString() }).execute();
    const c2 = (await s.scanJobs.claim('w2', 60_000))!;
    expect(c2.attempts).toBe(2);
    expect(await s.scanJobs.fail(c2, 'boom again', { maxAttempts: 2, baseBackoffMs: 10 })).toBe('dead');
    expect((await s.scanJobs.byId(a.id))!.status).toBe('dead');
    expect(await s.scanJobs.claim('w3', 60_000)).toBeUndefined();
    expect(await s.scanJobs.requeue(a.id)).toBe(true);
    expect((await s.scanJobs.claim('w3', 60_000))!.attempts).toBe(1);
  });

  it.skipIf(skip)('an expired lease is taken over; the old owner can no longer complete', async () => {
    const s = await open();
    await job(s, 2);
    const first = (await s.scanJobs.claim('dead-worker', 1))!;
    await new Promise((r) => setTimeout(r, 20));
    const second = (await s.scanJobs.claim('live-worker', 60_000))!;
    expect(second.id).toBe(first.id);
    expect(await s.scanJobs.complete(first, 1)).toBe(false);
    expect(await s.scanJobs.renew(first, 60_000)).toBe(false);
    expect(await s.scanJobs.complete(second, 1)).toBe(true);
  });

  it.skipIf(skip || engine !== 'postgres')('concurrent claimers over separate pools never take the same job (SKIP LOCKED)', async () => {
    const seed = await open();
    for (let i = 0; i < 60; i++) await job(seed, 100 + i);
    const claimers = await Promise.all([open(), open(), open(), open()]);
    const taken: number[] = [];
    await Promise.all(
      claimers.map(async (s, w) => {
        for (;;) {
          const j = await s.scanJobs.claim(`w${w}`, 60_000);
          if (!j) return;
          taken.push(j.id);
        }
      }),
    );
    expect(taken).toHaveLength(60);
    expect(new Set(taken).size).toBe(60);
  });
});

const IMAGES = testImagesFor('registry watch');

describe.skipIf(!IMAGES)('registry watch (catalog + tags list) against the plain test registry', () => {
  it('queues each tag digest once; a second listing queues nothing', async () => {
    const regs = await ensureRegistries(IMAGES!);
    if (!regs) throw new Error('the test registries cannot be started here');
    const ts = await freshStore('sqlite');
    const s = await Store.open(ts.options);
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-watch-'));
    try {
      const row = await s.registries.create({ name: 'plain', url: regs.plain, insecure: true, credentials: null, webhookSecretHash: hashSecret('x'.repeat(16)), projectRules: JSON.stringify([{ glob: 'debian', project: 'deb' }]), watchIntervalS: 60 });
      const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
      const n = await watchRegistry(s, row, { box: undefined, log, cacheDir });
      const jobs = await s.scanJobs.list(1000);
      expect(n).toBe(jobs.length);
      const digests = new Set(jobs.map((j) => j.digest));
      for (const img of testImages(IMAGES!)) expect(digests.has(img.manifestDigest)).toBe(true);
      expect(await watchRegistry(s, row, { box: undefined, log, cacheDir })).toBe(0);
      expect((await s.registries.byId(row.id))!.last_watch_at).not.toBeNull();
    } finally {
      await s.close();
      await ts.cleanup();
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!IMAGES)('bulwark server with in-process scan jobs', () => {
  it('registry API + webhook -> the server\'s own job worker -> stored scan; GET /api/v1/scan-jobs', async () => {
    const regs = await ensureRegistries(IMAGES!);
    if (!regs) throw new Error('the test registries cannot be started here');
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-inproc-'));
    const db = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', path.join(IMAGES!, 'mirror'), '--ecosystem', 'Debian']);
    expect(db.code, db.stderr).toBe(0);
    const ts = await freshStore('sqlite');
    const server = await startServer({ ...ts.options, port: 0, logger: false, registry: { jobs: { cacheDir, offline: true }, watchTickMs: 0 } });
    try {
      const key = newSecret(API_KEY_PREFIX);
      await server.store.identity.createUser('admin', 'admin', key.hash);
      const h = { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' };
      const secret = 'in-process-secret-0123';
      // Credentials without BULWARK_SECRET_KEY on the server: refused, nothing stored in clear.
      const noKey = await fetch(`${server.url}/api/v1/registries`, { method: 'POST', headers: h, body: JSON.stringify({ name: 'x', url: `http://${regs.basic}`, insecure: true, username: 'u', password: 'p', webhookSecret: secret, projectRules: [{ glob: '**', project: 'x' }] }) });
      expect(noKey.status).toBe(400);
      expect(((await noKey.json()) as { error: { message: string } }).error.message).toMatch(/BULWARK_SECRET_KEY/);
      const add = await fetch(`${server.url}/api/v1/registries`, { method: 'POST', headers: h, body: JSON.stringify({ name: 'plain', url: `http://${regs.plain}`, insecure: true, webhookSecret: secret, projectRules: [{ glob: 'debian', project: 'inproc' }] }) });
      expect(add.status).toBe(201);
      const member = await fetch(`${server.url}/api/v1/registries`, { headers: { authorization: 'Bearer bwk_nope' } });
      expect(member.status).toBe(401);
      const digest = testImage(IMAGES!, 'minbase').manifestDigest;
      const hook = await fetch(`${server.url}/api/v1/webhooks/registry/plain`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify({ events: [{ action: 'push', target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, repository: 'debian', tag: 'minbase' } }] }) });
      expect(hook.status).toBe(202);
      const jobs = await waitFor('the in-process job to finish', async () => {
        const r = (await (await fetch(`${server.url}/api/v1/scan-jobs`, { headers: h })).json()) as { items: { status: string; ingestId: number | null }[]; counts: Record<string, number> };
        return r.counts.done === 1 ? r : undefined;
      });
      const entry = await waitFor('the report to be stored', async () => {
        const e = await server.store.queue.item(jobs.items[0]!.ingestId!);
        return e?.status === 'done' ? e : undefined;
      });
      const scan = await server.store.db.selectFrom('scans').select(['target_name', 'package_count']).where('id', '=', entry.scan_id!).executeTakeFirstOrThrow();
      expect(scan.target_name).toContain(digest);
      expect(scan.package_count).toBe(testImage(IMAGES!, 'minbase').dpkgPackages);
    } finally {
      await server.close();
      await ts.cleanup();
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 180_000);
});
