import { describe, expect, it } from 'vitest';
import { run, runPeer } from '../../../../test/support/extract.js';
import { gradleLockfileExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/gradle/lockfile/testdata';

describe('lang/gradle-lockfile required', () => {
  it.each([
    ['gradle.lockfile', true],
    ['app/gradle.lockfile', true],
    ['gradle/dependency-locks/compileClasspath.lockfile', true],
    ['buildscript-gradle.lockfile', false],
    ['x.lockfile', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// aquasecurity/trivy pkg/dependency/parser/gradle/lockfile/parse_test.go "happy path": cglib:cglib-nodep 2.1.2,
// org.springframework:spring-asm 3.1.3.RELEASE, org.springframework:spring-beans 5.0.5.RELEASE. The peer drops
// junit:junit 4.13.2, locked only in test configurations; we keep it with dev: true. Lines are those of the
// fixture as stored here (the test version we could read lists 4/5/6, written before the junit line was added).
describe('lang/gradle-lockfile on trivy fixtures', () => {
  it('happy.lockfile', async () => {
    const out = await runPeer(ex, T, 'happy.lockfile');
    expect(out.packages.map((p) => [p.name, p.version, p.dev, p.locations[0]?.line])).toEqual([
      ['cglib:cglib-nodep', '2.1.2', false, 4],
      ['junit:junit', '4.13.2', true, 5],
      ['org.springframework:spring-asm', '3.1.3.RELEASE', false, 6],
      ['org.springframework:spring-beans', '5.0.5.RELEASE', false, 7],
    ]);
    expect(out.packages[0]).toMatchObject({ ecosystem: 'Maven', purl: 'pkg:maven/cglib/cglib-nodep@2.1.2' });
  });
  it('empty.lockfile', async () => {
    expect((await runPeer(ex, T, 'empty.lockfile')).packages).toEqual([]);
  });
  it('integration gradle/gradle.lockfile', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/gradle/gradle.lockfile');
    expect(out.packages.map((p) => [p.name, p.version, p.dev])).toEqual([['com.fasterxml.jackson.core:jackson-databind', '2.9.1', false]]);
  });
});

describe('lang/gradle-lockfile formats', () => {
  it('legacy per-configuration lockfile; a malformed line is recorded', async () => {
    const out = await run(ex, 'gradle/dependency-locks/testRuntimeClasspath.lockfile', '# x\norg.a:b:1.0\nnot-a-coordinate\n');
    expect(out.packages.map((p) => [p.name, p.version, p.dev])).toEqual([['org.a:b', '1.0', true]]);
    expect(out.problems).toHaveLength(1);
  });
});
