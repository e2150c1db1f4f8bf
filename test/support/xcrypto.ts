import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './shared.js';

const FEEDS = path.join(REPO_ROOT, 'src/advisory/feeds');

/**
 * A mirror (`--source`) with two real Go advisories and NVD's records of their CVEs: GO-2024-3321 (CVE-2024-45337)
 * and GO-2023-2402 (CVE-2023-48795) as golang/vulndb publishes them, in an OSV export STORED as Python's zipfile
 * writes it (src/advisory/feeds/osv/__fixtures__/stored-go.zip), and one NVD API 2.0 page made from
 * src/advisory/feeds/nvd/__fixtures__/cves.jsonl. The Go advisories carry no severity; NVD rates CVE-2024-45337 9.1.
 */
export function writeXcryptoMirror(): string {
  const mirror = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-xcrypto-mirror-'));
  fs.mkdirSync(path.join(mirror, 'osv/Go'), { recursive: true });
  fs.copyFileSync(path.join(FEEDS, 'osv/__fixtures__/stored-go.zip'), path.join(mirror, 'osv/Go/all.zip'));
  const items = fs
    .readFileSync(path.join(FEEDS, 'nvd/__fixtures__/cves.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.includes('"id":"CVE-2024-45337"') || l.includes('"id":"CVE-2023-48795"'));
  if (items.length !== 2) throw new Error(`cves.jsonl: expected the records of CVE-2024-45337 and CVE-2023-48795, found ${items.length}`);
  fs.mkdirSync(path.join(mirror, 'nvd/cves-2.0'), { recursive: true });
  fs.writeFileSync(
    path.join(mirror, 'nvd/cves-2.0/page-0000.json'),
    `{"resultsPerPage":2,"startIndex":0,"totalResults":2,"format":"NVD_CVE","version":"2.0","timestamp":"2026-08-14T16:16:55.673","vulnerabilities":[${items.join(',')}]}`,
  );
  return mirror;
}

/** A Go project pinning golang.org/x/crypto before the fix of CVE-2024-45337. */
export function writeXcryptoProject(): string {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-xcrypto-project-'));
  fs.writeFileSync(path.join(project, 'go.mod'), 'module example.com/app\n\ngo 1.21\n\nrequire golang.org/x/crypto v0.0.0-20201002170205-7f63de1d35b0\n');
  return project;
}
