// Image scan jobs per minute: the four test images (minbase, extras, multi, opaque; extras/multi/opaque share
// minbase's base layer) queued as jobs against the plain test registry and worked by one ScanJobWorker.
//   npm run build && BULWARK_TEST_IMAGES=/var/cache/bulwark-ci/images node bench/registry-jobs.mjs [--runs 2]
// Each scenario starts from an empty cache (blobs + layer cache) holding only the advisory database, so the
// registry pulls are in the figures too:
//   shared base layer: the per-layer cache on, so the base layer is read once and hit by the three others;
//   no layer cache:    every image reads every layer (noLayerCache), as if no layer were shared.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../dist/server/store/store.js';
import { ScanJobWorker } from '../dist/server/registry/job-worker.js';
import { hashSecret } from '../dist/server/registry/secrets.js';

const images = process.env.BULWARK_TEST_IMAGES ?? '/tmp/bulwark-images';
const runs = process.argv.includes('--runs') ? Number(process.argv[process.argv.indexOf('--runs') + 1]) : 2;
const registry = `127.0.0.1:${Number(process.env.TEST_REGISTRY_PORT ?? 5000)}`;
const list = JSON.parse(fs.readFileSync(path.join(images, 'images.json'), 'utf8')).images.filter((i) => ['minbase', 'extras', 'multi', 'opaque'].includes(i.tag));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-jobs-'));
const dbCache = path.join(work, 'db-cache');
execFileSync(process.execPath, ['bin/bulwark.js', '--cache-dir', dbCache, 'db', 'update', '--source', path.join(images, 'mirror'), '--ecosystem', 'Debian'], { stdio: 'ignore' });

async function scenario(noLayerCache) {
  const dir = fs.mkdtempSync(path.join(work, 'run-'));
  const cacheDir = path.join(dir, 'cache');
  fs.cpSync(path.join(dbCache, 'db'), path.join(cacheDir, 'db'), { recursive: true });
  const store = await Store.open({ dataDir: path.join(dir, 'data') });
  const row = await store.registries.create({ name: 'plain', url: registry, insecure: true, credentials: null, webhookSecretHash: hashSecret('x'.repeat(16)), projectRules: JSON.stringify([{ glob: '**', project: 'bench' }]), watchIntervalS: null });
  const pid = await store.projects.create('bench', null);
  for (const i of list) await store.scanJobs.enqueue({ registryId: row.id, image: `${registry}/debian`, repository: 'debian', digest: i.manifestDigest, projectId: pid, source: 'api' });
  let hits = 0;
  let layers = 0;
  const log = { debug: (m) => { if (/^layer /.test(m)) { layers++; if (m.includes('(cached)')) hits++; } }, info() {}, warn() {}, error: (m) => console.error(m) };
  const worker = new ScanJobWorker(store, { cacheDir, offline: true, noLayerCache, box: undefined, log });
  const t0 = process.hrtime.bigint();
  const n = await worker.drain();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const dead = (await store.scanJobs.stats()).dead ?? 0;
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { n, s, hits, layers, dead };
}

console.log(`| scenario | run | jobs | seconds | jobs/min | layers | of them from the layer cache |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const [label, off] of [['shared base layer (layer cache on)', false], ['no layer cache', true]]) {
  for (let r = 1; r <= runs; r++) {
    const m = await scenario(off);
    if (m.dead > 0) throw new Error(`${m.dead} job(s) failed`);
    console.log(`| ${label} | ${r} | ${m.n} | ${m.s.toFixed(2)} | ${((m.n / m.s) * 60).toFixed(1)} | ${m.layers} | ${m.hits} |`);
  }
}
fs.rmSync(work, { recursive: true, force: true });
