#!/usr/bin/env node
// Continuous-monitoring benchmark on PostgreSQL (issue 13), as a deployment runs it: the server's refreshes in
// this process, re-match jobs worked by W `bulwark worker --rematch` processes (the server's --rematch-workers 0),
// reports stored by L ingestion processes, all on one PostgreSQL.
//  1. N projects x M packages each (one current inventory per project), seeded in SQL;
//  2. the server's advisory database built from mirror A (advisories for 1 % of the keys), matched everywhere;
//  3. per run: ingestion alone for 10 s (L processes storing reports of ~1,000 findings with ScanRepository.store,
//     the ingestion worker's write path; no re-match worker running), stored reports/s; then, with the W workers
//     started, a mirror adding advisories for another 1 % of the keys: the time from the refresh to every re-match
//     job done and its events written, while the L processes keep storing reports: stored reports/s during the
//     re-match. A stored report whose inventory changed (--changed: the fraction of reports that bump one
//     dependency; the others are the project's report again, as CI re-scanning unchanged code) also queues its own
//     match (a `scan` job, after the refresh's jobs): the time the workers then take for those is printed apart;
//  4. median and spread over the runs, with the load average (the machine is shared).
//
//   npm run build && node bench/monitor.mjs [--projects 1000] [--packages 1000] [--workers 4] [--ingest 4] [--changed 0.1] [--worker-nice 4] [--runs 3] [--keep]
// (--worker-nice: the re-match workers' `bulwark worker --nice`, background work yielding the cores to ingestion; 0: none)
//
// PostgreSQL: BULWARK_BENCH_PG or BULWARK_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres); a database
// bulwark_bench_<random> is created and dropped afterwards.
import { fork, spawn } from 'node:child_process';
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
    ingest: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    changed: { type: 'string', default: '0.1' },
    'worker-nice': { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});
const P = Number(args.projects);
const M = Number(args.packages);
const W = Number(args.workers);
const L = Number(args.ingest);
const RUNS = Number(args.runs);
const POOL = 20 * M; // package names; each project holds a window of M of them
const LANE_PROJECTS = 5;

const dist = new URL('../dist/server/', import.meta.url);
const bin = new URL('../bin/bulwark.js', import.meta.url);
if (!fs.existsSync(new URL('server.js', dist)) || !fs.existsSync(new URL('../bundle/main.js', import.meta.url))) {
  console.error('dist/ or bundle/ is missing: run `npm run build` first');
  process.exit(2);
}
const { Store } = await import(new URL('store/store.js', dist).href);
const { Monitor } = await import(new URL('monitor/monitor.js', dist).href);

const ADMIN_URL = process.env.BULWARK_BENCH_PG ?? process.env.BULWARK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `bulwark_bench_${crypto.randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${dbName}`);
const url = new URL(ADMIN_URL);
url.pathname = '/' + dbName;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-monitor-'));

function advisory(tag, k) {
  const id = `GHSA-${tag}-${k}`;
  return {
    id,
    json: JSON.stringify({
      schema_version: '1.6.0',
      id,
      modified: '2026-01-01T00:00:00Z',
      summary: `bench advisory ${id}`,
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
      affected: [{ package: { ecosystem: 'npm', name: `pkg-${k}` }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }],
    }),
  };
}

/** A mirror directory (osv/npm/all.zip) with advisories for these [tag, keys] groups. */
async function writeMirror(dir, groups) {
  fs.mkdirSync(path.join(dir, 'osv', 'npm'), { recursive: true });
  const zip = new yazl.ZipFile();
  for (const [tag, keys] of groups) {
    for (const k of keys) {
      const a = advisory(tag, k);
      zip.addBuffer(Buffer.from(a.json), `${a.id}.json`, { mtime: new Date(0) });
    }
  }
  zip.end();
  await new Promise((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(path.join(dir, 'osv', 'npm', 'all.zip'))).on('close', resolve).on('error', reject));
  return dir;
}

