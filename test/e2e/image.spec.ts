import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import { validateReport } from '../../src/report/schema.js';
import { runCli } from '../support/cli.js';
import { ensureRegistries, expectedDpkgPackages, registriesRequired, testImage, testImagesFor } from '../support/images.js';
import type { TestRegistries } from '../support/images.js';

const IMAGES = testImagesFor('test/e2e/image.spec.ts');
// CI builds the images (.ci/run); locally the tests skip when ../shared/tools/make-test-images.sh was not run.
const missing = !IMAGES && process.env.CI !== 'true';

/**
 * What each image must show, from <images>/expected/advisories.json (six synthetic Debian 12 advisories): the
 * advisory id and the binary packages of its source package that are installed in that image.
 */
const EXPECTED_FINDINGS: Record<string, string[]> = {
  minbase: ['CVE-TEST-0005 tzdata', 'CVE-TEST-0006 libc-bin', 'CVE-TEST-0006 libc6'],
  extras: ['CVE-TEST-0001 curl', 'CVE-TEST-0001 libcurl4', 'CVE-TEST-0003 libxml2', 'CVE-TEST-0004 wget', 'CVE-TEST-0005 tzdata', 'CVE-TEST-0006 libc-bin', 'CVE-TEST-0006 libc6'],
  multi: ['CVE-TEST-0001 curl', 'CVE-TEST-0001 libcurl4', 'CVE-TEST-0003 libxml2', 'CVE-TEST-0006 libc-bin', 'CVE-TEST-0006 libc6'],
  opaque: ['CVE-TEST-0001 curl', 'CVE-TEST-0001 libcurl4', 'CVE-TEST-0003 libxml2', 'CVE-TEST-0006 libc-bin', 'CVE-TEST-0006 libc6'],
};

describe.skipIf(missing)('scanning the real Debian test images', () => {
  let cacheDir: string;
  beforeAll(() => {
    if (!IMAGES) throw new Error('BULWARK_TEST_IMAGES is not set and /tmp/bulwark-images has no images (run ../shared/tools/make-test-images.sh)');
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-img-'));
    const r = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', path.join(IMAGES, 'mirror'), '--ecosystem', 'Debian']);
    expect(r.code, r.stderr).toBe(0);
  });

  function scan(target: string, extra: string[] = []): ScanReport {
    const r = runCli(['--cache-dir', cacheDir, 'scan', target, '--offline', '--format', 'json', ...extra]);
    expect(r.code, r.stderr).not.toBe(2);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(validateReport(report)).toEqual([]);
    expect(r.code).toBe(report.gate.passed ? 0 : 1);
    return report;
  }

  function check(report: ScanReport, tag: string): void {
    const dpkg = report.packages.filter((p) => p.foundBy === 'os/dpkg');
    expect(dpkg.map((p) => p.name).sort()).toEqual(expectedDpkgPackages(IMAGES!, tag));
    expect(report.os).toEqual({ family: 'debian', version: expect.stringMatching(/^12(\.\d+)?$/), name: 'Debian GNU/Linux 12 (bookworm)' });
    for (const p of dpkg) expect(p.ecosystem).toBe('Debian:12');
    expect(report.findings.map((f) => `${f.id} ${f.package.name}`).sort()).toEqual(EXPECTED_FINDINGS[tag]);
    expect(report.errors).toEqual([]);
  }

  it.each(['minbase', 'extras', 'multi', 'opaque'])('%s as a docker-archive', (tag) => {
    check(scan(path.join(IMAGES!, 'archives', `${tag}.tar`)), tag);
  });

  it('multi in every local form: OCI layout, OCI archive and rootfs give the same packages and findings', () => {
    check(scan(`oci-dir:${path.join(IMAGES!, 'oci')}:multi`), 'multi');
    check(scan(`oci-archive:${path.join(IMAGES!, 'archives', 'multi.oci.tar')}`), 'multi');
    const rootfs = scan(`rootfs:${path.join(IMAGES!, 'rootfs', 'multi')}`);
    check(rootfs, 'multi');
    expect(rootfs.target.kind).toBe('rootfs');
  });

  it('names the image and the layer that introduced each package, and carries source, arch and fix state', () => {
    const report = scan(path.join(IMAGES!, 'archives', 'multi.tar'));
    const img = testImage(IMAGES!, 'multi');
    expect(report.target.kind).toBe('image');
    expect(report.target.image!.layers).toHaveLength(3);
    const layers = report.target.image!.layers.map((l) => l.digest);
    const pkg = (name: string) => report.packages.find((p) => p.name === name && p.foundBy === 'os/dpkg')!;
    expect(pkg('libc6').layer).toBe(layers[0]);
    expect(pkg('curl').layer).toBe(layers[1]);
    expect(pkg('libcurl4')).toMatchObject({ source: { name: 'curl' }, arch: 'amd64', ecosystem: 'Debian:12' });
    expect(pkg('libcurl4').purl).toMatch(/^pkg:deb\/debian\/libcurl4@.*arch=amd64.*distro=debian-12/);
    const curl = report.findings.find((f) => f.id === 'CVE-TEST-0001' && f.package.name === 'curl')!;
    expect(curl).toMatchObject({ severity: 'HIGH', fixedVersion: '7.88.1-10+deb12u99', fixState: 'fixed', layer: layers[1] });
    const libxml2 = report.findings.find((f) => f.id === 'CVE-TEST-0003')!;
    expect(libxml2).toMatchObject({ severity: 'MEDIUM', fixedVersion: null, fixState: 'not-fixed' });
    expect(report.target.image!.configDigest).toBe(img.config);
  });

  it('a warm layer cache gives the same report; --no-layer-cache neither reads nor writes it', () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-img-cache-'));
    fs.cpSync(path.join(cacheDir, 'db'), path.join(fresh, 'db'), { recursive: true });
    const run = (extra: string[]) => {
      const r = runCli(['--cache-dir', fresh, 'scan', path.join(IMAGES!, 'archives', 'multi.tar'), '--offline', '--format', 'json', ...extra]);
      return JSON.parse(r.stdout) as ScanReport;
    };
    const uncached = run(['--no-layer-cache']);
    expect(fs.existsSync(path.join(fresh, 'layers'))).toBe(false);
    const cold = run([]);
    expect(fs.readdirSync(path.join(fresh, 'layers'))).toHaveLength(3);
    const warm = run([]);
    const strip = (r: ScanReport) => ({ ...r, createdAt: '' });
    expect(strip(warm)).toEqual(strip(cold));
    expect(strip(uncached)).toEqual(strip(cold));
  });

  it('a root filesystem holding only a package database still yields its packages; the OS is reported unknown', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bare-rootfs-'));
    fs.mkdirSync(path.join(dir, 'var/lib/dpkg'), { recursive: true });
    fs.copyFileSync(path.join(IMAGES!, 'rootfs/minbase/var/lib/dpkg/status'), path.join(dir, 'var/lib/dpkg/status'));
    const report = scan(`rootfs:${dir}`);
    expect(report.os).toBeNull();
    expect(report.packages.map((p) => p.name).sort()).toEqual(expectedDpkgPackages(IMAGES!, 'minbase'));
    expect(report.packages.every((p) => p.ecosystem === 'deb')).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.unknowns.some((u) => u.kind === 'os-not-covered')).toBe(true);
  });

  it('a Debian release the database does not cover is reported as such, never as clean', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-img-nodeb-'));
    const mirror = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-mirror-'));
    fs.mkdirSync(path.join(mirror, 'debian'));
    fs.writeFileSync(path.join(mirror, 'debian/json'), JSON.stringify({ curl: { 'CVE-2099-1': { releases: { bullseye: { status: 'open', urgency: 'low', repositories: { bullseye: '7.74.0-1.3' } } } } } }));
    expect(runCli(['--cache-dir', empty, 'db', 'update', '--source', mirror, '--ecosystem', 'Debian']).code).toBe(0);
    const r = runCli(['--cache-dir', empty, 'scan', path.join(IMAGES!, 'archives', 'minbase.tar'), '--offline', '--format', 'json']);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.findings).toEqual([]);
    expect(report.unknowns).toContainEqual(expect.objectContaining({ kind: 'no-advisory-data', ecosystem: 'Debian:12' }));
  });
});

