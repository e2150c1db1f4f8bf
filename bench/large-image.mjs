// A large synthetic image: memory stays flat and time grows linearly with the bytes.
//   npm run build && node bench/large-image.mjs [--images DIR] [--layers 20] [--files 200000] [--gib 2] [--runs 3]
// (--images defaults to BULWARK_TEST_IMAGES, else /tmp/bulwark-images; the image is built under --work, default
// os.tmpdir(), and removed at the end unless --keep.)
//
// Builds an OCI layout from the test images' `rootfs/multi`: layer 1 is that rootfs itself (its dpkg database and
// os-release make the scan find the 107 packages), the other layers are copies of its files (whole, real content)
// under `synthetic/L<n>/...`, paced so that the image holds --files files and --gib GiB in --layers uncompressed tar
// layers. Three tags share the blobs: the first quarter, the first half and all of the layers. Each tag is scanned
// (`scan oci-dir:… --no-layer-cache`, whole process) --runs times: wall time, peak RSS, and seconds per GiB, which
// stays about constant when time is linear in bytes.
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const images = path.resolve(opt('--images', process.env.BULWARK_TEST_IMAGES ?? '/tmp/bulwark-images'));
const LAYERS = Number(opt('--layers', '20'));
const FILES = Number(opt('--files', '200000'));
const BYTES = Number(opt('--gib', '2')) * 2 ** 30;
const runs = Number(opt('--runs', '3'));
const here = path.dirname(fileURLToPath(import.meta.url));
const bulwark = path.resolve(opt('--bulwark', path.join(here, '..', 'bin/bulwark.js')));
const rootfs = path.join(images, 'rootfs', 'multi');
if (!fs.existsSync(rootfs)) {
  console.error(`no ${rootfs}: run shared/tools/make-test-images.sh ${images} first`);
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(opt('--work', os.tmpdir()), 'bulwark-large-image-'));
const layout = path.join(work, 'oci');
fs.mkdirSync(path.join(layout, 'blobs', 'sha256'), { recursive: true });

