/**
 * Before/after comparison of scan reports: every folder of the trivy integration repo fixtures, the npm project of
 * test/fixtures, and Debian root filesystems of the syft fixtures are scanned with the built CLI against an advisory
 * DB made from ../shared/vulndata, and each report's digest (sorted packages, findings with their fixed version, file
 * problems: test/support/report-digest.ts) must equal test/fixtures/golden/scan-digests.json, recorded at the commit
 * before the restructuring of issue 12. Severity and the gate are deliberately not compared.
 *
 * Regenerate the golden (only when a change of what is found is intended, and say so in the commit):
 *   npm run build && BULWARK_UPDATE_GOLDEN=1 npx vitest run test/e2e/report-compare.spec.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import { runCli, snapshotCache } from '../support/cli.js';
import { testImages, testImagesFor } from '../support/images.js';
import { digestReport } from '../support/report-digest.js';
import type { ReportDigest } from '../support/report-digest.js';
import { REPO_ROOT, SHARED_PEER_FIXTURES_DIR, hasShared } from '../support/shared.js';

const SHARED = hasShared('test/e2e/report-compare.spec.ts', 'vulndata', 'peer-fixtures');
const GOLDEN = path.join(REPO_ROOT, 'test/fixtures/golden/scan-digests.json');
const IMAGE_GOLDEN = path.join(REPO_ROOT, 'test/fixtures/golden/image-digests.json');
const IMAGES = testImagesFor('test/e2e/report-compare.spec.ts (test images)');
const UPDATE = process.env.BULWARK_UPDATE_GOLDEN === '1';
const ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'crates.io', 'RubyGems', 'Maven', 'NuGet', 'Packagist', 'Debian'];

/** name → scan target. Names are relative to ../shared/peer-fixtures or to the repository. */
function targets(): [string, string][] {
  const repo = 'trivy/integration/testdata/fixtures/repo';
  const dir = path.join(SHARED_PEER_FIXTURES_DIR, repo);
  const folders = fs.readdirSync(dir).filter((d) => fs.statSync(path.join(dir, d)).isDirectory()).sort();
  return [
    ...folders.map((f): [string, string] => [`${repo}/${f}`, path.join(dir, f)]),
    ['test/fixtures/npm-project', path.join(REPO_ROOT, 'test/fixtures/npm-project')],
    ...['image-dpkg', 'image-distroless-deb'].map((d): [string, string] => {
      const rel = `syft/syft/pkg/cataloger/debian/testdata/${d}`;
      return [`rootfs:${rel}`, `rootfs:${path.join(SHARED_PEER_FIXTURES_DIR, rel)}`];
    }),
  ];
}

describe.skipIf(!SHARED)('scan reports are the same as before the restructuring (test/fixtures/golden/scan-digests.json)', () => {
  const list = SHARED ? targets() : [];
  const golden = fs.existsSync(GOLDEN) ? (JSON.parse(fs.readFileSync(GOLDEN, 'utf8')) as Record<string, ReportDigest>) : {};
  const seen: Record<string, ReportDigest> = {};
  let cacheDir = '';

  beforeAll(() => {
    cacheDir = snapshotCache(ECOSYSTEMS);
  }, 300_000);

  afterAll(() => {
    if (UPDATE && Object.keys(seen).length === list.length) fs.writeFileSync(GOLDEN, `${JSON.stringify(seen, null, 1)}\n`);
  });

  it('the golden covers exactly the scanned targets', () => {
    if (UPDATE) return;
    expect(Object.keys(golden).sort()).toEqual(list.map(([name]) => name).sort());
  });

  it.each(list)('%s', (name, target) => {
    const r = runCli(['--cache-dir', cacheDir, 'scan', target, '--offline', '--format', 'json']);
    expect(r.code, r.stderr).not.toBe(2);
    const digest = digestReport(JSON.parse(r.stdout) as ScanReport);
    seen[name] = digest;
    if (UPDATE) return;
    expect(digest, `${name} (regenerate only for an intended change; see the head of this spec)`).toEqual(golden[name]);
  });
});

/**
 * The test images of make-test-images.sh, as docker-archives, against the Debian advisories of their mirror. The
 * images are built on each machine: the golden records each image's manifest digest, and an image built
 * differently (another digest) is reported as such rather than compared.
 */
describe.skipIf(!IMAGES)('image scan reports are the same as before (test/fixtures/golden/image-digests.json)', () => {
  type ImageGolden = Record<string, { manifestDigest: string; digest: ReportDigest }>;
  const images = IMAGES ? testImages(IMAGES) : [];
  const golden = fs.existsSync(IMAGE_GOLDEN) ? (JSON.parse(fs.readFileSync(IMAGE_GOLDEN, 'utf8')) as ImageGolden) : {};
  const seen: ImageGolden = {};
  let cacheDir = '';

  beforeAll(() => {
    cacheDir = fs.mkdtempSync(path.join(REPO_ROOT, '.bench-out-compare-'));
    const r = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', path.join(IMAGES ?? '', 'mirror'), '--ecosystem', 'Debian']);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  afterAll(() => {
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
    if (UPDATE && Object.keys(seen).length === images.length) fs.writeFileSync(IMAGE_GOLDEN, `${JSON.stringify(seen, null, 1)}\n`);
  });

  it.each(images.map((i) => [i.tag, i.manifestDigest] as const))('%s', (tag, manifestDigest) => {
    const r = runCli(['--cache-dir', cacheDir, 'scan', path.join(IMAGES ?? '', 'archives', `${tag}.tar`), '--offline', '--format', 'json']);
    expect(r.code, r.stderr).not.toBe(2);
    const digest = digestReport(JSON.parse(r.stdout) as ScanReport);
    seen[tag] = { manifestDigest, digest };
    if (UPDATE) return;
    const want = golden[tag];
    expect(want, `no golden for image ${tag}`).toBeDefined();
    if (want?.manifestDigest !== manifestDigest) {
      console.warn(`[not compared] image ${tag}: built as ${manifestDigest}, the golden was recorded for ${want?.manifestDigest}`);
      return;
    }
    expect(digest, `image ${tag}`).toEqual(want.digest);
  });
});
