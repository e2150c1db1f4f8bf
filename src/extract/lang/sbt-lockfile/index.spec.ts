import { describe, expect, it } from 'vitest';
import { extractText, runPeer } from '../../../../test/support/extract.js';
import { sbtLockfileExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/sbt/lockfile/testdata';

describe('lang/sbt-lockfile required', () => {
  it.each([
    ['build.sbt.lock', true],
    ['sub/build.sbt.lock', true],
    ['build.sbt', false],
    ['sbt.lock.json', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// aquasecurity/trivy pkg/dependency/parser/sbt/lockfile (parse_test.go "v1 happy path"): commons-lang3 3.9,
// scala-library 2.12.10, cats-core_2.12 2.9.0; the peer drops scalatest-core_2.13 3.2.15 (test only), which we
// keep with dev: true.
describe('lang/sbt-lockfile on trivy fixtures', () => {
  it('v1_happy.sbt.lock', async () => {
    const out = await runPeer(ex, T, 'v1_happy.sbt.lock');
    expect(out.packages.map((p) => [p.name, p.version, p.dev])).toEqual([
      ['org.apache.commons:commons-lang3', '3.9', false],
      ['org.scala-lang:scala-library', '2.12.10', false],
      ['org.scalatest:scalatest-core_2.13', '3.2.15', true],
      ['org.typelevel:cats-core_2.12', '2.9.0', false],
    ]);
    expect(out.packages[0]).toMatchObject({ ecosystem: 'Maven', purl: 'pkg:maven/org.apache.commons/commons-lang3@3.9', locations: [{ line: 10 }] });
    expect(out.packages.find((p) => p.name === 'org.typelevel:cats-core_2.12')?.locations[0]?.line).toBe(42);
  });

  it('empty.sbt.lock', async () => {
    expect((await runPeer(ex, T, 'empty.sbt.lock')).packages).toEqual([]);
  });

  it('integration repo/sbt/build.sbt.lock', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/sbt/build.sbt.lock');
    expect(out.packages.length).toBeGreaterThan(0);
    expect(out.problems ?? []).toEqual([]);
  });

  it('hostile: another lockVersion, not JSON, entries without a version', async () => {
    await expect(extractText(ex, 'build.sbt.lock', '{"lockVersion": 2, "dependencies": []}')).rejects.toThrow(/build\.sbt\.lock: .*lockVersion 2/);
    await expect(extractText(ex, 'build.sbt.lock', '{"lockVersion": 1,')).rejects.toThrow(/build\.sbt\.lock/);
    const out = await extractText(ex, 'build.sbt.lock', '{"lockVersion": 1, "dependencies": [{"org": "a", "name": "b"}, 3]}');
    expect(out.packages).toEqual([]);
    expect(out.problems?.map((e) => e.message)).toEqual(['dependencies[0]: org, name and version are required', 'dependencies[1]: not an object']);
  });
});
