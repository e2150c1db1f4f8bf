// One ingestion process of bench/monitor.mjs: stores reports of ~1,000 findings with ScanRepository.store (the
// ingestion worker's write path: one transaction per report) into its own projects, while told to.
//   parent -> {go: true} | {stop: true} | {exit: true};  child -> {ready: true} | {stored: n, ms: elapsed}
// argv: <database url> <dist/server dir URL> <project ids, comma-separated> <seed>
const [url, distHref, idsArg, seedArg] = process.argv.slice(2);
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
let running = false;
let loop = Promise.resolve();
let stored = 0;
let t0 = 0;
process.on('message', async (m) => {
  if (m.go) {
    running = true;
    stored = 0;
    t0 = performance.now();
    loop = (async () => {
      for (let i = 0; running; i++) {
        await store.scans.store(ids[i % ids.length], { ...reports[i % ids.length], createdAt: new Date().toISOString() });
        stored++;
      }
    })();
  } else if (m.stop) {
    running = false;
    await loop;
    process.send({ stored, ms: performance.now() - t0 });
  } else if (m.exit) {
    await store.close();
    process.exit(0);
  }
});
// The bench went away (killed): so does this process.
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
