#!/usr/bin/env node
// Server benchmark on PostgreSQL, against the real `bulwark server` process (bin/bulwark.js):
//  1. stored reports per second and POST latency (p50/p95) with --workers 1 and --workers 3, reports of ~1,000
//     findings, after seeding N projects x M findings;
//  2. the p50/p95 of the dashboard's main queries;
//  3. the server's peak RSS (VmHWM) under 11 concurrent 32 MB bodies of `[{},{},…]` from one token.
//
//   npm run build && node bench/server.mjs [--projects 1000] [--findings 1000] [--seconds 20] [--clients 8] [--workers 1,3]
//
// PostgreSQL: BULWARK_BENCH_PG or BULWARK_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres); a
// database bulwark_bench_<random> is created and dropped afterwards (--keep keeps it).
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: args } = parseArgs({
  options: {
    projects: { type: 'string', default: '1000' },
    findings: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    clients: { type: 'string', default: '8' },
    workers: { type: 'string', default: '1,3' },
    iterations: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
  },
});
const N_PROJECTS = Number(args.projects);
const N_FINDINGS = Number(args.findings);
const SECONDS = Number(args.seconds);
const CLIENTS = Number(args.clients);
const WORKER_COUNTS = args.workers.split(',').map(Number);
const ITER = Number(args.iterations);

