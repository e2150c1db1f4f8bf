import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importReport } from '../../src/import/index.js';
import { REPO_ROOT } from '../support/shared.js';

/** Real Trivy output (test/fixtures/trivy-output/README.md): OS packages as a server re-matches them. */
const FILE = path.join(REPO_ROOT, 'test/fixtures/trivy-output/extras-excerpt.json');

describe('Trivy --list-all-pkgs OS packages', () => {
  const report = importReport(fs.readFileSync(FILE), { filename: 'extras-excerpt.json' });

  it('joins Epoch, Version and Release into the dpkg version, so the packages are the vulnerable ones (one each)', () => {
    expect(report.packages.map((p) => `${p.name} ${p.version}`).sort()).toEqual([
      'adduser 3.134',
      'curl 7.88.1-10+deb12u15',
      'libc-bin 2.36-9+deb12u14',
      'libc6 2.36-9+deb12u14',
      'libcurl4 7.88.1-10+deb12u15',
      'passwd 1:4.13+dfsg1-1+deb12u2',
    ]);
  });

  it('identifies them for matching: Debian 12, a purl with the distro, the source package from the Packages entry', () => {
    const libc6 = report.packages.find((p) => p.name === 'libc6')!;
    expect(libc6.ecosystem).toBe('Debian:12');
    expect(libc6.purl).toMatch(/^pkg:deb\/debian\/libc6@2\.36-9\+deb12u14\?.*distro=debian-12\.15/);
    expect(libc6.source?.name).toBe('glibc');
    const finding = report.findings.find((f) => f.package.name === 'libc6')!;
    expect(finding.id).toBe('CVE-TEST-0006');
    expect(finding.package.purl).toBe(libc6.purl);
  });
});
