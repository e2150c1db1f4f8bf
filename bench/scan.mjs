// Source-tree scan: wall time (Node start-up included) and peak memory.
//   npm run build && node bench/scan.mjs [--shared ../shared]
// 1. one package-lock.json with 5,000 packages (the real test/fixtures/npm-project lockfile, 467 packages, plus
//    synthetic packages up to 5,000), matched against the snapshot's npm advisories;
// 2. a tree holding 200 lockfiles (copies of the peer fixtures' lockfiles of every ecosystem in sub-folders).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, measureCli, median } from './lib/measure.mjs';

const args = process.argv.slice(2);
const shared = path.resolve(args.includes('--shared') ? args[args.indexOf('--shared') + 1] : '../shared');
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-scan-'));
const cache = path.join(work, 'cache');
const ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'crates.io', 'RubyGems', 'Maven', 'NuGet', 'Packagist'];

const setup = measureCli(['--cache-dir', cache, 'db', 'update', '--source', path.join(shared, 'vulndata'), ...ECOSYSTEMS.flatMap((e) => ['--ecosystem', e])]);
if (setup.exitCode !== 0) throw new Error(setup.stderr);

// 1. 5,000-package lockfile
const big = path.join(work, 'big');
fs.mkdirSync(big);
const lock = JSON.parse(fs.readFileSync(path.join(repo, 'test/fixtures/npm-project/package-lock.json'), 'utf8'));
let i = 0;
while (Object.keys(lock.packages).length < 5001) {
  const name = `bench-pkg-${String(i).padStart(5, '0')}`;
  lock.packages[`node_modules/${name}`] = { version: `1.${i % 50}.${i % 7}`, resolved: `https://registry.npmjs.org/${name}/-/${name}-1.0.0.tgz`, integrity: 'sha512-AAAA' };
  i++;
}
fs.writeFileSync(path.join(big, 'package-lock.json'), JSON.stringify(lock, null, 2));
fs.copyFileSync(path.join(repo, 'test/fixtures/npm-project/package.json'), path.join(big, 'package.json'));

// 2. 200 lockfiles
const tree = path.join(work, 'tree');
const lockfiles = [];
for (const dir of [path.join(shared, 'peer-fixtures/trivy/integration/testdata/fixtures/repo'), path.join(repo, 'test/fixtures')]) {
  for (const d of fs.readdirSync(dir)) {
    for (const f of fs.readdirSync(path.join(dir, d))) {
      const p = path.join(dir, d, f);
      if (fs.statSync(p).isFile() && /(lock|\.lock|lock\.json|requirements\.txt|go\.mod|go\.sum|pom\.xml|\.deps\.json|packages\.config|Package\.resolved|\.lockfile)$/i.test(f)) lockfiles.push([d, p]);
    }
  }
}
for (let n = 0; n < 200; n++) {
  const [d, p] = lockfiles[n % lockfiles.length];
  const dest = path.join(tree, `project-${String(n).padStart(3, '0')}-${d}`);
  fs.mkdirSync(dest, { recursive: true });
  fs.copyFileSync(p, path.join(dest, path.basename(p)));
}

function bench(label, target, runs = 5) {
  const ms = [];
  for (let r = 0; r < runs; r++) ms.push(measureCli(['--cache-dir', cache, 'scan', target, '--offline', '--format', 'json', '-o', path.join(work, 'out.json')]));
  const report = JSON.parse(fs.readFileSync(path.join(work, 'out.json'), 'utf8'));
  console.log(`| ${label} | ${report.packages.length} | ${report.findings.length} | ${fmt(median(ms.map((m) => m.seconds)))} | ${fmt(median(ms.map((m) => m.maxRssMiB)), 0)} |`);
}

console.log(`node ${process.version}, ${os.cpus().length} cores; median of 5 runs; whole CLI process, Node start-up included`);
console.log('| target | packages | findings | wall s | peak RSS MiB |');
console.log('| --- | ---: | ---: | ---: | ---: |');
bench('one package-lock.json with 5,000 packages', big);
bench(`tree with 200 lockfiles (${new Set(lockfiles.map((l) => path.basename(l[1]))).size} formats)`, tree);
const t0 = process.hrtime.bigint();
measureCli(['--version']);
console.log(`(bulwark --version alone: ${fmt(Number(process.hrtime.bigint() - t0) / 1e9)} s)`);
fs.rmSync(work, { recursive: true, force: true });