const root = new URL('..', import.meta.url).pathname;
const BIN = path.join(root, 'bin/bulwark.js');
const dist = new URL('../dist/server/', import.meta.url);
if (!fs.existsSync(new URL('server.js', dist))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { Store } = await import(new URL('store/store.js', dist).href);
const { syntheticReport } = await import(new URL('synthetic.js', dist).href);

const ADMIN_URL = process.env.BULWARK_BENCH_PG ?? process.env.BULWARK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `bulwark_bench_${crypto.randomBytes(4).toString('hex')}`;
const adminClient = new pg.Client({ connectionString: ADMIN_URL });
await adminClient.connect();
await adminClient.query(`create database ${dbName}`);
const url = new URL(ADMIN_URL);
url.pathname = '/' + dbName;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-'));

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function pool(n, items, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** `bulwark server` as a child process; resolves once /health answers. */
async function startChild(workers, extra = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, '--quiet', 'server', '--data-dir', dataDir, '--database', url.toString(), '--port', String(port), '--workers', String(workers), ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  return {
    base,
    pid: child.pid,
    peakRssMiB() {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

let child;
try {
  console.log(`PostgreSQL ${url.host}/${dbName}; ${os.cpus().length} CPUs (load ${os.loadavg()[0].toFixed(1)}); node ${process.version}`);
  // ---- seed through the store ------------------------------------------------------------------
  const store = await Store.open({ databaseUrl: url.toString(), poolSize: 12 });
  const teamIds = [];
  for (let t = 0; t < 20; t++) teamIds.push(await store.identity.createTeam(`team-${t}`));
  const projectIds = [];
  for (let p = 0; p < N_PROJECTS; p++) projectIds.push(await store.projects.create(`project-${String(p).padStart(4, '0')}`, teamIds[p % teamIds.length]));
  let t0 = performance.now();
  let seeded = 0;
  await pool(8, projectIds, async (id) => {
    await store.scans.store(id, syntheticReport({ seed: id, findings: N_FINDINGS, vulnPool: 20000 }));
    seeded++;
    if (seeded % 100 === 0) process.stderr.write(`  seeded ${seeded}/${N_PROJECTS}\r`);
  });
  const seedS = (performance.now() - t0) / 1000;
  console.log(`seed: ${N_PROJECTS} projects x ${N_FINDINGS} findings stored in ${seedS.toFixed(1)} s (${(N_PROJECTS / seedS).toFixed(1)} reports/s through the store, 8 in parallel)`);
  // Fresh statistics for the planner, as autovacuum would have them after a while.
  const { sql } = await import('kysely');
  await sql`analyze`.execute(store.db);
  const initOut = execFileSync(process.execPath, [BIN, 'server', 'init', '--data-dir', dataDir, '--database', url.toString(), '--admin', 'bench-admin'], { encoding: 'utf8' });
  const adminKey = initOut.trim().split('\n').pop();
  await store.close();
  const tokens = [];

  // ---- sustained uploads, per worker count -----------------------------------------------------
  const templates = Array.from({ length: 20 }, (_, i) => JSON.stringify(syntheticReport({ seed: 50000 + i, findings: N_FINDINGS, vulnPool: 20000, createdAt: '2030-01-01T00:00:00.000Z' })));
  let seq = 0;
  for (const workers of WORKER_COUNTS) {
    child = await startChild(workers, ['--rate-limit', '0', '--uploads-per-token', '8', '--uploads-total', String(CLIENTS)]);
    if (tokens.length === 0) {
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`${child.base}/api/v1/projects/project-${String(i).padStart(4, '0')}/tokens`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
        tokens.push((await res.json()).token);
      }
    }
    console.log(`uploads with --workers ${workers}: ${CLIENTS} clients for ${SECONDS} s, reports of ${N_FINDINGS} findings (~${Math.round(templates[0].length / 1024)} KiB)`);
    const latencies = [];
    let accepted = 0;
    const refused = {};
    const deadline = performance.now() + SECONDS * 1000;
    t0 = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
      while (performance.now() < deadline) {
        const n = seq++;
        // A distinct body per upload (its createdAt), so nothing is deduplicated as a replay.
        const body = templates[n % templates.length].replace('2030-01-01T00:00:00.000Z', new Date(Date.UTC(2030, 0, 1) + n * 1000).toISOString());
        const s = performance.now();
        const res = await fetch(`${child.base}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${tokens[(c + n) % tokens.length]}`, 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        latencies.push(performance.now() - s);
        if (res.status === 202) accepted++;
        else refused[res.status] = (refused[res.status] ?? 0) + 1;
      }
    }));
    const upS = (performance.now() - t0) / 1000;
    console.log(`  accepted ${accepted} (refused ${JSON.stringify(refused)}) in ${upS.toFixed(1)} s: ${(accepted / upS).toFixed(1)} uploads/s acknowledged; POST p50 ${fmt(pct(latencies, 50))}, p95 ${fmt(pct(latencies, 95))}`);
    let stats;
    for (;;) {
      stats = (await (await fetch(`${child.base}/api/v1/summary`, { headers: { authorization: `Bearer ${adminKey}` } })).json()).queue;
      if (!stats.queued && !stats.processing) break;
      await sleep(200);
    }
    const doneS = (performance.now() - t0) / 1000;
    console.log(`  all stored after ${doneS.toFixed(1)} s: ${(accepted / doneS).toFixed(1)} stored reports/s end to end (queue: ${JSON.stringify(stats)}); server peak RSS ${child.peakRssMiB().toFixed(0)} MiB`);
    if (workers !== WORKER_COUNTS[WORKER_COUNTS.length - 1]) {
      await child.stop();
      child = undefined;
    }
  }

  // ---- dashboard queries -----------------------------------------------------------------------
  const rnd = (n) => Math.floor(Math.random() * n);
  const name = () => `project-${String(rnd(N_PROJECTS)).padStart(4, '0')}`;
  const queries = {
    'summary (portfolio totals)': () => '/api/v1/summary',
    'projects page 1 (worst first)': () => '/api/v1/projects?limit=50',
    'projects page at offset 500': () => `/api/v1/projects?limit=50&offset=${Math.min(500, Math.max(0, N_PROJECTS - 50))}`,
    'project findings (open, page of 100)': () => `/api/v1/projects/${name()}/findings?limit=100`,
    'project findings filtered (CRITICAL,HIGH fixable)': () => `/api/v1/projects/${name()}/findings?limit=100&severity=CRITICAL,HIGH&fixable=true&suppressed=false`,
    'project findings package filter': () => `/api/v1/projects/${name()}/findings?limit=100&package=pkg-1`,
    'project scans + trend': () => `/api/v1/projects/${name()}/trend?limit=200`,
    'search by CVE across projects': () => `/api/v1/search?vuln=CVE-2099-${String(rnd(20000)).padStart(5, '0')}&limit=50`,
    'search by package across projects': () => `/api/v1/search?package=pkg-${rnd(20000)}&limit=50`,
  };
  console.log(`dashboard queries over HTTP (${ITER} each, sequential, admin scope):`);
  for (const [label, make] of Object.entries(queries)) {
    const ts = [];
    for (let i = 0; i < ITER; i++) {
      const s = performance.now();
      const res = await fetch(child.base + make(), { headers: { authorization: `Bearer ${adminKey}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status}`);
      ts.push(performance.now() - s);
    }
    console.log(`  ${label.padEnd(50)} p50 ${fmt(pct(ts, 50)).padStart(9)}  p95 ${fmt(pct(ts, 95)).padStart(9)}`);
  }
  await child.stop();

  // ---- memory under attack: 11 concurrent 32 MB bodies from one token -----------------------------
  child = await startChild(1);
  const before = child.peakRssMiB();
  const n = Math.floor((32 * 1024 * 1024 - 200) / 3);
  const attack = Buffer.from('{"findings":[' + '{},'.repeat(n - 1) + '{}]}');
  const statuses = {};
  const s = performance.now();
  await Promise.all(Array.from({ length: 11 }, async () => {
    try {
      const res = await fetch(`${child.base}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' }, body: attack });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    } catch (e) {
      statuses[e.cause?.code ?? 'error'] = (statuses[e.cause?.code ?? 'error'] ?? 0) + 1;
    }
  }));
  const health = performance.now();
  const h = await fetch(`${child.base}/api/v1/health`);
  console.log(`attack: 11 x ${(attack.length / 1024 / 1024).toFixed(1)} MiB of [{},{},…] from one token: answers ${JSON.stringify(statuses)} in ${((performance.now() - s) / 1000).toFixed(1)} s; /health ${h.status} in ${fmt(performance.now() - health)}; server peak RSS ${before.toFixed(0)} MiB before, ${child.peakRssMiB().toFixed(0)} MiB after`);
} finally {
  await child?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (!args.keep) await adminClient.query(`drop database if exists ${dbName} with (force)`);
  else console.log(`kept database ${dbName}`);
  await adminClient.end();
}
