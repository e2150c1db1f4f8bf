// Advisory database import: time, peak memory and database size.
//   npm run build && node bench/db-import.mjs [--shared ../shared]
// 1. the whole shared snapshot (../shared/vulndata), cold, then again unchanged;
// 2. a synthetic OSV npm export 20x the size of the snapshot's npm export (every record copied 20 times under
//    new ids), to show that import time grows linearly and memory stays flat.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { fmt, measureCli } from './lib/measure.mjs';

const args = process.argv.slice(2);
const shared = path.resolve(args.includes('--shared') ? args[args.indexOf('--shared') + 1] : '../shared');
const vulndata = path.join(shared, 'vulndata');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-db-'));
const dbFile = (cache) => path.join(cache, 'db/advisories.db');
const mib = (bytes) => bytes / (1 << 20);

function row(label, m, cache) {
  const size = fs.existsSync(dbFile(cache)) ? fmt(mib(fs.statSync(dbFile(cache)).size), 1) : '-';
  console.log(`| ${label} | ${fmt(m.seconds)} | ${fmt(m.maxRssMiB, 0)} | ${size} |`);
  if (m.exitCode !== 0) console.log(`  (exit ${m.exitCode}: ${m.stderr.split('\n').slice(-4).join(' ')})`);
}

/** Writes <dir>/osv/npm/all.zip with every record of the snapshot's npm export `factor` times (ids suffixed). */
async function syntheticNpm(dir, factor) {
  const out = path.join(dir, 'osv/npm');
  fs.mkdirSync(out, { recursive: true });
  const zip = new yazl.ZipFile();
  const done = new Promise((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(path.join(out, 'all.zip'))).on('close', resolve).on('error', reject));
  const src = await new Promise((resolve, reject) => yauzl.open(path.join(vulndata, 'osv/npm/all.zip'), { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  let n = 0;
  await new Promise((resolve, reject) => {
    src.on('end', resolve);
    src.on('error', reject);
    src.on('entry', (entry) => {
      src.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', () => {
          const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          for (let i = 0; i < factor; i++) {
            const id = i === 0 ? doc.id : `${doc.id}-X${i}`;
            zip.addBuffer(Buffer.from(JSON.stringify({ ...doc, id })), `${id}.json`, { mtime: new Date(0) });
            n++;
          }
          src.readEntry();
        });
      });
    });
    src.readEntry();
  });
  zip.end();
  await done;
  return n;
}

console.log(`node ${process.version}, ${os.cpus().length} cores, ${fmt(mib(os.totalmem()) / 1024, 0)} GiB`);
console.log('| run | wall s | peak RSS MiB | DB MiB |');
console.log('| --- | ---: | ---: | ---: |');
const snap = path.join(work, 'snapshot');
row('whole snapshot, cold', measureCli(['--cache-dir', snap, 'db', 'update', '--source', vulndata]), snap);
row('whole snapshot, unchanged rerun', measureCli(['--cache-dir', snap, 'db', 'update', '--source', vulndata]), snap);

const npm1 = path.join(work, 'npm1');
row('npm export (13,326 records)', measureCli(['--cache-dir', npm1, 'db', 'update', '--source', vulndata, '--ecosystem', 'npm']), npm1);
const mirror = path.join(work, 'mirror20');
const records = await syntheticNpm(mirror, 20);
const npm20 = path.join(work, 'npm20');
row(`synthetic npm export 20x (${records.toLocaleString('en')} records, ${fmt(mib(fs.statSync(path.join(mirror, 'osv/npm/all.zip')).size), 0)} MiB zip)`, measureCli(['--cache-dir', npm20, 'db', 'update', '--source', mirror, '--ecosystem', 'npm']), npm20);
fs.rmSync(work, { recursive: true, force: true });
