// Advisory database import: time, peak memory and database size.
//   npm run build && node bench/db-import.mjs [--shared ../shared]
// 1. the whole shared snapshot (../shared/vulndata), cold, then again unchanged;
// 2. a synthetic OSV npm export 20x the size of the snapshot's npm export (every record copied 20 times under
//    new ids), to show that import time grows linearly and memory stays flat;
// 3. synthetic NVD mirrors (nvd/cves-2.0/page-NNNN.json, 2,000 records a page as the API pages them, the
//    snapshot's 83 real records copied under new ids) of 5, 20 and 80 pages: time linear, memory flat.
//    `--only nvd` runs this part alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import zlib from 'node:zlib';
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

/**
 * Writes <dir>/osv/npm/all.zip with every record of the snapshot's npm export `factor` times (ids suffixed).
 * A minimal streaming zip writer (deflate, CRC-32, central directory at the end): yazl queues every entry in
 * memory, which is too slow for a quarter of a million entries.
 */
async function syntheticNpm(dir, factor) {
  const out = path.join(dir, 'osv/npm');
  fs.mkdirSync(out, { recursive: true });
  const fd = fs.openSync(path.join(out, 'all.zip'), 'w');
  const central = [];
  let offset = 0;
  const write = (buf) => {
    fs.writeSync(fd, buf);
    offset += buf.length;
  };
  const addEntry = (name, data) => {
    const nameBuf = Buffer.from(name);
    const deflated = zlib.deflateRawSync(data);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0, 6); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(0x00210000, 10); local.writeUInt32LE(crc, 14); local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(data.length, 22); local.writeUInt16LE(nameBuf.length, 26); local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(0, 8); cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(0x00210000, 12); cd.writeUInt32LE(crc, 16); cd.writeUInt32LE(deflated.length, 20); cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(nameBuf.length, 28); cd.writeUInt32LE(offset, 42);
    central.push(Buffer.concat([cd, nameBuf]));
    write(Buffer.concat([local, nameBuf, deflated]));
  };
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
            addEntry(`${id}.json`, Buffer.from(JSON.stringify({ ...doc, id })));
            n++;
          }
          src.readEntry();
        });
      });
    });
    src.readEntry();
  });
  const cdStart = offset;
  for (const c of central) write(c);
  const cdSize = offset - cdStart;
  // More than 65,535 entries: a ZIP64 end-of-central-directory record and locator carry the real counts.
  const z64At = offset;
  const z64 = Buffer.alloc(56);
  z64.writeUInt32LE(0x06064b50, 0); z64.writeBigUInt64LE(44n, 4); z64.writeUInt16LE(45, 12); z64.writeUInt16LE(45, 14);
  z64.writeBigUInt64LE(BigInt(central.length), 24); z64.writeBigUInt64LE(BigInt(central.length), 32);
  z64.writeBigUInt64LE(BigInt(cdSize), 40); z64.writeBigUInt64LE(BigInt(cdStart), 48);
  write(z64);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0); locator.writeBigUInt64LE(BigInt(z64At), 8); locator.writeUInt32LE(1, 16);
  write(locator);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(0xffff, 8); end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(cdSize, 12); end.writeUInt32LE(cdStart, 16);
  write(end);
  fs.closeSync(fd);
  return n;
}

/** Writes <dir>/nvd/cves-2.0/page-NNNN.json: `pages` pages of 2,000 records, copies of the snapshot's real ones. */
function syntheticNvd(dir, pages) {
  const out = path.join(dir, 'nvd/cves-2.0');
  fs.mkdirSync(out, { recursive: true });
  const real = JSON.parse(fs.readFileSync(path.join(vulndata, 'nvd/cves-2.0/page-0000.json'), 'utf8')).vulnerabilities;
  const per = 2000;
  const total = per * pages;
  for (let p = 0; p < pages; p++) {
    const fd = fs.openSync(path.join(out, `page-${String(p).padStart(4, '0')}.json`), 'w');
    fs.writeSync(fd, `{"resultsPerPage":${per},"startIndex":${p * per},"totalResults":${total},"format":"NVD_CVE","version":"2.0","timestamp":"2026-08-14T16:16:55.673","vulnerabilities":[`);
    for (let i = 0; i < per; i++) {
      const n = p * per + i;
      const src = real[n % real.length];
      const item = { cve: { ...src.cve, id: `CVE-9${String(Math.floor(n / 100000)).padStart(3, '0')}-${String(n % 100000).padStart(5, '0')}` } };
      fs.writeSync(fd, (i > 0 ? ',\n' : '\n') + JSON.stringify(item));
    }
    fs.writeSync(fd, ']}');
    fs.closeSync(fd);
  }
  return total;
}

const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

console.log(`node ${process.version}, ${os.cpus().length} cores, ${fmt(mib(os.totalmem()) / 1024, 0)} GiB`);
console.log('| run | wall s | peak RSS MiB | DB MiB |');
console.log('| --- | ---: | ---: | ---: |');
if (only === undefined || only === 'nvd') {
  for (const pages of [5, 20, 80]) {
    const mirror = path.join(work, `nvd${pages}`);
    const records = syntheticNvd(mirror, pages);
    const bytes = fs.readdirSync(path.join(mirror, 'nvd/cves-2.0')).reduce((n, f) => n + fs.statSync(path.join(mirror, 'nvd/cves-2.0', f)).size, 0);
    const cache = path.join(work, `nvd${pages}-cache`);
    row(`synthetic NVD mirror, ${pages} pages (${records.toLocaleString('en')} CVEs, ${fmt(mib(bytes), 0)} MiB)`, measureCli(['--cache-dir', cache, 'db', 'update', '--source', mirror, '--ecosystem', 'nvd']), cache);
    fs.rmSync(mirror, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
  }
}
if (only === 'nvd') {
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

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
