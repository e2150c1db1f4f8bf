import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { run } from '../../../../test/support/extract.js';
import { javaArchiveExtractor as ex } from './index.js';
import { makeZip, pomProperties } from '../../../../test/support/make-zip.js';
import { LIMITS, nameVersionFromFileName, parseManifest } from './parse.js';

describe('lang/java-archive required', () => {
  it.each([
    ['app.jar', true],
    ['opt/app/app.WAR', true],
    ['x.ear', true],
    ['x.par', true],
    ['plugins/git.hpi', true],
    ['x.jar.sha1', false],
    ['pom.xml', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

describe('lang/java-archive identities', () => {
  it('pom.properties, including shaded ones', async () => {
    const jar = makeZip([
      { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\n\r\n' },
      pomProperties('com.example', 'app', '1.0.0'),
      pomProperties('com.google.guava', 'guava', '31.1-jre'),
    ]);
    const out = await run(ex, 'lib/app-1.0.0.jar', jar);
    expect(out.packages).toEqual([
      { ecosystem: 'Maven', name: 'com.example:app', version: '1.0.0', purl: 'pkg:maven/com.example/app@1.0.0', locations: [{ path: 'lib/app-1.0.0.jar' }], foundBy: 'lang/java-archive' },
      { ecosystem: 'Maven', name: 'com.google.guava:guava', version: '31.1-jre', purl: 'pkg:maven/com.google.guava/guava@31.1-jre', locations: [{ path: 'lib/app-1.0.0.jar' }], foundBy: 'lang/java-archive' },
    ]);
    expect(out.unknowns).toBeUndefined();
  });

  it('nested jars in a war and a war in an ear, located with !/', async () => {
    const inner = makeZip([pomProperties('org.apache.logging.log4j', 'log4j-core', '2.14.1')]);
    const war = makeZip([pomProperties('com.example', 'web', '2.0'), { name: 'WEB-INF/lib/log4j-core-2.14.1.jar', data: inner }]);
    const ear = makeZip([{ name: 'web.war', data: war }, { name: 'lib/log4j-core-2.14.1.jar', data: inner }]);
    const out = await run(ex, 'deploy/app.ear', ear);
    expect(out.packages.map((p) => [p.name, p.version, p.locations.map((l) => l.path)])).toEqual([
      ['com.example:web', '2.0', ['deploy/app.ear!/web.war']],
      ['org.apache.logging.log4j:log4j-core', '2.14.1', ['deploy/app.ear!/lib/log4j-core-2.14.1.jar', 'deploy/app.ear!/web.war!/WEB-INF/lib/log4j-core-2.14.1.jar']],
    ]);
  });

  it('MANIFEST.MF fallback: a package with a group, flagged low confidence', async () => {
    const mf = 'Manifest-Version: 1.0\r\nImplementation-Title: Commons Foo\r\nImplementation-Version: 1.4\r\nImplementation-Vendor-Id: org.example\r\n\r\n';
    const out = await run(ex, 'foo-1.4.jar', makeZip([{ name: 'META-INF/MANIFEST.MF', data: mf }]));
    expect(out.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['org.example:foo@1.4']);
    expect(out.unknowns).toMatchObject([{ kind: 'not-evaluable', package: { name: 'org.example:foo', version: '1.4' } }]);
  });

  it('file-name fallback only yields an unknown (no groupId)', async () => {
    const out = await run(ex, 'WEB-INF/lib/mystery-3.2.1.jar', makeZip([{ name: 'a.class', data: 'x' }]));
    expect(out.packages).toEqual([]);
    expect(out.unknowns).toMatchObject([{ kind: 'not-evaluable', package: { name: 'mystery', version: '3.2.1' } }]);
  });

  it('helpers', () => {
    expect(nameVersionFromFileName('commons-lang3-3.12.0.jar')).toEqual({ artifactId: 'commons-lang3', version: '3.12.0' });
    expect(nameVersionFromFileName('app.jar')).toBeUndefined();
    expect(parseManifest('A: 1\r\nB: long\r\n  er\r\n\r\nName: x\r\nA: 2\r\n')).toEqual(new Map([['A', '1'], ['B', 'long er']]));
  });
});

describe('lang/java-archive limits and malformed input', () => {
  const saved = { ...LIMITS };
  afterEach(() => Object.assign(LIMITS, saved));

  it('not a zip → ParseError naming the path', async () => {
    await expect(run(ex, 'lib/broken.jar', 'PK\u0003\u0004 truncated')).rejects.toSatisfy((e: unknown) => e instanceof ParseError && e.path === 'lib/broken.jar');
  });

  it('a nested archive beyond the size cap is skipped and recorded (zip-bomb-like)', async () => {
    LIMITS.maxNestedBytes = 1000;
    const big = makeZip([pomProperties('x', 'big', '1'), { name: 'pad.bin', data: Buffer.alloc(5000) }]);
    const out = await run(ex, 'app.war', makeZip([pomProperties('com.example', 'app', '1'), { name: 'WEB-INF/lib/big-1.jar', data: big }]));
    expect(out.packages.map((p) => p.name)).toEqual(['com.example:app']);
    expect(out.problems?.[0]?.message).toMatch(/skipped nested archive WEB-INF\/lib\/big-1\.jar: \d+ bytes exceeds/);
  });

  it('nesting deeper than the depth cap is skipped and recorded', async () => {
    let z = makeZip([pomProperties('deep', 'd4', '1')]);
    for (let i = 3; i >= 1; i--) z = makeZip([pomProperties('deep', `d${i}`, '1'), { name: `lib/d${i + 1}.jar`, data: z }]);
    LIMITS.maxDepth = 2;
    const out = await run(ex, 'd0.jar', makeZip([{ name: 'lib/d1.jar', data: z }]));
    expect(out.packages.map((p) => p.name)).toEqual(['deep:d1', 'deep:d2']);
    expect(out.problems?.[0]?.message).toContain('deeper than 2 levels');
  });

  it('a corrupt nested jar is recorded, the rest still reported', async () => {
    const out = await run(ex, 'app.war', makeZip([pomProperties('com.example', 'app', '1'), { name: 'WEB-INF/lib/bad.jar', data: 'not a zip' }]));
    expect(out.packages.map((p) => p.name)).toEqual(['com.example:app']);
    expect(out.problems?.[0]?.message).toContain('WEB-INF/lib/bad.jar');
  });
});

describe('lang/java-archive on real jars', () => {
  // Debian's libcommons-io-java ships a real Maven-built jar with pom.properties.
  const commonsIo = '/usr/share/java/commons-io-2.11.0.jar';
  it.skipIf(!fs.existsSync(commonsIo))('Debian libcommons-io-java: commons-io:commons-io 2.11.0', async () => {
    const out = await run(ex, 'usr/share/java/commons-io-2.11.0.jar', new Uint8Array(fs.readFileSync(commonsIo)));
    expect(out.packages.map((p) => [p.name, p.version, p.purl])).toEqual([['commons-io:commons-io', '2.11.0', 'pkg:maven/commons-io/commons-io@2.11.0']]);
  });

  const hasJar = (() => {
    try {
      execFileSync('jar', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!hasJar)('a war built with the JDK `jar` tool, with a nested jar in WEB-INF/lib (skipped without a JDK)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-jar-'));
    try {
      const inner = path.join(dir, 'inner');
      fs.mkdirSync(path.join(inner, 'META-INF/maven/org.yaml/snakeyaml'), { recursive: true });
      fs.writeFileSync(path.join(inner, 'META-INF/maven/org.yaml/snakeyaml/pom.properties'), 'groupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n');
      const web = path.join(dir, 'web');
      fs.mkdirSync(path.join(web, 'WEB-INF/lib'), { recursive: true });
      fs.mkdirSync(path.join(web, 'META-INF/maven/com.example/shop'), { recursive: true });
      fs.writeFileSync(path.join(web, 'META-INF/maven/com.example/shop/pom.properties'), 'groupId=com.example\nartifactId=shop\nversion=0.9.0\n');
      execFileSync('jar', ['cf', path.join(web, 'WEB-INF/lib/snakeyaml-1.33.jar'), '-C', inner, '.']);
      execFileSync('jar', ['cf', path.join(dir, 'shop.war'), '-C', web, '.']);
      const out = await run(ex, 'shop.war', new Uint8Array(fs.readFileSync(path.join(dir, 'shop.war'))));
      expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.path])).toEqual([
        ['com.example:shop', '0.9.0', 'shop.war'],
        ['org.yaml:snakeyaml', '1.33', 'shop.war!/WEB-INF/lib/snakeyaml-1.33.jar'],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
