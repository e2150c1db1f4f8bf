// One ingestion process of bench/monitor.mjs: stores reports of ~1,000 findings with ScanRepository.store (the
// ingestion worker's write path: one transaction per report) into its own projects, while told to. A fraction
// `changed` of the reports bump one package's version (a dependency update: a new inventory, its findings
// closed and added, a match queued); the others are the project's report again (CI re-scanning unchanged code).
//   parent -> {go: true} | {stop: true} | {exit: true};  child -> {ready: true} | {stored: n, changed: n, ms: elapsed}
// argv: <database url> <dist/server dir URL> <project ids, comma-separated> <seed> [changed fraction, default 0]
const [url, distHref, idsArg, seedArg, changedArg] = process.argv.slice(2);
const CHANGED = Number(changedArg ?? 0);
const { Store } = await import(new URL('store/store.js', distHref).href);
const { syntheticReport } = await import(new URL('synthetic.js', distHref).href);
const ids = idsArg.split(',').map(Number);
const store = await Store.open({ databaseUrl: url, poolSize: 2 });
// Package names apart from the bench's keys (pkg-N), so that ingestion does not change what a refresh touches.
const reports = ids.map((_, i) => {
  const r = syntheticReport({ seed: Number(seedArg) + i, findings: 1000 });
  for (const p of r.packages) p.name = p.name.replace('pkg-', 'ing-');
  for (const f of r.findings) f.package.name = f.package.name.replace('pkg-', 'ing-');
  return r;
});
/** The report with package k's version bumped to a new one (n): the package and its findings. */
function bumped(report, k, n) {
  const p = report.packages[k % report.packages.length];
  const version = `${p.version}-${n}`;
  const purl = `pkg:npm/${p.name}@${version}`;
  const move = (x) => (x.purl === p.purl ? { ...x, version, purl } : x);
  return { ...report, packages: report.packages.map(move), findings: report.findings.map((f) => ({ ...f, package: move(f.package) })) };
}
let running = false;
let changed = 0;
let loop = Promise.resolve();
let stored = 0;
let t0 = 0;
process.on('message', async (m) => {
  if (m.go) {
    running = true;
    stored = 0;
    changed = 0;
    t0 = performance.now();
    loop = (async () => {
      for (let i = 0; running; i++) {
        const j = i % ids.length;
        // Every project's last report is the one stored next time, bumped or not.
        if (CHANGED > 0 && Math.random() < CHANGED) {
          reports[j] = bumped(reports[j], i, i);
          changed++;
        }
        await store.scans.store(ids[j], { ...reports[j], createdAt: new Date().toISOString() });
        stored++;
      }
    })();
  } else if (m.stop) {
    running = false;
    await loop;
    process.send({ stored, changed, ms: performance.now() - t0 });
  } else if (m.exit) {
    await store.close();
    process.exit(0);
  }
});
// The bench went away (killed): so does this process.
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
