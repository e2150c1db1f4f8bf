#!/usr/bin/env node
// Comparisons per second per version scheme over the conformance fixture pairs.
// Run after a build:  npm run build && node bench/versioning.mjs [--ms 400]
// "cached" is how the scanner runs (parsed versions are memoized per scheme); "parse+compare" turns the
// cache off, so every comparison parses both strings.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMES } from '../dist/versioning/registry.js';
import { parseCache } from '../dist/versioning/util.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = path.join(ROOT, 'src/versioning/__fixtures__');
const msArg = process.argv.indexOf('--ms');
const BUDGET_MS = msArg > 0 ? Number(process.argv[msArg + 1]) : 400;

function pairsOf(id) {
  const text = fs.readFileSync(path.join(FIXTURES, `${id}-versions.txt`), 'utf8');
  const pairs = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) [<=>] (\S+)$/.exec(line.trim());
    if (m) pairs.push([m[1], m[2]]);
  }
  return pairs;
}

function measure(scheme, pairs) {
  let sink = 0;
  for (const [a, b] of pairs) sink += scheme.compare(a, b); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(BUDGET_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (const [a, b] of pairs) sink += scheme.compare(a, b);
    n += pairs.length;
    now = process.hrtime.bigint();
  }
  const secs = Number(now - start) / 1e9;
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return n / secs;
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const rows = [];
for (const scheme of SCHEMES) {
  if (scheme.id === 'generic') continue;
  const pairs = pairsOf(scheme.id);
  parseCache.enabled = true;
  const cached = measure(scheme, pairs);
  parseCache.enabled = false;
  const cold = measure(scheme, pairs);
  parseCache.enabled = true;
  rows.push([scheme.id, String(pairs.length), fmt(cached), fmt(cold)]);
}
const head = ['scheme', 'pairs', 'cached cmp/s', 'parse+compare cmp/s'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`node ${process.version}, ${BUDGET_MS} ms per measurement`);
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
