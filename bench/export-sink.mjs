#!/usr/bin/env node
// The server's export sink (issue 16): how fast the events outbox and the finding states go out as ECS documents.
//  1. a SQLite store with P projects, each one inventory of M npm packages, all matched by a mirror with an
//     advisory per package: P x M `new` events and as many findings (seeded, not measured);
//  2. ServerExporter.runOnce() over all of it, against a local HTTP server that answers _bulk like a healthy
//     cluster (every item 201; no Elasticsearch here): documents/s, requests, bytes, batch size as the server's.
//
//   npm run build && node bench/export-sink.mjs [--projects 5] [--packages 2000] [--batch 500]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import yazl from 'yazl';

const { values: args } = parseArgs({
  options: {
    projects: { type: 'string', default: '5' },
    packages: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '500' },
  },
});
const P = Number(args.projects);
const M = Number(args.packages);
const BATCH = Number(args.batch);

const dist = new URL('../dist/', import.meta.url);
if (!fs.existsSync(new URL('server/server.js', dist))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { Store } = await import(new URL('server/store/store.js', dist).href);
const { Monitor } = await import(new URL('server/monitor/monitor.js', dist).href);
const { ServerExporter } = await import(new URL('server/export/exporter.js', dist).href);
const { BulkClient } = await import(new URL('export/bulk.js', dist).href);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-export-'));
try {
  // The mirror: one advisory per package name.
  fs.mkdirSync(path.join(work, 'mirror/osv/npm'), { recursive: true });
  await new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (let i = 0; i < M; i++) {
      const rec = { schema_version: '1.6.0', id: `GHSA-bench-${i}`, modified: '2026-01-01T00:00:00Z', summary: `bench advisory ${i}`, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }], affected: [{ package: { ecosystem: 'npm', name: `bench-pkg-${i}` }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }] };
      zip.addBuffer(Buffer.from(JSON.stringify(rec)), `GHSA-bench-${i}.json`, { mtime: new Date(0) });
    }
    zip.end();
    zip.outputStream.pipe(fs.createWriteStream(path.join(work, 'mirror/osv/npm/all.zip'))).on('close', resolve).on('error', reject);
  });

  const store = await Store.open({ dataDir: path.join(work, 'data') });
  const seedStart = performance.now();
  const monitor = new Monitor(store, { cacheDir: path.join(work, 'advisory'), dbSource: path.join(work, 'mirror'), background: false });
  await monitor.refresh();
  const packages = Array.from({ length: M }, (_, i) => ({ ecosystem: 'npm', name: `bench-pkg-${i}`, version: '1.0.0', purl: `pkg:npm/bench-pkg-${i}@1.0.0`, locations: [{ path: 'package-lock.json' }], foundBy: 'lang/npm-lock', dev: false }));
  for (let p = 0; p < P; p++) {
    const projectId = await store.projects.create(`bench-${p}`, null);
    await store.scans.store(projectId, {
      schemaVersion: '1.1.0', tool: { name: 'bulwark', version: 'bench' }, createdAt: new Date().toISOString(), target: { kind: 'directory', name: 'main' }, os: null, database: null,
      packages, findings: [], unknowns: [], errors: [],
      gate: { failOn: 'NONE', includeUnfixed: false, excludeDev: false, passed: true, reason: 'fail-on none', violations: [] },
    });
  }
  await monitor.drain();
  await monitor.stop();
  const events = await store.events.count();
  console.log(`seeded ${events} events (${P} projects x ${M} packages) in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  // A healthy _bulk endpoint: counts documents and bytes, answers 201 per item.
  let requests = 0;
  let bytes = 0;
  let docs = 0;
  const cluster = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests++;
      bytes += body.length;
      const lines = body.toString('utf8').split('\n');
      const items = [];
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const meta = JSON.parse(lines[i]).index;
        items.push({ index: { _index: meta._index, _id: meta._id, status: 201, result: 'created' } });
      }
      docs += items.length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ took: 1, errors: false, items }));
    });
  });
  await new Promise((r) => cluster.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${cluster.address().port}`;

  const exporter = new ServerExporter(store, new BulkClient({ url }), { version: 'bench', batchSize: BATCH, background: false });
  const t0 = performance.now();
  const r = await exporter.runOnce();
  const secs = (performance.now() - t0) / 1000;
  console.log(`exported ${r.stored} documents (${events} events + their findings) in ${r.batches} batches of ${BATCH} events, ${requests} requests, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`${secs.toFixed(2)} s: ${Math.round(r.stored / secs)} documents/s, ${Math.round(events / secs)} events/s`);
  if (r.stored !== docs || r.stored !== 2 * events) throw new Error(`expected ${2 * events} documents, the cluster got ${docs}, the sink counted ${r.stored}`);
  cluster.close();
  await store.close();
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
