import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdvisoryDbReader } from '../advisory/store/reader.js';
import { databasePath, updateDatabase } from '../advisory/update.js';
import { DEFAULT_EXTRACTORS } from '../extract/registry.js';
import { extractDirectory } from '../scan/directory.js';
import { matchPackages } from './engine.js';

const advisoryDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../advisory/feeds');

/**
 * A Go project pinning golang.org/x/crypto before the fix of CVE-2024-45337. The Go advisory (GO-2024-3321)
 * carries no severity; NVD rates the CVE it aliases 9.1 (the Go CNA's CVSS v3.1, NVD's only metric for it).
 * Both are real records: the OSV export holds GO-2024-3321 and GO-2023-2402 as golang/vulndb publishes them,
 * STORED as Python's zipfile writes, and the NVD page holds the CVEs' records from NVD.
 */
describe('severity from NVD via the CVE alias', () => {
  let reader: AdvisoryDbReader;
  let project: string;

  beforeAll(async () => {
    const mirror = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-xcrypto-mirror-'));
    fs.mkdirSync(path.join(mirror, 'osv/Go'), { recursive: true });
    fs.copyFileSync(path.join(advisoryDir, 'osv/__fixtures__/stored-go.zip'), path.join(mirror, 'osv/Go/all.zip'));
    const items = fs
      .readFileSync(path.join(advisoryDir, 'nvd/__fixtures__/cves.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l.includes('"id":"CVE-2024-45337"') || l.includes('"id":"CVE-2023-48795"'));
    expect(items).toHaveLength(2);
    fs.mkdirSync(path.join(mirror, 'nvd/cves-2.0'), { recursive: true });
    fs.writeFileSync(
      path.join(mirror, 'nvd/cves-2.0/page-0000.json'),
      `{"resultsPerPage":2,"startIndex":0,"totalResults":2,"format":"NVD_CVE","version":"2.0","timestamp":"2026-08-14T16:16:55.673","vulnerabilities":[${items.join(',')}]}`,
    );
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-xcrypto-cache-'));
    const r = await updateDatabase({ cacheDir, source: mirror, ecosystems: ['Go', 'nvd'] });
    expect(r.outcomes.map((o) => `${o.feed} ${o.result} ${o.records}`)).toEqual(['osv/Go imported 2', 'nvd imported 2']);
    reader = AdvisoryDbReader.open(databasePath(cacheDir));

    project = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-xcrypto-project-'));
    fs.writeFileSync(
      path.join(project, 'go.mod'),
      'module example.com/app\n\ngo 1.21\n\nrequire golang.org/x/crypto v0.0.0-20201002170205-7f63de1d35b0\n',
    );
  });
  afterAll(() => reader?.close());

  it('golang.org/x/crypto v0.0.0-20201002170205-7f63de1d35b0 is CRITICAL from NVD via CVE-2024-45337', async () => {
    const extracted = await extractDirectory(project, DEFAULT_EXTRACTORS);
    expect(extracted.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`)).toContain('Go golang.org/x/crypto v0.0.0-20201002170205-7f63de1d35b0');
    const { findings } = matchPackages(extracted.packages, reader);
    const f = findings.find((x) => x.id === 'GO-2024-3321');
    expect(f).toMatchObject({
      aliases: ['CVE-2024-45337', 'GHSA-v778-237x-gjrc'],
      severity: 'CRITICAL',
      severitySource: 'NVD CVSS_V3.1 Secondary (134c704f-9b21-4f2e-91b3-4a467353bcc0) via CVE-2024-45337',
      cvss: { score: 9.1, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N' },
      fixedVersion: '0.31.0',
    });
    // Terrapin: this NVD record is an early "Awaiting Analysis" version without metrics, so nothing rates it.
    expect(findings.find((x) => x.id === 'GO-2023-2402')).toMatchObject({ severity: 'UNKNOWN', severitySource: null });
  });
});