describe.skipIf(missing)('scanning images from the loopback registries', () => {
  let regs: TestRegistries | undefined;
  let cacheDir: string;
  beforeAll(async () => {
    regs = await ensureRegistries(IMAGES!);
    if (!regs && registriesRequired()) throw new Error('the test registries could not be started');
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-reg-'));
    expect(runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', path.join(IMAGES!, 'mirror'), '--ecosystem', 'Debian']).code).toBe(0);
  }, 300_000);

  it.each([
    ['plain', [] as string[]],
    ['basic', ['--username', 'scanner', '--password', 's3cret']],
    ['bearer', ['--username', 'scanner', '--password', 's3cret']],
  ] as const)('%s registry: the same packages and findings as the archive', (kind, creds) => {
    if (!regs) return;
    const r = runCli(['--cache-dir', cacheDir, 'scan', `registry:${regs[kind]}/debian:multi`, '--insecure', '--offline', '--format', 'json', ...creds]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.packages.filter((p) => p.foundBy === 'os/dpkg').map((p) => p.name).sort()).toEqual(expectedDpkgPackages(IMAGES!, 'multi'));
    expect(report.findings.map((f) => `${f.id} ${f.package.name}`).sort()).toEqual(EXPECTED_FINDINGS.multi);
    expect(report.target.image?.manifestDigest).toMatch(/^sha256:/);
  });

  it('the gunzip workers a registry scan starts ahead never hold the process: a warm scan and a failed one exit at once', () => {
    if (!regs) return;
    const args = ['--cache-dir', cacheDir, 'scan', `registry:${regs.plain}/debian:multi`, '--insecure', '--offline', '--format', 'json'];
    runCli(args, { timeoutMs: 60_000 });
    const warm = runCli(args, { timeoutMs: 20_000 }); // every layer in the layer cache: no worker is used
    expect(warm.code).toBe(1); // the gate (findings with fixes), not a kill
    const refused = runCli(['--cache-dir', cacheDir, 'scan', 'registry:127.0.0.1:9/nothing:here', '--insecure', '--offline'], { timeoutMs: 20_000 });
    expect(refused.code).toBe(2);
  });

  it('a wrong password is one clear line and exit 2', () => {
    if (!regs) return;
    const r = runCli(['--cache-dir', cacheDir, 'scan', `registry:${regs.basic}/debian:multi`, '--insecure', '--offline', '--username', 'scanner', '--password', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/401|unauthori[sz]ed|credentials/i);
  });
});
