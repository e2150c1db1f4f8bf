import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K8sCollector } from '../../../src/server/k8s/collector.js';
import { loadKubeConfig } from '../../../src/server/k8s/kubeconfig.js';
import { parseImageId } from '../../../src/server/k8s/inventory.js';
import { ScanJobWorker } from '../../../src/server/registry/job-worker.js';
import { hashSecret } from '../../../src/server/registry/secrets.js';
import { Store } from '../../../src/server/store/store.js';
import { IngestWorker } from '../../../src/server/worker.js';
import { BIN, runCli } from '../../support/cli.js';
import { ensureRegistries, testImage, testImagesFor } from '../../support/images.js';
import { freshStore } from '../support.js';
import type { TestStore } from '../support.js';
import type { FakeKube } from './fake-kube.js';
import { fakeKube, owned, pod } from './fake-kube.js';
import { run, waitFor } from './harness.js';

describe('imageID -> digest', () => {
  const d = `sha256:${'e'.repeat(64)}`;
  it('containerd, CRI-O and dockershim forms; a local image id has no repository digest', () => {
    expect(parseImageId(`docker.io/library/nginx@${d}`)).toEqual({ registry: 'docker.io', repository: 'library/nginx', digest: d });
    expect(parseImageId(`docker-pullable://nginx@${d}`)).toEqual({ registry: 'docker.io', repository: 'library/nginx', digest: d });
    expect(parseImageId(`127.0.0.1:5000/team/app@${d}`)).toEqual({ registry: '127.0.0.1:5000', repository: 'team/app', digest: d });
    expect(parseImageId(d)).toBeUndefined();
    expect(parseImageId('docker://sha256:abc')).toBeUndefined();
    expect(parseImageId('nginx@sha256:short')).toBeUndefined();
  });
});

