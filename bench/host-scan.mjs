#!/usr/bin/env node
// Host scans: `bulwark scan <path>` (default /usr) and `bulwark scan rootfs:/`, whole CLI process, wall time and
// peak RSS (from /usr/bin/time), with the dpkg inventory of rootfs:/ compared to `dpkg-query -W` on Debian.
// Run: npm run build && node bench/host-scan.mjs [path ...]   (needs /usr/bin/time; builds a DB from ../shared/vulndata)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/bulwark.js');
const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-host-'));
execFileSync(process.execPath, [bin, '--cache-dir', cache, 'db', 'update', '--source', path.join(root, '../shared/vulndata'), '--ecosystem', 'Debian,npm,PyPI,Go,Maven,crates.io'], { stdio: 'ignore' });

function measure(target) {
  const out = path.join(cache, 'report.json');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, bin, '--cache-dir', cache, 'scan', target, '--offline', '--format', 'json', '-o', `json=${out}`], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const [secs, kb] = r.stderr.trim().split('\n').at(-1).split(' ');
  if (r.status === 2) throw new Error(`${target}: ${r.stderr}`);
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  return { target, seconds: Number(secs), peakMiB: Math.round(Number(kb) / 1024), packages: report.packages.length, report };
}

for (const target of process.argv.length > 2 ? process.argv.slice(2) : ['/usr', 'rootfs:/']) {
  const m = measure(target);
  let dpkg = '';
  if (target === 'rootfs:/' && spawnSync('dpkg-query', ['--version']).status === 0) {
    const ours = m.report.packages.filter((p) => p.foundBy === 'os/dpkg' && p.locations.some((l) => l.path === 'var/lib/dpkg/status')).map((p) => `${p.name} ${p.version}`).sort();
    const theirs = execFileSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    dpkg = `, dpkg ${ours.length} = dpkg-query ${theirs.length}: ${JSON.stringify(ours) === JSON.stringify(theirs)}`;
  }
  console.log(`${target}: ${m.seconds} s, peak ${m.peakMiB} MiB, ${m.packages} packages${dpkg}`);
}
fs.rmSync(cache, { recursive: true, force: true });
