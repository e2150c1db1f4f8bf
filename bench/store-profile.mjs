#!/usr/bin/env node
// Where a stored report's time goes (issue 13): reports of ~1,000 findings stored with ScanRepository.store (the
// ingestion worker's write path) into 20 projects on PostgreSQL, each statement timed from the client (sent to
// result, round trip included), summed per statement text and divided by the reports stored.
//
//   npm run build && node bench/store-profile.mjs [--reports 100] [--lanes 1] [--explain TEXT]
//
// --lanes: concurrent store() calls; --explain: EXPLAIN (ANALYZE, BUFFERS, WAL) of the first statement containing
// TEXT (in a rolled-back transaction). BULWARK_ROOT=DIR profiles another build (DIR/dist) in the same conditions.
// PostgreSQL: BULWARK_BENCH_PG or BULWARK_TEST_PG; a database bulwark_prof_<random> is created and dropped.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: args } = parseArgs({
  options: { reports: { type: 'string', default: '100' }, lanes: { type: 'string', default: '1' }, explain: { type: 'string' } },
});
const N = Number(args.reports);
const LANES = Number(args.lanes);
const ROOT = process.env.BULWARK_ROOT ?? new URL('..', import.meta.url).pathname;

const clientQuery = pg.Client.prototype.query;
const stats = new Map();
pg.Client.prototype.query = function (q, ...rest) {
  const text = typeof q === 'string' ? q : (q?.text ?? '?');
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
  const t0 = performance.now();
  const r = clientQuery.call(this, q, ...rest);
  if (r && typeof r.then === 'function') {
    r.then(
      () => {
        const s = stats.get(key) ?? { n: 0, ms: 0 };
        s.n++;
        s.ms += performance.now() - t0;
        stats.set(key, s);
      },
      () => {},
    );
  }
  return r;
};
const { Store } = await import(ROOT + '/dist/server/store/store.js');
const { syntheticReport } = await import(ROOT + '/dist/server/synthetic.js');

const ADMIN_URL = process.env.BULWARK_BENCH_PG ?? process.env.BULWARK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `bulwark_prof_${crypto.randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${dbName}`);
const url = new URL(ADMIN_URL);
url.pathname = '/' + dbName;
const store = await Store.open({ databaseUrl: url.toString(), poolSize: LANES + 2 });
try {
  const projects = [];
  for (let i = 0; i < 20; i++) projects.push(await store.projects.create(`p-${i}`, null));
  const reports = Array.from({ length: 20 }, (_, i) => syntheticReport({ seed: 1000 + i, findings: 1000 }));
  // Each project's first scan (all findings new) is not timed: the steady state is a re-scan.
  for (let i = 0; i < 20; i++) await store.scans.store(projects[i], reports[i]);
  stats.clear();
  // CPU time (user + system) of this process and of the database's server processes for this database: what a
  // report costs whatever else the machine runs (wall figures on a shared machine are not).
  const backendCpu = async () => {
    const pids = (await admin.query('select pid from pg_stat_activity where datname = $1', [dbName])).rows.map((r) => r.pid);
    let ticks = 0;
    for (const pid of pids) {
      try {
        const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // gone
      }
    }
    return (ticks * 1000) / 100;
  };
  const cpu0 = process.cpuUsage();
  const pg0 = await backendCpu();
  const t0 = performance.now();
  let k = 0;
  await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      for (let i = lane; i < N; i += LANES) {
        await store.scans.store(projects[i % 20], { ...reports[i % 20], createdAt: new Date().toISOString() });
        k++;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const pgMs = (await backendCpu()) - pg0;
  const os = await import('node:os');
  console.log(`${k} re-scans of 1,000 findings in ${s.toFixed(2)} s = ${(k / s).toFixed(1)}/s, ${((s * 1000) / k).toFixed(1)} ms/report (lanes ${LANES}, load ${os.loadavg()[0].toFixed(1)})`);
  console.log(`CPU per report: this process ${((cpu.user + cpu.system) / 1000 / k).toFixed(1)} ms, PostgreSQL ${(pgMs / k).toFixed(1)} ms (/proc, 10 ms ticks)`);
  for (const [q, v] of [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${(v.ms / k).toFixed(2).padStart(7)} ms/report  n=${String(v.n).padStart(5)}  ${q}`);
  if (args.explain) {
    let captured;
    pg.Client.prototype.query = function (q, ...rest) {
      const text = typeof q === 'string' ? q : q?.text;
      if (text && text.includes(args.explain) && !captured) captured = { text, values: q?.values ?? rest[0] };
      return clientQuery.call(this, q, ...rest);
    };
    await store.scans.store(projects[5], { ...reports[5], createdAt: new Date().toISOString() });
    pg.Client.prototype.query = clientQuery;
    if (!captured) throw new Error(`no statement contains ${args.explain}`);
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    await c.query('begin');
    const r = await c.query('explain (analyze, buffers, wal) ' + captured.text, captured.values);
    console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
    await c.query('rollback');
    await c.end();
  }
} finally {
  await store.close();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
