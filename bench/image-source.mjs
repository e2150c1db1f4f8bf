// Image source: time to open an image and walk all its layers wanting only var/lib/dpkg/status.
//   npx tsc -p tsconfig.build.json && node bench/image-source.mjs [--images /tmp/bulwark-images] [--runs 5]
// Images come from shared/tools/make-test-images.sh (BULWARK_TEST_IMAGES or /tmp/bulwark-images). For each form
// of `multi` (3 layers; layer digests verified while walking unless said otherwise) it prints the median and best of N runs (one process, warm page cache), the uncompressed
// bytes walked and the peak RSS of the process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openImage, parseImageTarget } from '../dist/source/image/open.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const images = path.resolve(opt('--images', process.env.BULWARK_TEST_IMAGES ?? '/tmp/bulwark-images'));
const runs = Number(opt('--runs', '5'));
if (!fs.existsSync(path.join(images, 'images.json'))) {
  console.error(`no images in ${images}: run shared/tools/make-test-images.sh ${images} first`);
  process.exit(2);
}
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-img-'));
const STATUS = 'var/lib/dpkg/status';
const forms = [
  ['docker-archive (uncompressed layers)', `docker-archive:${path.join(images, 'archives/multi.tar')}`],
  ['docker-archive, verifyDigest: false', `docker-archive:${path.join(images, 'archives/multi.tar')}`, { verifyDigest: false }],
  ['oci-archive (gzip layers)', `oci-archive:${path.join(images, 'archives/multi.oci.tar')}`],
  ['oci-dir (gzip layers)', `oci-dir:${path.join(images, 'oci')}:multi`],
  ['rootfs dir', `rootfs:${path.join(images, 'rootfs/multi')}`],
];

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);

async function once(target, walkOpts) {
  const t0 = performance.now();
  const src = await openImage(parseImageTarget(target), { cacheDir });
  const tOpen = performance.now() - t0;
  let bytes = 0;
  let found = 0;
  for (let i = 0; i < src.describe().layers.length; i++) {
    const r = await src.walkLayer(i, (p) => p === STATUS, () => void found++, walkOpts);
    bytes += r.bytes;
  }
  await src.close();
  return { ms: performance.now() - t0, openMs: tOpen, bytes, found, layers: src.describe().layers.length };
}

console.log(`node ${process.version}, ${os.cpus().length} cpu (${os.cpus()[0]?.model ?? '?'}), ${runs} runs each`);
console.log('| form | layers | status files | uncompressed MiB walked | open ms | median ms | best ms | MiB/s (median) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [label, target, walkOpts] of forms) {
  const res = [];
  for (let i = 0; i < runs; i++) res.push(await once(target, walkOpts));
  const sorted = res.map((r) => r.ms).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const r0 = res[0];
  const mib = r0.bytes / 1048576;
  console.log(`| ${label} | ${r0.layers} | ${r0.found} | ${mib.toFixed(1)} | ${r0.openMs.toFixed(1)} | ${median.toFixed(0)} | ${sorted[0].toFixed(0)} | ${(mib / (median / 1000)).toFixed(0)} |`);
}
clearInterval(sampler);
console.log(`peak RSS of the whole run: ${(peakRss / 1048576).toFixed(0)} MiB`);
fs.rmSync(cacheDir, { recursive: true, force: true });
