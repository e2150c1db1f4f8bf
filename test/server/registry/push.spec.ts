import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, newSecret } from '../../../src/server/auth.js';
import { SecretBox } from '../../../src/server/secret-box.js';
import { startServer } from '../../../src/server/server.js';
import type { RunningServer } from '../../../src/server/server.js';
import { BIN, runCli } from '../../support/cli.js';
import { ensureRegistries, testImage, testImagesFor } from '../../support/images.js';
import type { TestRegistries } from '../../support/images.js';
import { PG_AVAILABLE, freshStore } from '../support.js';
import type { TestStore } from '../support.js';
import type { CountingProxy } from './harness.js';
import { countingProxy, hasCommand, notifyingRegistry, run, skopeoPush, startWorker, waitFor } from './harness.js';

/**
 * Issue 15, must show: real docker-registry 2.8 instances (make-test-images.sh's plain/basic/bearer ones, and our
 * own with a `notifications:` endpoint at the Bulwark server), real `bulwark worker` processes on PostgreSQL.
 */
const IMAGES = testImagesFor('registry scan jobs');
const TOOLS = hasCommand('docker-registry') && hasCommand('skopeo');
if (IMAGES && !TOOLS) console.warn('[skip] registry scan jobs: docker-registry or skopeo missing');
if (IMAGES && !PG_AVAILABLE) console.warn('[skip] registry scan jobs: PostgreSQL unavailable');

const SECRET = 'whsec-registry-0123456789';
const KEY = crypto.randomBytes(32).toString('hex');
const MANIFEST_OCI = 'application/vnd.oci.image.manifest.v1+json';

