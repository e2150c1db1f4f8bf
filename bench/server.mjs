#!/usr/bin/env node
// Server benchmark on PostgreSQL: sustained report uploads per second (reports of ~1,000 findings) and the
// p50/p95 latency of the dashboard's main queries at 1,000 projects x 1,000 findings.
//
//   npm run build && node bench/server.mjs [--projects 1000] [--findings 1000] [--seconds 20] [--clients 8] [--workers 4]
//
// PostgreSQL: BULWARK_BENCH_PG or BULWARK_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres); a
// database bulwark_bench_<random> is created and dropped afterwards (--keep keeps it).
import crypto from 'node:crypto';
import fs from 'node:fs';
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
    workers: { type: 'string', default: '4' },
    iterations: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
  },
});
const N_PROJECTS = Number(args.projects);
const N_FINDINGS = Number(args.findings);
const SECONDS = Number(args.seconds);
const CLIENTS = Number(args.clients);
const WORKERS = Number(args.workers);
const ITER = Number(args.iterations);

const dist = new URL('../dist/server/', import.meta.url);
if (!fs.existsSync(new URL('server.js', dist))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { Store } = await import(new URL('store/store.js', dist).href);
const { startServer } = await import(new URL('server.js', dist).href);
const { IngestWorker } = await import(new URL('worker.js', dist).href);
const { newSecret } = await import(new URL('auth.js', dist).href);
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

async function pool(n, items, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

let server;
try {
  console.log(`PostgreSQL ${url.host}/${dbName}; ${os.cpus().length} CPUs; node ${process.version}`);
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
  const count = await store.db.selectFrom('findings').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  console.log(`seed: ${N_PROJECTS} projects x ${N_FINDINGS} findings = ${Number(count.n)} findings stored in ${seedS.toFixed(1)} s (${(N_PROJECTS / seedS).toFixed(1)} reports/s through the store, 8 in parallel)`);
  await store.db.executeQuery({ sql: 'analyze', parameters: [], query: { kind: 'RawNode', sqlFragments: ['analyze'], parameters: [] } }).catch(() => {});
  await store.close();

  // ---- the server ------------------------------------------------------------------------------
  server = await startServer({ dataDir, databaseUrl: url.toString(), poolSize: 20, port: 0, logger: false });
  const extra = Array.from({ length: Math.max(0, WORKERS - 1) }, () => new IngestWorker(server.store));
  for (const w of extra) w.start();
  const key = newSecret('bwk_');
  await server.store.identity.createUser('bench-admin', 'admin', key.hash);
  const tokens = [];
  for (const id of projectIds.slice(0, 50)) {
    const t = newSecret('bwi_');
    await server.store.projects.createIngestToken(id, t.hash);
    tokens.push(t.secret);
  }

  // ---- sustained uploads -----------------------------------------------------------------------
  const templates = Array.from({ length: 20 }, (_, i) => JSON.stringify(syntheticReport({ seed: 50000 + i, findings: N_FINDINGS, vulnPool: 20000, createdAt: '2030-01-01T00:00:00.000Z' })));
  console.log(`uploads: ${CLIENTS} clients for ${SECONDS} s, reports of ${N_FINDINGS} findings (~${Math.round(templates[0].length / 1024)} KiB), ${WORKERS} workers`);
  const latencies = [];
  let accepted = 0;
  let failed = 0;
  let seq = 0;
  const deadline = performance.now() + SECONDS * 1000;
  t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    while (performance.now() < deadline) {
      const n = seq++;
      // A distinct body per upload (its createdAt), so nothing is deduplicated as a replay.
      const body = templates[n % templates.length].replace('2030-01-01T00:00:00.000Z', new Date(Date.UTC(2030, 0, 1) + n * 1000).toISOString());
      const s = performance.now();
      const res = await fetch(`${server.url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${tokens[(c + n) % tokens.length]}`, 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      latencies.push(performance.now() - s);
      if (res.status === 202) accepted++;
      else failed++;
    }
  }));
  const upS = (performance.now() - t0) / 1000;
  console.log(`  accepted ${accepted} (${failed} refused) in ${upS.toFixed(1)} s: ${(accepted / upS).toFixed(1)} uploads/s acknowledged; POST p50 ${fmt(pct(latencies, 50))}, p95 ${fmt(pct(latencies, 95))}`);
  // Wait for the workers to store the backlog.
  let stats;
  while (true) {
    stats = await server.store.queue.stats();
    if (!stats.queued && !stats.processing) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const doneS = (performance.now() - t0) / 1000;
  console.log(`  all stored after ${doneS.toFixed(1)} s: ${(accepted / doneS).toFixed(1)} reports/s end to end (queue: ${JSON.stringify(stats)})`);
  for (const w of extra) await w.stop();

  // ---- dashboard queries -----------------------------------------------------------------------
  const rnd = (n) => Math.floor(Math.random() * n);
  const name = () => `project-${String(rnd(N_PROJECTS)).padStart(4, '0')}`;
  const queries = {
    'summary (portfolio totals)': () => '/api/v1/summary',
    'projects page 1 (worst first)': () => '/api/v1/projects?limit=50',
    'projects page at offset 500': () => '/api/v1/projects?limit=50&offset=500',
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
      const res = await fetch(server.url + make(), { headers: { authorization: `Bearer ${key.secret}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status}`);
      ts.push(performance.now() - s);
    }
    console.log(`  ${label.padEnd(50)} p50 ${fmt(pct(ts, 50)).padStart(9)}  p95 ${fmt(pct(ts, 95)).padStart(9)}`);
  }
} finally {
  await server?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (!args.keep) await adminClient.query(`drop database if exists ${dbName} with (force)`);
  else console.log(`kept database ${dbName}`);
  await adminClient.end();
}