const t = (ms) => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => os.loadavg()[0].toFixed(1);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs, digits) => `median ${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

const children = [];
let store;
try {
  store = await Store.open({ databaseUrl: url.toString(), poolSize: 4 });
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
  console.log(`seeded ${P} projects x ${M} packages (${P * M} inventory rows, ${POOL} distinct keys) in ${t(performance.now() - t0)}; ${os.cpus().length} cores, load ${load()}`);

  // Mirror A: 1 % of the keys (k % 100 = 50). Run r adds another 1 % (k % 100 = 10 r), cumulatively.
  const keysOf = (rest) => Array.from({ length: POOL }, (_, k) => k).filter((k) => k % 100 === rest);
  const groups = [['a', keysOf(50)]];
  const mirrorA = await writeMirror(path.join(work, 'mirror-0'), groups);

  // The server's side: refreshes and the diff, in this process; it works no re-match job (--rematch-workers 0).
  const cacheDir = path.join(work, 'advisory');
  const server = new Monitor(store, { cacheDir, dbSource: mirrorA, dbEcosystems: ['npm'], background: false, workJobs: false });

  const exited = (c, what) => c.on('exit', (code, sig) => { if (!c.stopping) { console.error(`${what} exited (${code ?? sig}); see ${work}`); process.exitCode = 1; } });
  // Re-match workers: the built CLI, W processes, started when needed and stopped after.
  let workers = [];
  let spawned = 0;
  const startWorkers = async () => {
    workers = [];
    for (let i = 0; i < W; i++) {
      const file = path.join(work, `worker-${spawned++}.log`);
      const log = fs.openSync(file, 'w');
      const c = spawn(process.execPath, [bin.pathname, 'worker', '--database', url.toString(), '--advisory-dir', cacheDir, '--rematch', '--no-scan-jobs', '--no-ingest', '--rematch-batch', '20', '--nice', args['worker-nice']], { stdio: ['ignore', log, log] });
      exited(c, `re-match worker ${file}`);
      children.push(c);
      workers.push({ c, file });
    }
    for (const w of workers) while (!fs.readFileSync(w.file, 'utf8').includes('working re-match jobs')) await sleep(50);
  };
  const stopWorkers = async () => {
    for (const { c } of workers) {
      c.stopping = true;
      c.kill('SIGTERM');
    }
    await Promise.all(workers.map(({ c }) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
  };
  // Ingestion: L processes, each storing into its own LANE_PROJECTS projects.
  const lanes = [];
  for (let i = 0; i < L; i++) {
    const ids = [];
    for (let j = 0; j < LANE_PROJECTS; j++) ids.push(await store.projects.create(`ingest-${i}-${j}`, null));
    const c = fork(new URL('lib/ingest-lane.mjs', import.meta.url), [url.toString(), dist.href, ids.join(','), String(1000 + i * LANE_PROJECTS), args.changed], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    exited(c, `ingestion process ${i}`);
    children.push(c);
    lanes.push(c);
  }
  await Promise.all(lanes.map((c) => new Promise((r) => c.once('message', r))));
  const ingestStart = () => lanes.forEach((c) => c.send({ go: true }));
  const ingestStop = async () => {
    const replies = lanes.map((c) => new Promise((r) => c.once('message', r)));
    lanes.forEach((c) => c.send({ stop: true }));
    const rs = await Promise.all(replies);
    return { stored: rs.reduce((a, r) => a + r.stored, 0), changed: rs.reduce((a, r) => a + r.changed, 0), s: Math.max(...rs.map((r) => r.ms)) / 1000 };
  };
  /** Until no job is queued (the workers took every job, including the ingested scans' own matches). */
  const drained = async () => {
    for (;;) {
      const c = await store.monitor.jobCounts();
      if ((c.queued ?? 0) === 0) return;
      await sleep(100);
    }
  };
  const refreshDone = async (refreshId, n) => {
    for (;;) {
      const c = await store.monitor.jobCounts(refreshId);
      if ((c.done ?? 0) + (c.failed ?? 0) >= n) return c;
      await sleep(20);
    }
  };

  await startWorkers();
  t0 = performance.now();
  const a = await server.refresh();
  await refreshDone(a.refreshId, a.inventories);
  await stopWorkers();
  console.log(`mirror A (${groups[0][1].length} advisories, ${a.keys} keys, 1 % of them): ${a.inventories} inventories matched by ${W} worker processes, ${await store.events.count()} events, ${t(performance.now() - t0)}`);

  const results = [];
  for (let run = 1; run <= RUNS; run++) {
    // Ingestion alone (no re-match worker running: the stored reports' own scan jobs wait).
    const loadAlone = load();
    ingestStart();
    await sleep(10_000);
    const alone = await ingestStop();
    await startWorkers();
    let td = performance.now();
    const pending = (await store.monitor.jobCounts()).queued ?? 0;
    await drained();
    console.log(`run ${run}: ingestion alone ${alone.stored} reports (${alone.changed} with a changed inventory) in ${alone.s.toFixed(1)} s = ${(alone.stored / alone.s).toFixed(1)}/s (load ${loadAlone}); their ${pending} scan jobs (full matches) then worked in ${t(performance.now() - td)}`);

    // A feed update touching another 1 % of the keys, re-matched while ingestion goes on.
    const added = keysOf(10 * run);
    groups.push([`r${run}`, added]);
    server.opts.dbSource = await writeMirror(path.join(work, `mirror-${run}`), groups);
    const held = await db.query(
      `select count(distinct i.id)::int n from inventories i join scan_packages sp on sp.scan_id = i.scan_id where sp.ecosystem = 'npm' and sp.key_name = any($1)`,
      [added.map((k) => `pkg-${k}`)],
    );
    const loadBefore = load();
    ingestStart();
    await sleep(500);
    t0 = performance.now();
    const b = await server.refresh();
    const tRefresh = performance.now() - t0;
    const counts = await refreshDone(b.refreshId, b.inventories);
    const tAll = performance.now() - t0;
    const during = await ingestStop();
    const events = await db.query(`select count(*)::int n from events where payload like $1`, [`%"cause":{"kind":"db-refresh","id":"${b.refreshId}"}%`]);
    const r = { alone: alone.stored / alone.s, during: during.stored / during.s, rematch: tAll / 1000, refresh: tRefresh / 1000 };
    results.push(r);
    console.log(
      `  +${b.added} advisories, ${b.keys} keys (${((b.keys / POOL) * 100).toFixed(1)} %): refresh ${t(tRefresh)}; ${b.inventories} inventories (holding the keys, counted apart: ${held.rows[0].n}) ` +
        `re-matched, ${events.rows[0].n} events, jobs ${JSON.stringify(counts)}: ${t(tAll)} with ${W} worker processes`,
    );
    console.log(`  ingestion meanwhile: ${during.stored} reports (${during.changed} with a changed inventory) in ${during.s.toFixed(1)} s = ${r.during.toFixed(1)}/s (load ${loadBefore} before, ${load()} after)`);
    td = performance.now();
    const pending2 = (await store.monitor.jobCounts()).queued ?? 0;
    await drained();
    console.log(`  their ${pending2} scan jobs then worked in ${t(performance.now() - td)}`);
    await stopWorkers();
  }
  console.log(`\n${RUNS} runs, ${W} re-match worker processes (nice ${args['worker-nice']}), ${L} ingestion processes, reports of 1,000 findings, ${Number(args.changed) * 100} % with a changed inventory:`);
  console.log(`  stored reports/s alone:            ${spread(results.map((r) => r.alone), 1)}`);
  console.log(`  stored reports/s during re-match:  ${spread(results.map((r) => r.during), 1)}`);
  console.log(`  1 % re-matched with events (s):    ${spread(results.map((r) => r.rematch), 2)}  (refresh itself ${spread(results.map((r) => r.refresh), 2)})`);
  await db.end();
} finally {
  for (const c of children) {
    c.stopping = true;
    c.kill('SIGTERM');
  }
  await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
  await store?.close();
  if (!args.keep) await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  if (!args.keep && process.exitCode !== 1) fs.rmSync(work, { recursive: true, force: true });
}