// ---- the rootfs, listed once (regular files, symlinks and directories, without following links)
const entries = [];
(function list(rel) {
  for (const d of fs.readdirSync(path.join(rootfs, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = rel ? `${rel}/${d.name}` : d.name;
    const abs = path.join(rootfs, p);
    if (d.isDirectory()) {
      entries.push({ p, type: 'dir' });
      list(p);
    } else if (d.isSymbolicLink()) entries.push({ p, type: 'symlink', target: fs.readlinkSync(abs) });
    else if (d.isFile()) entries.push({ p, type: 'file', size: fs.statSync(abs).size, abs });
  }
})('');
// copies leave out the package database, so that the image holds one (107 packages) however many layers it has
const files = entries.filter((e) => e.type === 'file' && !e.p.startsWith('var/lib/dpkg/'));

// ---- a minimal ustar writer (names split into prefix/name; longer names are skipped)
function header(name, type, size, linkname = '') {
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    let i = name.indexOf('/');
    while (i !== -1 && Buffer.byteLength(name.slice(i + 1)) > 100) i = name.indexOf('/', i + 1);
    if (i === -1 || Buffer.byteLength(name.slice(0, i)) > 155) return undefined;
    prefix = name.slice(0, i);
    base = name.slice(i + 1);
  }
  if (Buffer.byteLength(linkname) > 100) return undefined;
  const h = Buffer.alloc(512);
  h.write(base, 0);
  h.write(type === 'dir' ? '0000755\0' : '0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('14500000000\0', 136);
  h.write(type === 'dir' ? '5' : type === 'symlink' ? '2' : '0', 156);
  h.write(linkname, 157);
  h.write('ustar\u000000', 257);
  h.write(prefix, 345);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** Writes one layer tar to a temp file, hashing as it goes; moves it to blobs/sha256/<hex>. */
function writeLayer(index, pick) {
  const tmp = path.join(work, `layer-${index}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  const hash = crypto.createHash('sha256');
  let size = 0;
  let count = 0;
  let payload = 0;
  const out = (b) => {
    hash.update(b);
    fs.writeSync(fd, b);
    size += b.length;
  };
  pick((name, e) => {
    const content = e.type === 'file' ? fs.readFileSync(e.abs) : undefined;
    const h = header(e.type === 'dir' ? `${name}/` : name, e.type, content ? content.length : 0, e.target ?? '');
    if (!h) return false;
    out(h);
    if (content) {
      out(content);
      if (content.length % 512) out(Buffer.alloc(512 - (content.length % 512)));
      payload += content.length;
      count++;
    }
    return true;
  });
  out(Buffer.alloc(1024));
  fs.closeSync(fd);
  const digest = `sha256:${hash.digest('hex')}`;
  fs.renameSync(tmp, path.join(layout, 'blobs', 'sha256', digest.slice(7)));
  return { digest, size, count, payload };
}

const t0 = performance.now();
const layers = [];
// layer 1: the rootfs itself
layers.push(writeLayer(0, (add) => entries.forEach((e) => add(e.p, e))));
// layers 2..N: copies of its files, paced to reach FILES files and BYTES bytes in all
let cursor = 0;
for (let k = 1; k < LAYERS; k++) {
  const doneFiles = layers.reduce((n, l) => n + l.count, 0);
  const doneBytes = layers.reduce((n, l) => n + l.size, 0);
  const wantFiles = Math.ceil((FILES - doneFiles) / (LAYERS - k));
  const wantBytes = (BYTES - doneBytes) / (LAYERS - k);
  layers.push(
    writeLayer(k, (add) => {
      let n = 0;
      let bytes = 0;
      for (let guard = 0; n < wantFiles && guard < files.length * 4; guard++) {
        const e = files[cursor++ % files.length];
        const cost = 512 + Math.ceil(e.size / 512) * 512;
        // keep bytes on pace with files: take a file when it does not run ahead of the byte budget
        if (bytes + cost > (wantBytes * (n + 1)) / wantFiles + 4 * 2 ** 20) continue;
        if (add(`synthetic/L${k}/${n % 64}/${e.p}`, e)) {
          n++;
          bytes += cost;
        }
      }
    }),
  );
}
const buildSeconds = (performance.now() - t0) / 1000;

// ---- config, manifests, index: three tags over the same blobs
const put = (obj) => {
  const b = Buffer.from(JSON.stringify(obj));
  const d = crypto.createHash('sha256').update(b).digest('hex');
  fs.writeFileSync(path.join(layout, 'blobs', 'sha256', d), b);
  return { digest: `sha256:${d}`, size: b.length };
};
const tags = [
  ['quarter', Math.max(1, Math.round(LAYERS / 4))],
  ['half', Math.max(1, Math.round(LAYERS / 2))],
  ['all', LAYERS],
];
const manifests = tags.map(([tag, n]) => {
  const ls = layers.slice(0, n);
  const config = put({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ls.map((l) => l.digest) }, config: {} });
  const m = put({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: ls.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: l.digest, size: l.size })),
  });
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': tag } };
});
fs.writeFileSync(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));

// ---- scan each tag
function timed(argv) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr.slice(-2000)}`);
  return { seconds, rssMiB: Number(m[1]) / 1024, stdout: r.stdout };
}
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const spread = (xs, d) => `${sorted(xs)[0].toFixed(d)}–${sorted(xs)[xs.length - 1].toFixed(d)}`;

const db = path.join(work, 'db');
timed([bulwark, '--cache-dir', db, 'db', 'update', '--source', path.join(images, 'mirror'), '--ecosystem', 'Debian']);
const totalFiles = layers.reduce((n, l) => n + l.count, 0);
const totalBytes = layers.reduce((n, l) => n + l.size, 0);
console.log(
  `synthetic OCI layout from ${rootfs}: ${LAYERS} uncompressed layers, ${totalFiles} files, ${(totalBytes / 2 ** 30).toFixed(2)} GiB (built in ${buildSeconds.toFixed(1)} s); ${runs} runs per tag, median (min–max); node ${process.version}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
console.log('| tag | layers | files | GiB | wall s | s per GiB | s per GiB added since the previous tag | peak RSS MiB | packages |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
let prev;
for (const [tag, n] of tags) {
  const ls = layers.slice(0, n);
  const gib = ls.reduce((s, l) => s + l.size, 0) / 2 ** 30;
  const res = [];
  let packages = 0;
  for (let i = 0; i < runs; i++) {
    const r = timed([bulwark, '--cache-dir', db, 'scan', `oci-dir:${layout}:${tag}`, '--offline', '--no-layer-cache', '--format', 'json', '--fail-on', 'none']);
    packages = JSON.parse(r.stdout).packages.length;
    res.push(r);
  }
  const s = res.map((r) => r.seconds);
  const m = res.map((r) => r.rssMiB);
  const marginal = prev ? ((median(s) - prev.s) / (gib - prev.gib)).toFixed(2) : '';
  console.log(
    `| ${tag} | ${n} | ${ls.reduce((c, l) => c + l.count, 0)} | ${gib.toFixed(2)} | ${median(s).toFixed(2)} (${spread(s, 2)}) | ${(median(s) / gib).toFixed(2)} | ${marginal} | ${median(m).toFixed(0)} (${spread(m, 0)}) | ${packages} |`,
  );
  prev = { s: median(s), gib };
}
if (!args.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
else console.log(`kept ${layout}`);
