// A 50 MB package-lock.json: wall time and peak memory of a whole `bulwark scan`, and of the npm-lock
// extractor alone, in-process.
//   npm run build && node bench/lockfile.mjs [--shared ../shared] [--entries 170000] [--runs 3]
// The lockfile (lockfileVersion 3, hoisted and nested entries with resolved/integrity/license/dependencies,
// about 330 bytes an entry) is generated into a temporary directory and deleted afterwards; it is never
// committed. The advisory database is the shared snapshot's npm advisories (`db update --source`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, measureCli, median } from './lib/measure.mjs';
import { writeNpmLock } from './lib/npm-lock-gen.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const shared = path.resolve(opt('--shared', '../shared'));
const entries = Number(opt('--entries', '170000'));
const runs = Number(opt('--runs', '3'));
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!fs.existsSync(path.join(repo, 'bundle/main.js'))) throw new Error('run `npm run build` first');
if (!fs.existsSync(path.join(shared, 'vulndata'))) throw new Error(`no advisory snapshot at ${shared}/vulndata (pass --shared <dir>)`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-lockfile-'));
try {
  const cache = path.join(work, 'cache');
  const project = path.join(work, 'project');
  fs.mkdirSync(project);
  const lockPath = path.join(project, 'package-lock.json');
  writeNpmLock(lockPath, entries);
  const mb = fs.statSync(lockPath).size / 1e6;

  const setup = measureCli(['--cache-dir', cache, 'db', 'update', '--source', path.join(shared, 'vulndata'), '--ecosystem', 'npm']);
  if (setup.exitCode !== 0) throw new Error(setup.stderr);

  console.log(`node ${process.version}, ${os.cpus().length} cores; package-lock.json of ${entries} entries, ${fmt(mb, 1)} MB; median of ${runs} runs`);
  console.log('| measured | packages | exit | wall s | peak RSS MiB |');
  console.log('| --- | --- | --- | --- | --- |');

  // 1. the extractor alone (read, decode, parse, build packages), in a fresh process
  const extractOnly = `
    import fs from 'node:fs';
    const { npmLockExtractor } = await import(${JSON.stringify(path.join(repo, 'dist/extract/lang/npm-lock/index.js'))});
    const t0 = process.hrtime.bigint();
    const content = fs.readFileSync(${JSON.stringify(lockPath)});
    const out = await npmLockExtractor.extract({ path: 'package-lock.json', content, tree: { read: async () => undefined } });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(JSON.stringify({ s, packages: out.packages.length, rssKiB: process.resourceUsage().maxRSS }));`;
  const ex = [];
  for (let r = 0; r < runs; r++) {
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', extractOnly], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (p.status !== 0) throw new Error(p.stderr);
    ex.push(JSON.parse(p.stdout.trim().split('\n').pop()));
  }
  console.log(`| npm-lock extractor only | ${ex[0].packages} | 0 | ${fmt(median(ex.map((e) => e.s)))} | ${fmt(median(ex.map((e) => e.rssKiB / 1024)), 0)} |`);

  // 2. the whole CLI: bulwark scan <dir> --offline --format json
  const out = path.join(work, 'report.json');
  const ms = [];
  for (let r = 0; r < runs; r++) ms.push(measureCli(['--cache-dir', cache, 'scan', project, '--offline', '--format', 'json', '-o', out]));
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  const errors = report.errors ?? [];
  console.log(`| bulwark scan (whole CLI) | ${report.packages.length} | ${ms.map((m) => m.exitCode).join('/')} | ${fmt(median(ms.map((m) => m.seconds)))} | ${fmt(median(ms.map((m) => m.maxRssMiB)), 0)} |`);
  if (errors.length > 0) console.log(`errors in the report: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
