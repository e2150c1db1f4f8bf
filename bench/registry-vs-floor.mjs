// A whole registry scan against the floor of the pull it makes, measured in one run.
//   npm run build
//   bash ../shared/tools/make-test-images.sh /tmp/bulwark-images --registry     # images + loopback registry :5000
//   node bench/registry-vs-floor.mjs [--images DIR] [--registry 127.0.0.1:5000] [--image debian:multi] [--runs 5]
// (--images defaults to BULWARK_TEST_IMAGES, else /tmp/bulwark-images.)
//
// Floor: `bench/lib/registry-floor.mjs` in its own Node process: manifest + config over node:http, then all layer
// blobs at once, each streamed through sha256 and gunzip, nothing written. Scan: `bulwark scan registry:<ref>
// --insecure --no-layer-cache` with a cache dir holding only the advisory DB (so every blob is downloaded, verified
// as it streams, decompressed and walked, and the packages matched; with --no-layer-cache no blob is written). Both are timed as whole processes (Node
// start-up included), alternating run by run; the floor's in-process time is shown too. Medians and min–max.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const images = path.resolve(opt('--images', process.env.BULWARK_TEST_IMAGES ?? '/tmp/bulwark-images'));
const registry = opt('--registry', '127.0.0.1:5000');
const image = opt('--image', 'debian:multi');
const runs = Number(opt('--runs', '5'));
const here = path.dirname(fileURLToPath(import.meta.url));
const bulwark = path.resolve(opt('--bulwark', path.join(here, '..', 'bin/bulwark.js')));
const floorScript = path.join(here, 'lib', 'registry-floor.mjs');
const [repo, tag] = image.split(':');

try {
  const r = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(2000) });
  await r.body?.cancel();
} catch {
  console.error(`no registry answers on http://${registry}/v2/ (make-test-images.sh ${images} --registry)`);
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-registry-floor-'));

function timed(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M CPU %U %S', process.execPath, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /MAXRSS (\d+) CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return { seconds, rssMiB: Number(m[1]) / 1024, cpu: Number(m[2]) + Number(m[3]), stdout: r.stdout };
}
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const spread = (xs, d) => `${sorted(xs)[0].toFixed(d)}–${sorted(xs)[xs.length - 1].toFixed(d)}`;

const db = path.join(work, 'db');
timed([bulwark, '--cache-dir', db, 'db', 'update', '--source', path.join(images, 'mirror'), '--ecosystem', 'Debian']);

const floor = [];
const scan = [];
let info;
let findings;
for (let i = 0; i < runs; i++) {
  const order = i % 2 === 0 ? ['floor', 'scan'] : ['scan', 'floor'];
  for (const what of order) {
    if (what === 'floor') {
      const r = timed([floorScript, `http://${registry}`, repo, tag]);
      info = JSON.parse(r.stdout.trim().split('\n').pop());
      floor.push({ ...r, inProcess: info.seconds });
    } else {
      const cache = path.join(work, `scan-${i}`);
      fs.cpSync(db, cache, { recursive: true });
      const r = timed([bulwark, '--cache-dir', cache, 'scan', `registry:${registry}/${image}`, '--insecure', '--offline', '--no-layer-cache', '--format', 'json', '--fail-on', 'none']);
      findings = JSON.parse(r.stdout).findings.length;
      scan.push(r);
      fs.rmSync(cache, { recursive: true, force: true });
    }
  }
}
const f = floor.map((r) => r.seconds);
const s = scan.map((r) => r.seconds);
const ratios = scan.map((r, i) => r.seconds / floor[i].seconds);
console.log(
  `registry ${registry}/${image}: ${info.layers} layers, ${(info.compressed / 2 ** 20).toFixed(1)} MiB compressed, ${(info.uncompressed / 2 ** 20).toFixed(1)} MiB uncompressed; ${runs} runs, median (min–max); node ${process.version}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
console.log(`scan findings: ${findings}`);
console.log('| process | wall s | CPU s (user + system) | peak MiB |');
console.log('| --- | ---: | ---: | ---: |');
const cpu = (rs) => median(rs.map((r) => r.cpu)).toFixed(2);
console.log(`| floor: download + gunzip + sha256, all layers at once (whole process) | ${median(f).toFixed(3)} (${spread(f, 2)}) | ${cpu(floor)} | ${median(floor.map((r) => r.rssMiB)).toFixed(0)} |`);
console.log(`| floor, in-process part | ${median(floor.map((r) => r.inProcess)).toFixed(3)} (${spread(floor.map((r) => r.inProcess), 2)}) | | |`);
console.log(`| bulwark scan registry:… --no-layer-cache (whole process) | ${median(s).toFixed(3)} (${spread(s, 2)}) | ${cpu(scan)} | ${median(scan.map((r) => r.rssMiB)).toFixed(0)} |`);
console.log(`ratio scan / floor: ${(median(s) / median(f)).toFixed(2)} (per run ${spread(ratios, 2)})`);
fs.rmSync(work, { recursive: true, force: true });
