#!/usr/bin/env node
// Continuous-monitoring benchmark on PostgreSQL (issue 13):
//  1. N projects x M packages each (one current inventory per project), seeded in SQL;
//  2. the server's advisory database built from mirror A (advisories for 1 % of the keys), matched everywhere;
//  3. mirror B adds advisories for another 1 % of the keys: the time from the refresh to every re-match job done
//     and its events written, with W workers leasing jobs (SKIP LOCKED);
//  4. while (3) runs, reports of ~1,000 findings are stored (ScanRepository.store, the worker's write path) in a
//     loop: stored reports per second.
//
//   npm run build && node bench/monitor.mjs [--projects 1000] [--packages 1000] [--workers 4] [--keep]
//
// PostgreSQL: BULWARK_BENCH_PG or BULWARK_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres); a database
// bulwark_bench_<random> is created and dropped afterwards.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import yazl from 'yazl';

const { values: args } = parseArgs({
  options: {
    projects: { type: 'string', default: '1000' },
    packages: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});
const P = Number(args.projects);
const M = Number(args.packages);
const W = Number(args.workers);
const POOL = 20 * M; // package names; each project holds a window of M of them

const dist = new URL('../dist/server/', import.meta.url);
if (!fs.existsSync(new URL('server.js', dist))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { Store } = await import(new URL('store/store.js', dist).href);
const { Monitor } = await import(new URL('monitor/monitor.js', dist).href);
const { syntheticReport } = await import(new URL('synthetic.js', dist).href);

const ADMIN_URL = process.env.BULWARK_BENCH_PG ?? process.env.BULWARK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `bulwark_bench_${crypto.randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${dbName}`);
const url = new URL(ADMIN_URL);
url.pathname = '/' + dbName;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-monitor-'));

async function writeMirror(dir, keys, tag) {
  fs.mkdirSync(path.join(dir, 'osv', 'npm'), { recursive: true });
  const zip = new yazl.ZipFile();
  for (const k of keys) {
    const id = `GHSA-${tag}-${k}`;
    const rec = {
      schema_version: '1.6.0',
      id,
      modified: '2026-01-01T00:00:00Z',
      summary: `bench advisory ${id}`,
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
      affected: [{ package: { ecosystem: 'npm', name: `pkg-${k}` }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }],
    };
    zip.addBuffer(Buffer.from(JSON.stringify(rec)), `${id}.json`, { mtime: new Date(0) });
  }
  zip.end();
  await new Promise((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(path.join(dir, 'osv', 'npm', 'all.zip'))).on('close', resolve).on('error', reject));
  return dir;
}

const t = (s) => `${(s / 1000).toFixed(2)} s`;
let store;
try {
  store = await Store.open({ databaseUrl: url.toString(), poolSize: W + 4 });
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  let t0 = performance.now();
  await db.query(`insert into projects (name, team_id, created_at) select 'bench-' || g, null, now()::text from generate_series(1, $1) g`, [P]);
  await db.query(
    `insert into scans (project_id, queue_id, report_created_at, received_at, target_kind, target_name, tool_version, schema_version, gate_passed, gate_fail_on, gate_profile, gate_reason,
                        package_count, finding_count, open_critical, open_high, open_medium, open_low, open_unknown, suppressed_count, fixable_count, worst_rank)
     select id, null, now()::text, now()::text, 'directory', 'main', 'bench', '1.1.0', 1, 'HIGH', null, 'seeded', $1, 0, 0, 0, 0, 0, 0, 0, 0, 0 from projects`,
    [M],
  );
  await db.query(`insert into inventories (project_id, target, scan_id, updated_at) select project_id, 'main', id, now()::text from scans`);
  await db.query(
    `insert into scan_packages (scan_id, ecosystem, key_name, name, version, purl, data)
     select s.id, 'npm', 'pkg-' || ((s.project_id * 997 + i) % $2), 'pkg-' || ((s.project_id * 997 + i) % $2), '1.0.0',
            'pkg:npm/pkg-' || ((s.project_id * 997 + i) % $2) || '@1.0.0',
            '{"ecosystem":"npm","name":"pkg-' || ((s.project_id * 997 + i) % $2) || '","version":"1.0.0","purl":"pkg:npm/pkg-' || ((s.project_id * 997 + i) % $2) || '@1.0.0","locations":[],"foundBy":"bench"}'
       from scans s cross join generate_series(0, $1 - 1) i`,
    [M, POOL],
  );
  await db.query('analyze');
  console.log(`seeded ${P} projects x ${M} packages (${P * M} inventory rows, ${POOL} distinct keys) in ${t(performance.now() - t0)}`);

  const keysA = [];
  const keysB = [];
  for (let k = 0; k < POOL; k++) {
    if (k % 100 === 50) keysA.push(k);
    if (k % 100 === 0) keysB.push(k);
  }
  const mirrorA = await writeMirror(path.join(work, 'a'), keysA, 'a');
  const mirrorB = await writeMirror(path.join(work, 'b'), [...keysA], 'a');
  // Mirror B: A's advisories plus 1 % of the keys more.
  {
    fs.rmSync(mirrorB, { recursive: true, force: true });
    fs.mkdirSync(path.join(mirrorB, 'osv', 'npm'), { recursive: true });
    const zip = new yazl.ZipFile();
    for (const [tag, keys] of [['a', keysA], ['b', keysB]]) {
      for (const k of keys) {
        const id = `GHSA-${tag}-${k}`;
        const rec = {
          schema_version: '1.6.0',
          id,
          modified: '2026-01-01T00:00:00Z',
          summary: `bench advisory ${id}`,
          severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
          affected: [{ package: { ecosystem: 'npm', name: `pkg-${k}` }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }],
        };
        zip.addBuffer(Buffer.from(JSON.stringify(rec)), `${id}.json`, { mtime: new Date(0) });
      }
    }
    zip.end();
    await new Promise((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(path.join(mirrorB, 'osv', 'npm', 'all.zip'))).on('close', resolve).on('error', reject));
  }

  const cacheDir = path.join(work, 'advisory');
  const monitors = Array.from({ length: W }, () => new Monitor(store, { cacheDir, dbSource: mirrorA, dbEcosystems: ['npm'], background: false, batchSize: 20 }));
  const drainAll = () => Promise.all(monitors.map(async (m) => { await m.start(); return m.drain(); }));
  t0 = performance.now();
  const a = await monitors[0].refresh();
  await drainAll();
  console.log(`mirror A (${keysA.length} advisories, ${a.keys} keys, 1 % of them): ${a.inventories} inventories matched, ${await store.events.count()} events, ${t(performance.now() - t0)}`);

  // Ingestion alone first: reports of ~1,000 findings stored into other projects (4 lanes), for a baseline.
  const ingestProjects = [];
  for (let i = 0; i < 20; i++) ingestProjects.push(await store.projects.create(`ingest-${i}`, null));
  // Package names apart from the bench's keys, so that ingestion does not change what the refresh touches.
  const reports = Array.from({ length: 20 }, (_, i) => {
    const r = syntheticReport({ seed: 1000 + i, findings: 1000 });
    for (const p of r.packages) p.name = p.name.replace('pkg-', 'ing-');
    for (const f of r.findings) f.package.name = f.package.name.replace('pkg-', 'ing-');
    return r;
  });
  let stored = 0;
  let ingesting = true;
  const ingestLoop = () =>
    Promise.all(
      Array.from({ length: 4 }, async (_, lane) => {
        for (let i = lane; ingesting; i += 4) {
          await store.scans.store(ingestProjects[i % 20], reports[i % 20]);
          stored++;
        }
      }),
    );
  {
    const t1 = performance.now();
    const loop = ingestLoop();
    await new Promise((r) => setTimeout(r, 10_000));
    ingesting = false;
    await loop;
    const s1 = (performance.now() - t1) / 1000;
    console.log(`ingestion alone: ${stored} reports of 1,000 findings in ${s1.toFixed(1)} s = ${(stored / s1).toFixed(1)} reports/s`);
    // Their server-side matches (scan jobs) are done before the refresh is timed.
    await drainAll();
  }

  const held = await db.query(
    `select count(distinct i.id)::int n from inventories i join scan_packages sp on sp.scan_id = i.scan_id where sp.ecosystem = 'npm' and sp.key_name = any($1)`,
    [keysB.map((k) => `pkg-${k}`)],
  );
  for (const m of monitors) m.opts.dbSource = mirrorB;
  stored = 0;
  ingesting = true;
  const ingestT0 = performance.now();
  const ingest = ingestLoop();
  t0 = performance.now();
  const b = await monitors[0].refresh();
  const tRefresh = performance.now() - t0;
  // Workers lease jobs until this refresh's are all done (scan jobs of the concurrent uploads interleave).
  let refreshDone = false;
  const workers = monitors.map(async (m) => {
    while (!refreshDone) if ((await m.processBatch()) === 0) await new Promise((r) => setTimeout(r, 20));
  });
  for (;;) {
    const c = await store.monitor.jobCounts(b.refreshId);
    if ((c.done ?? 0) + (c.failed ?? 0) >= b.inventories) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const tAll = performance.now() - t0;
  refreshDone = true;
  await Promise.all(workers);
  ingesting = false;
  await ingest;
  const ingestS = (performance.now() - ingestT0) / 1000;
  const events = await db.query(`select count(*)::int n from events where payload like $1`, [`%"cause":{"kind":"db-refresh","id":"${b.refreshId}"}%`]);
  console.log(`mirror B (+${b.added} advisories, ${b.keys} keys = ${((b.keys / POOL) * 100).toFixed(1)} % of ${POOL}):`);
  console.log(`  refresh (update + diff + jobs by join): ${t(tRefresh)}; inventories re-matched ${b.inventories} (holding the keys, counted apart: ${held.rows[0].n})`);
  console.log(`  fully re-matched, ${events.rows[0].n} events written: ${t(tAll)} with ${W} workers`);
  console.log(`  ingestion meanwhile: ${stored} reports of 1,000 findings in ${ingestS.toFixed(1)} s = ${(stored / ingestS).toFixed(1)} reports/s`);
  await db.end();
} finally {
  await store?.close();
  if (!args.keep) await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  fs.rmSync(work, { recursive: true, force: true });
}
