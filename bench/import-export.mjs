#!/usr/bin/env node
// Report import and ECS export throughput, in process (no CLI start-up).
// Run after a build:  npm run build && node bench/import-export.mjs [--rounds 5]
// 1. every report of ../shared/import-fixtures (81 files, 4.9 MB), imported `rounds` times: MB/s and findings/s;
// 2. one large synthetic Trivy report: trivy/legacy_many_vulns.json's 93 findings repeated over 400 image
//    results with distinct package versions (37,200 findings): seconds and peak RSS;
// 3. ECS documents and the _bulk body of that large report: documents/s.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importReport } from '../dist/import/index.js';
import { reportDocuments } from '../dist/export/ecs.js';
import { bulkBody } from '../dist/export/bulk.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = process.env.BULWARK_SHARED_DIR ?? path.resolve(ROOT, '../shared');
const DIR = path.join(SHARED, 'import-fixtures');
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : /\.(json|xml)$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

const inputs = files(DIR).filter((f) => !f.includes(`${path.sep}invalid${path.sep}`)).map((f) => ({ f, bytes: fs.readFileSync(f), format: f.includes('osv_scanner') ? 'osv-scanner' : undefined }));
const totalBytes = inputs.reduce((n, i) => n + i.bytes.length, 0);
let findings = 0;
const t0 = process.hrtime.bigint();
for (let r = 0; r < ROUNDS; r++) {
  for (const i of inputs) findings += importReport(i.bytes, { filename: i.f, ...(i.bytes.length === 0 ? { format: 'osv-scanner' } : {}) }).findings.length;
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`fixtures: ${inputs.length} files, ${(totalBytes / 1e6).toFixed(2)} MB x ${ROUNDS}: ${s.toFixed(2)} s, ${((totalBytes * ROUNDS) / 1e6 / s).toFixed(1)} MB/s, ${Math.round(findings / s)} findings/s`);

const legacy = JSON.parse(fs.readFileSync(path.join(DIR, 'trivy/legacy_many_vulns.json'), 'utf8'));
const big = [];
for (let k = 0; k < 400; k++) {
  for (const r of legacy) big.push({ ...r, Target: `image-${k} (debian 10.4)`, Vulnerabilities: r.Vulnerabilities.map((v) => ({ ...v, InstalledVersion: `${v.InstalledVersion}+b${k}` })) });
}
const bigBytes = Buffer.from(JSON.stringify(big));
const t1 = process.hrtime.bigint();
const report = importReport(bigBytes, { filename: 'synthetic-trivy.json' });
const s1 = Number(process.hrtime.bigint() - t1) / 1e9;
console.log(`large Trivy report: ${(bigBytes.length / 1e6).toFixed(1)} MB, ${report.findings.length} findings: ${s1.toFixed(2)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

const t2 = process.hrtime.bigint();
const docs = reportDocuments(report, { project: 'bench' });
const body = bulkBody(docs);
const s2 = Number(process.hrtime.bigint() - t2) / 1e9;
console.log(`ECS export: ${docs.length} documents, _bulk body ${(body.length / 1e6).toFixed(1)} MB: ${s2.toFixed(2)} s, ${Math.round(docs.length / s2)} documents/s`);