const IMAGES = testImagesFor('kubernetes collector');
const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** The collector against a local HTTP server that serves the Kubernetes API's list and watch responses (no cluster here). */
describe.skipIf(!IMAGES)('kubernetes inventory and collector (local Kubernetes API stand-in, real registry images)', () => {
  let kube: FakeKube;
  let ts: TestStore;
  let store: Store;
  let cacheDir: string;
  let plain: string;
  const ref = (tag: string) => `${plain}/debian@${testImage(IMAGES!, tag).manifestDigest}`;

  beforeAll(async () => {
    const regs = await ensureRegistries(IMAGES!);
    if (!regs) throw new Error('the test registries cannot be started here');
    plain = regs.plain;
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-k8s-'));
    const db = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', path.join(IMAGES!, 'mirror'), '--ecosystem', 'Debian']);
    expect(db.code, db.stderr).toBe(0);
    const dep = { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' };
    const rs = { kind: 'ReplicaSet', name: 'web-7d9f8', apiVersion: 'apps/v1' };
    const cron = { kind: 'CronJob', name: 'backup', apiVersion: 'batch/v1' };
    kube = await fakeKube({
      replicasets: [owned('shop', 'web-7d9f8', dep)],
      jobs: [owned('ops', 'backup-28912345', cron), owned('ops', 'migrate', undefined)],
      pods: [
        pod('shop', 'web-7d9f8-abcde', rs, [
          { name: 'app', image: `${plain}/debian:multi`, imageID: ref('multi') },
          { name: 'sidecar', image: `${plain}/debian:extras`, imageID: ref('extras') },
        ]),
        pod('shop', 'web-7d9f8-fghij', rs, [
          { name: 'app', image: `${plain}/debian:multi`, imageID: ref('multi') },
          { name: 'sidecar', image: `${plain}/debian:extras`, imageID: ref('extras') },
        ]),
        pod('shop', 'db-0', { kind: 'StatefulSet', name: 'db', apiVersion: 'apps/v1' }, [{ name: 'db', image: `${plain}/debian:minbase`, imageID: ref('minbase') }]),
        pod('kube-system', 'agent-x2k4p', { kind: 'DaemonSet', name: 'agent', apiVersion: 'apps/v1' }, [{ name: 'agent', image: `${plain}/debian:minbase`, imageID: ref('minbase') }]),
        pod('ops', 'backup-28912345-q7x', { kind: 'Job', name: 'backup-28912345', apiVersion: 'batch/v1' }, [{ name: 'backup', image: `${plain}/debian:extras`, imageID: ref('extras') }]),
        pod('ops', 'migrate-z9', { kind: 'Job', name: 'migrate', apiVersion: 'batch/v1' }, [{ name: 'migrate', image: `${plain}/debian:multi`, imageID: ref('multi') }]),
        pod('ops', 'debug', undefined, [{ name: 'sh', image: 'local-build:dev', imageID: `sha256:${'f'.repeat(64)}` }]),
        pod('shop', 'web-new-pending', rs, [{ name: 'app', image: `${plain}/debian:multi`, imageID: null }]),
      ],
    });
    ts = await freshStore('sqlite');
    store = await Store.open(ts.options);
  }, 120_000);

  afterAll(async () => {
    await kube?.close();
    await store?.close();
    await ts?.cleanup();
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('`bulwark k8s inventory` resolves each container to its workload and digest, following list pagination', async () => {
    const r = await run(process.execPath, [BIN, 'k8s', 'inventory', '--kubeconfig', kube.kubeconfig, '--format', 'json']);
    expect(r.code, r.out).toBe(0);
    const { containers } = JSON.parse(r.out.slice(r.out.indexOf('{'), r.out.lastIndexOf('}') + 1)) as { containers: { namespace: string; workload: { kind: string; name: string }; container: string; digest: string | null; unresolved?: string }[] };
    const line = (c: (typeof containers)[number]) => `${c.namespace} ${c.workload.kind}/${c.workload.name} ${c.container} ${c.digest ?? 'none'}`;
    expect(containers.map(line)).toEqual([
      `shop Deployment/web app ${testImage(IMAGES!, 'multi').manifestDigest}`,
      `shop Deployment/web sidecar ${testImage(IMAGES!, 'extras').manifestDigest}`,
      `shop Deployment/web app ${testImage(IMAGES!, 'multi').manifestDigest}`,
      `shop Deployment/web sidecar ${testImage(IMAGES!, 'extras').manifestDigest}`,
      `shop StatefulSet/db db ${testImage(IMAGES!, 'minbase').manifestDigest}`,
      `kube-system DaemonSet/agent agent ${testImage(IMAGES!, 'minbase').manifestDigest}`,
      `ops CronJob/backup backup ${testImage(IMAGES!, 'extras').manifestDigest}`,
      `ops Job/migrate migrate ${testImage(IMAGES!, 'multi').manifestDigest}`,
      'ops Pod/debug sh none',
      'shop Deployment/web app none',
    ]);
    expect(containers[8]!.unresolved).toMatch(/local image/);
    expect(containers[9]!.unresolved).toMatch(/not started/);
    expect(kube.requests.some((q) => q.includes('continue=page2'))).toBe(true);
  });

  it('the collector queues each digest once, picks up a watched new pod, and findings map back to namespace/workload/container', async () => {
    await store.registries.create({ name: 'plain', url: plain, insecure: true, credentials: null, webhookSecretHash: hashSecret('s'.repeat(16)), projectRules: JSON.stringify([{ glob: 'debian', project: 'runtime' }]), watchIntervalS: null });
    const collector = new K8sCollector(store, loadKubeConfig({ kubeconfig: kube.kubeconfig }), { cluster: 'test', project: 'k8s-other', log, intervalMs: 3600_000 });
    await collector.start();
    try {
      expect((await store.scanJobs.list()).map((j) => j.digest).sort()).toEqual(['minbase', 'extras', 'multi'].map((t) => testImage(IMAGES!, t).manifestDigest).sort());
      await waitFor('the pod watch to open', async () => kube.requests.some((q) => q.includes('watch=true')));
      kube.emit('ADDED', pod('shop', 'late', undefined, [{ name: 'late', image: `${plain}/debian:opaque`, imageID: ref('opaque') }]));
      await waitFor('the watched pod to be collected', async () => ((await store.scanJobs.list()).length === 4 ? true : undefined), 20_000);
    } finally {
      await collector.stop();
    }
    const jobs = new ScanJobWorker(store, { cacheDir, offline: true, box: undefined, log });
    expect(await jobs.drain()).toBe(4);
    await new IngestWorker(store).drain();
    const rows = await store.k8sWorkloads.list();
    const by = (ns: string, w: string, c: string) => rows.find((r) => r.namespace === ns && r.workload.name === w && r.container === c)!;
    for (const r of rows) {
      expect(r.job?.status, `${r.namespace}/${r.workload.name}/${r.container}`).toBe('done');
      expect(r.scan?.project).toBe('runtime');
    }
    expect(by('shop', 'web', 'app').scan!.findings).toBeGreaterThan(0);
    expect(by('shop', 'web', 'app').scan!.id).toBe(by('ops', 'migrate', 'migrate').scan!.id); // same digest, one scan
    expect(by('shop', 'late', 'late').digest).toBe(testImage(IMAGES!, 'opaque').manifestDigest);
    expect(rows).toHaveLength(7); // 8 containers with a digest, the two web pods share workload/container/digest rows
  }, 240_000);
});