describe.skipIf(!IMAGES || !TOOLS || !PG_AVAILABLE)('registry push -> webhook -> scan job -> stored scan', () => {
  const images = IMAGES!;
  let ts: TestStore;
  let server: RunningServer;
  let adminKey: string;
  let cacheDir: string;
  let own: { host: string; stop(): Promise<void> };
  let proxy: CountingProxy;
  let regs: TestRegistries;
  let worker: ReturnType<typeof startWorker> | undefined;
  const workerArgs = (lease: number): string[] => ['--cache-dir', cacheDir, 'worker', '--database', ts.options.databaseUrl!, '--offline', '--lease-seconds', String(lease)];

  const api = async (method: string, p: string, body?: unknown, auth = adminKey): Promise<Response> =>
    fetch(`${server.url}${p}`, { method, headers: { authorization: `Bearer ${auth}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

  const jobsOf = (image: string) => server.store.db.selectFrom('scan_jobs').selectAll().where('image', '=', image).orderBy('id').execute();

  /** The job's stored scan: done job, done ingest entry, its scan's findings as "id purl" lines. */
  const storedFindings = async (jobId: number): Promise<string[]> => {
    const { ingest_id } = await waitFor(`job ${jobId} done`, async () => {
      const j = await server.store.scanJobs.byId(jobId);
      if (j?.status === 'dead') throw new Error(`job ${jobId} is dead: ${j.error}`);
      return j?.status === 'done' ? j : undefined;
    });
    const entry = await waitFor(`ingest entry ${ingest_id} stored`, async () => {
      const e = await server.store.queue.item(ingest_id!);
      return e?.status === 'done' && e.scan_id !== null ? e : undefined;
    });
    const scan = await server.store.db.selectFrom('scans').select(['project_id', 'id']).where('id', '=', entry.scan_id!).executeTakeFirstOrThrow();
    const rows = await server.store.db.selectFrom('findings').select(['vuln_id', 'package_purl']).where('project_id', '=', scan.project_id).where('is_open', '=', 1).execute();
    return rows.map((r) => `${r.vuln_id} ${r.package_purl}`).sort();
  };

  const cliFindings = (ref: string, extra: string[] = []): string[] => {
    const r = runCli(['--cache-dir', cacheDir, 'scan', `registry:${ref}`, '--insecure', '--offline', '--format', 'json', '--fail-on', 'none', ...extra]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { findings: { id: string; package: { purl: string } }[] };
    return report.findings.map((f) => `${f.id} ${f.package.purl}`).sort();
  };

  beforeAll(async () => {
    const r = await ensureRegistries(images);
    if (!r) throw new Error('the test registries of make-test-images.sh cannot be started here');
    regs = r;
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-regjobs-'));
    const db = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', path.join(images, 'mirror'), '--ecosystem', 'Debian']);
    expect(db.code, db.stderr).toBe(0);
    ts = await freshStore('postgres');
    // The server queues; `bulwark worker` processes work the jobs.
    server = await startServer({ ...ts.options, port: 0, logger: false, registry: { box: SecretBox.fromKey(KEY) } });
    const key = newSecret(API_KEY_PREFIX);
    await server.store.identity.createUser('admin', 'admin', key.hash);
    adminKey = key.secret;
    own = await notifyingRegistry(`${server.url}/api/v1/webhooks/registry/own`, SECRET);
    proxy = await countingProxy(own.host);
    const add = await run(process.execPath, [BIN, 'registry', 'add', 'own', '--url', `http://${proxy.host}`, '--insecure', '--webhook-secret', SECRET, '--project-rule', 'app/**=pushed', '--server', server.url], { BULWARK_API_KEY: adminKey });
    expect(add.code, add.out).toBe(0);
    worker = startWorker(workerArgs(5), { BULWARK_SECRET_KEY: KEY });
  }, 300_000);

  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await proxy?.close();
    await own?.stop();
    await server?.close();
    await ts?.cleanup();
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  let pushedDigest = '';
  let pullRequests = 0;

  it('push -> the registry\'s own webhook -> job -> findings equal a CLI scan of the same digest', async () => {
    pushedDigest = await skopeoPush(images, 'multi', `${own.host}/app/debian:v1`);
    const [job] = await waitFor('the webhook to queue a job', async () => {
      const j = await jobsOf(`${proxy.host}/app/debian`);
      return j.length > 0 ? j : undefined;
    });
    expect(job!.digest).toBe(pushedDigest);
    expect(job!.source).toBe('webhook:registry');
    const stored = await storedFindings(job!.id);
    const cli = cliFindings(`${own.host}/app/debian@${pushedDigest}`);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored).toEqual(cli);
    pullRequests = proxy.requests.length;
    expect(proxy.requests.some((r) => r.includes(`/manifests/${pushedDigest}`))).toBe(true);
  }, 240_000);

  it('the same digest under a new tag: no second pull, one job; the tag history records both tags', async () => {
    const d = await skopeoPush(images, 'multi', `${own.host}/app/debian:v2`);
    expect(d).toBe(pushedDigest);
    const reg = (await server.store.registries.byName('own'))!;
    await waitFor('the v2 tag to be recorded', async () => ((await server.store.registries.tagHistory(reg.id, 'app/debian', 'v2')).length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await jobsOf(`${proxy.host}/app/debian`)).toHaveLength(1);
    expect(proxy.requests.length).toBe(pullRequests);
  }, 120_000);

  it('a moved tag is a new scan; the old digest stays in the tag history', async () => {
    const moved = await skopeoPush(images, 'extras', `${own.host}/app/debian:v1`);
    const jobs = await waitFor('a second job', async () => {
      const j = await jobsOf(`${proxy.host}/app/debian`);
      return j.length === 2 ? j : undefined;
    });
    expect(jobs[1]!.digest).toBe(moved);
    expect(await storedFindings(jobs[1]!.id)).toEqual(cliFindings(`${own.host}/app/debian@${moved}`));
    const reg = (await server.store.registries.byName('own'))!;
    expect((await server.store.registries.tagHistory(reg.id, 'app/debian', 'v1')).map((h) => h.digest)).toEqual([pushedDigest, moved]);
  }, 240_000);

  it('a wrong, missing or foreign webhook secret is refused (401) and queues nothing', async () => {
    const envelope = { events: [{ id: 'x', action: 'push', target: { mediaType: MANIFEST_OCI, digest: `sha256:${'a'.repeat(64)}`, repository: 'app/evil', tag: 'x' } }] };
    const post = (auth: string | undefined, name = 'own') =>
      fetch(`${server.url}/api/v1/webhooks/registry/${name}`, { method: 'POST', headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify(envelope) });
    expect((await post('Bearer wrong-secret-0123456789')).status).toBe(401);
    expect((await post(undefined)).status).toBe(401);
    expect((await post(`Bearer ${SECRET}`, 'nosuch')).status).toBe(401);
    expect((await post(`Bearer ${adminKey}`)).status).toBe(401);
    expect(await jobsOf(`${proxy.host}/app/evil`)).toHaveLength(0);
    // The right secret with a hostile payload: a clear 400.
    const bad = await fetch(`${server.url}/api/v1/webhooks/registry/own`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` }, body: JSON.stringify({ events: [{ action: 'push', target: { mediaType: MANIFEST_OCI, digest: 'sha256:../../etc', repository: 'app/x' } }] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/digest/);
  });

  it('basic and bearer-token registries: stored (encrypted) credentials pull; Harbor and GitLab payloads queue; the same event twice is one job', async () => {
    const multi = testImage(images, 'multi').manifestDigest;
    for (const [name, host] of [['basic', regs.basic], ['bearer', regs.bearer]] as const) {
      const res = await api('POST', '/api/v1/registries', { name, url: `http://${host}`, insecure: true, username: regs.username, password: regs.password, webhookSecret: SECRET, projectRules: [{ glob: '**', project: `${name}-images` }] });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const sealed = await server.store.db.selectFrom('registries').select(['credentials']).where('name', '=', 'basic').executeTakeFirstOrThrow();
    expect(sealed.credentials).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(sealed.credentials).not.toContain(regs.password);
    const harbor = { type: 'PUSH_ARTIFACT', occur_at: 1, operator: 'ci', event_data: { resources: [{ digest: multi, tag: 'multi', resource_url: `${regs.basic}/debian:multi` }], repository: { name: 'debian', namespace: 'library', repo_full_name: 'debian', repo_type: 'private' } } };
    const gitlab = { events: [{ id: 'e1', action: 'push', target: { mediaType: MANIFEST_OCI, digest: multi, repository: 'debian', tag: 'multi' } }] };
    const hook = (kind: string, name: string, body: unknown) => fetch(`${server.url}/api/v1/webhooks/${kind}/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` }, body: JSON.stringify(body) });
    const first = (await (await hook('harbor', 'basic', harbor)).json()) as { queued: number; known: number };
    const again = (await (await hook('harbor', 'basic', harbor)).json()) as { queued: number; known: number };
    expect([first.queued, again.queued, again.known]).toEqual([1, 0, 1]);
    expect((await hook('gitlab', 'bearer', gitlab)).status).toBe(202);
    const basicJob = (await jobsOf(`${regs.basic}/debian`))[0]!;
    const bearerJob = (await jobsOf(`${regs.bearer}/debian`))[0]!;
    const expected = cliFindings(`${regs.plain}/debian@${multi}`);
    expect(await storedFindings(basicJob.id)).toEqual(expected);
    expect(await storedFindings(bearerJob.id)).toEqual(expected);
  }, 240_000);

  it('a worker killed mid-job: the job is retried by another worker and stored once', async () => {
    worker!.child.kill('SIGTERM');
    await worker!.exited;
    worker = undefined;
    proxy.hold = true;
    const held = new Promise<void>((r) => (proxy.onHeld = r));
    const digest = await skopeoPush(images, 'opaque', `${own.host}/app/killme:v1`);
    const a = startWorker(workerArgs(2), { BULWARK_SECRET_KEY: KEY });
    await held; // worker A claimed the job and is pulling a blob
    const [job] = await jobsOf(`${proxy.host}/app/killme`);
    expect(job!.status).toBe('processing');
    a.child.kill('SIGKILL');
    await a.exited;
    proxy.release();
    const b = startWorker(workerArgs(2), { BULWARK_SECRET_KEY: KEY });
    try {
      expect(await storedFindings(job!.id)).toEqual(cliFindings(`${own.host}/app/killme@${digest}`));
      const done = (await server.store.scanJobs.byId(job!.id))!;
      expect(done.attempts).toBe(2);
      const entries = await server.store.db.selectFrom('ingest_queue').select(['id']).where('idempotency_key', '=', `scan-job:${job!.id}`).execute();
      expect(entries).toHaveLength(1);
      const scans = await server.store.db.selectFrom('scans').select(['id']).where('queue_id', '=', entries[0]!.id).execute();
      expect(scans).toHaveLength(1);
    } finally {
      b.child.kill('SIGTERM');
      await b.exited;
    }
  }, 240_000);

  it('two `bulwark worker` processes on one PostgreSQL never take the same job', async () => {
    const res = await api('POST', '/api/v1/registries', { name: 'plain', url: `http://${regs.plain}`, insecure: true, webhookSecret: SECRET, projectRules: [{ glob: 'debian', project: 'plain-images' }] });
    expect(res.status).toBe(201);
    const w1 = startWorker(workerArgs(30), { BULWARK_SECRET_KEY: KEY });
    const w2 = startWorker(workerArgs(30), { BULWARK_SECRET_KEY: KEY });
    try {
      const events = ['minbase', 'extras', 'multi', 'opaque'].map((tag, i) => ({ id: `ev${i}`, action: 'push', target: { mediaType: MANIFEST_OCI, digest: testImage(images, tag).manifestDigest, repository: 'debian', tag } }));
      const hook = await fetch(`${server.url}/api/v1/webhooks/registry/plain`, { method: 'POST', headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json', authorization: `Bearer ${SECRET}` }, body: JSON.stringify({ events }) });
      expect(((await hook.json()) as { queued: number }).queued).toBe(4);
      const jobs = await jobsOf(`${regs.plain}/debian`);
      for (const j of jobs) await storedFindings(j.id);
      for (const j of await jobsOf(`${regs.plain}/debian`)) {
        expect(j.attempts).toBe(1);
        const taken = [w1.output(), w2.output()].filter((o) => o.includes(`scan job ${j.id} `));
        expect(taken).toHaveLength(1);
      }
    } finally {
      w1.child.kill('SIGTERM');
      w2.child.kill('SIGTERM');
      await Promise.all([w1.exited, w2.exited]);
    }
  }, 300_000);
});
