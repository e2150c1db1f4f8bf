import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { dirTree, emptyTree, run, runPeer } from '../../../../test/support/extract.js';
import { mavenPomExtractor as ex } from './index.js';
import { interpolate, joinPath } from './resolve.js';

const T = 'trivy/pkg/dependency/parser/java/pom/testdata';

describe('lang/maven-pom required', () => {
  it.each([
    ['pom.xml', true],
    ['module/pom.xml', true],
    ['pom.properties', false],
    ['x.pom', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// Transcribed from aquasecurity/trivy pkg/dependency/parser/java/pom/parse_test.go: the packages the peer marks
// RelationshipDirect, with their StartLine, for every case whose parents are reachable on disk through relativePath.
// The peer also resolves transitive dependencies from a Maven repository; we report declared dependencies only.
describe('lang/maven-pom on trivy fixtures (direct dependencies)', () => {
  it.each([
    // happy: the peer drops `provided` (example-provided 999, line 43); we keep it, not dev (it runs in production).
    ['happy', [['org.example:example-api', '1.7.30', 32], ['org.example:example-provided', '999', 43], ['org.example:example-runtime', '1.0.0', 37]]],
    ['parent-properties/child', [['org.example:example-api', '1.7.30', 33]]],
    ['project-version-from-parent/child', [['org.example:example-api', '2.0.0', 18]]],
    // ${project.version} and ${project.parent.version} are the model's, not same-named user properties.
    ['parent-child-properties', [['org.example:example-api3', '4.0.3', 30], ['org.example:example-dependency', '1.2.3', 25]]],
    ['parent-dependency-management/child', [['org.example:example-api', '1.7.30', 26]]],
    ['transitive-parents/base', [['org.example:example-child', '2.0.0', 28]]],
    ['parent-relative-path', [['org.example:example-api', '1.7.30', 26]]],
    ['parent-version-is-property/child', [['org.example:example-api', '1.1.1', 19]]],
    ['parent-remote-repository', [['org.example:example-api', '1.7.30', 25]]],
    ['soft-requirement', [['org.example:example-api', '1.7.30', 32], ['org.example:example-dependency', '1.2.3', 37]]],
    ['soft-requirement-with-transitive-dependencies', [['org.example:example-dependency', '1.2.3', 13], ['org.example:example-dependency2', '2.3.4', 18]]],
    ['exclusions', [['org.example:example-nested', '3.3.3', 14]]],
    ['exclusions-in-child', [['org.example:example-exclusions', '4.0.0', 10]]],
    ['wildcard-exclusions', [['org.example:example-dependency', '1.2.3', 14], ['org.example:example-dependency2', '2.3.4', 25], ['org.example:example-nested', '3.3.3', 36]]],
    ['root-pom-dep-management', [['org.example:example-nested', '3.3.3', 20]]],
    ['transitive-dependency-management', [['org.example:example-dependency-management3', '1.1.1', 14]]],
    ['not-found-parent', [['org.example:example-api', '1.7.30', 27]]],
    ['not-found-dependency', [['org.example:example-not-found', '999', 21]]],
    ['offline', [['org.example:example-offline', '2.3.4', 17]]],
    ['multi-module', []],
    ['no-parent-infinity-loop', []],
  ] as const)('%s', async (dir, want) => {
    const out = await runPeer(ex, T, dir, 'pom.xml');
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual(want);
    expect(out.packages.every((p) => p.ecosystem === 'Maven' && p.direct === true && p.purl === `pkg:maven/${p.name.replace(':', '/')}@${p.version}`)).toBe(true);
  });

  it('parent-dependencies/child: dependencies inherited from the parent are located in the parent file', async () => {
    const out = await runPeer(ex, T, 'parent-dependencies/child/pom.xml');
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.path])).toEqual([
      ['org.example:example-api', '1.7.30', `${T}/parent-dependencies/pom.xml`],
    ]);
  });

  // The peer resolves these from BOMs in its local Maven repository (testdata/repository) or a remote one:
  // inherit-props → 2.0.0, import-dependency-management(-multiple) → 1.7.30. We never fetch: unknowns with the BOM named.
  it.each([
    ['inherit-props/base', 'org.example:example-bom:2.0.0'],
    ['import-dependency-management', 'org.example:example-dependency-management:3.3.3'],
    ['import-dependency-management-multiple', 'org.example:example-dependency-management2:1.1.1'],
  ])('%s: version managed by a BOM not on disk → unresolved-version unknown', async (dir, bom) => {
    const out = await runPeer(ex, T, dir, 'pom.xml');
    expect(out.packages).toEqual([]);
    expect(out.unknowns).toHaveLength(1);
    expect(out.unknowns?.[0]).toMatchObject({ kind: 'unresolved-version', ecosystem: 'Maven', package: { name: 'org.example:example-api' } });
    expect(out.unknowns?.[0]?.message).toContain(bom);
  });

  it('version-requirement: a range is not a version (the peer reports it without a version)', async () => {
    const out = await runPeer(ex, T, 'version-requirement/pom.xml');
    expect(out.packages).toEqual([]);
    expect(out.unknowns?.[0]?.message).toContain('(,1.0] is a range');
  });

  it('dep-without-version: the parent on disk is another artifact → unresolved, naming the parent', async () => {
    const out = await runPeer(ex, T, 'dep-without-version/pom.xml');
    expect(out.unknowns?.[0]?.message).toMatch(/parent com\.example:wrong-parent:1\.0\.0 not on disk/);
  });

  it('integration repo/pom/pom.xml: provided kept, test scope → dev', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/pom/pom.xml');
    expect(out.packages.map((p) => [p.name, p.version, p.dev])).toEqual([
      ['com.fasterxml.jackson.core:jackson-databind', '2.9.1', false],
      ['javax.servlet:javax.servlet-api', '4.0.1', false],
      ['org.junit.jupiter:junit-jupiter-api', '5.7.1', true],
      ['org.junit.jupiter:junit-jupiter-engine', '5.7.1', true],
    ]);
  });
});

describe('lang/maven-pom semantics', () => {
  const pom = (body: string, parent = '') =>
    `<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n${parent}  <groupId>g</groupId>\n  <artifactId>a</artifactId>\n  <version>1.0</version>\n${body}</project>\n`;

  it('scope test → dev; properties, ${project.version}; a comment mentioning <dependency> does not shift lines', async () => {
    const text = pom(
      [
        '  <properties><junit.version>4.13.2</junit.version></properties>',
        '  <!-- <dependency> commented out -->',
        '  <dependencies>',
        '    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>${junit.version}</version><scope>test</scope></dependency>',
        '    <dependency><groupId>g</groupId><artifactId>sibling</artifactId><version>${project.version}</version></dependency>',
        '  </dependencies>',
        '',
      ].join('\n'),
    );
    const out = await run(ex, 'pom.xml', text);
    expect(out.packages.map((p) => [p.name, p.version, p.dev, p.locations[0]?.line])).toEqual([
      ['g:sibling', '1.0', false, 11],
      ['junit:junit', '4.13.2', true, 10],
    ]);
  });

  it('an unknown property stays unresolved; a missing remote parent is named', async () => {
    const parent = '  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.2.0</version><relativePath/></parent>\n';
    const text = pom('  <dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId><version>${y.version}</version></dependency></dependencies>\n', parent);
    const out = await run(ex, 'pom.xml', text, emptyTree);
    expect(out.packages).toEqual([]);
    expect(out.unknowns?.[0]?.message).toContain('${y.version}');
    expect(out.unknowns?.[0]?.message).toContain('spring-boot-starter-parent');
  });

  it('a parent cycle through relativePath terminates', async () => {
    const a = pom('', '  <parent><groupId>g</groupId><artifactId>a</artifactId><version>1.0</version><relativePath>pom.xml</relativePath></parent>\n');
    const out = await run(ex, 'pom.xml', a, dirTree('/nonexistent'));
    expect(out.packages).toEqual([]);
  });

  it('helpers', () => {
    expect(joinPath('a/b', '../pom.xml')).toBe('a/pom.xml');
    expect(joinPath('', '../pom.xml')).toBeUndefined();
    expect(interpolate('${a}-${b}', new Map([['a', '${b}'], ['b', '1']]))).toBe('1-1');
    expect(interpolate('${self}', new Map([['self', '${self}']]))).toBe('${self}');
  });

  it('nested entity definitions (billion laughs) are not expanded into memory', async () => {
    let ents = '<!ENTITY a0 "xxxxxxxxxx">';
    for (let i = 1; i < 10; i++) ents += `<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`;
    const text = `<?xml version="1.0"?><!DOCTYPE project [${ents}]><project><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>&a9;</version></dependency></dependencies></project>`;
    const started = Date.now();
    const out = await run(ex, 'pom.xml', text);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(JSON.stringify(out).length).toBeLessThan(10_000);
  });

  it('bad XML → ParseError naming the path', async () => {
    await expect(run(ex, 'm/pom.xml', '<project><dependencies></project>')).rejects.toSatisfy((e: unknown) => e instanceof ParseError && e.path === 'm/pom.xml');
  });
  it('another root element → ParseError', async () => {
    await expect(run(ex, 'pom.xml', '<settings/>')).rejects.toBeInstanceOf(ParseError);
  });
});
