import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { readPeerFixture } from '../../../../test/support/fixtures.js';
import { extractText, ids } from '../../../../test/support/extract.js';
import { pythonInstalledExtractor as ex } from './index.js';

const DIR = ['trivy', 'pkg', 'dependency', 'parser', 'python', 'packaging', 'testdata'];

describe('lang/python-installed required()', () => {
  it.each([
    ['usr/lib/python3/site-packages/requests-2.31.0.dist-info/METADATA', true],
    ['lib/python3.9/site-packages/setuptools.egg-info/PKG-INFO', true],
    ['lib/python3.9/site-packages/distlib-0.3.1-py3.9.egg-info', true],
    ['lib/python3.9/site-packages/requests/__init__.py', false],
    ['x.dist-info/RECORD', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// Fixtures from trivy pkg/dependency/parser/python/packaging/testdata; name and version per file as their
// file names say (trivy's parse_test.go expects the same name/version pairs).
describe('lang/python-installed on trivy fixtures', () => {
  it.each([
    ['simple-0.1.0.METADATA', 'simple@0.1.0'],
    ['distlib-0.3.1.METADATA', 'distlib@0.3.1'],
    ['distlib-0.3.1-py3.9.egg-info', 'distlib@0.3.1'],
    ['networkx-3.0.METADATA', 'networkx@3.0'],
    ['iniconfig-2.0.0.METADATA', 'iniconfig@2.0.0'],
    ['asyncssh-2.14.2.METADATA', 'asyncssh@2.14.2'],
    ['zipp-3.12.1.METADATA', 'zipp@3.12.1'],
    ['pyphen-0.14.0.METADATA', 'pyphen@0.14.0'],
    ['setuptools-51.3.3-py3.8.egg-info.PKG-INFO', 'setuptools@51.3.3'],
  ])('%s → %s', async (f, want) => {
    const out = await extractText(ex, `site-packages/${f.replace(/\.(METADATA|PKG-INFO)$/, '')}.dist-info/METADATA`, readPeerFixture(...DIR, f));
    expect(ids(out.packages)).toEqual([want]);
    expect(out.packages[0]?.purl).toBe(`pkg:pypi/${want}`);
  });

  it('unidecode egg-info PKG-INFO: normalized name', async () => {
    const out = await extractText(ex, 'site-packages/Unidecode.egg-info/PKG-INFO', readPeerFixture(...DIR, 'unidecode-egg-info.PKG-INFO'));
    expect(out.packages.map((p) => p.name)).toEqual(['unidecode']);
  });

  it('invalid.json → ParseError naming the path', async () => {
    const err = await extractText(ex, 'x.dist-info/METADATA', readPeerFixture(...DIR, 'invalid.json')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).path).toBe('x.dist-info/METADATA');
  });

  it('continuation lines and first-header-wins', async () => {
    const out = await extractText(ex, 'a.dist-info/METADATA', 'Metadata-Version: 2.1\nName: Zope.Interface\nVersion: 5.4.0\nSummary: a\n  b\n\nName: body\n');
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([['zope-interface', '5.4.0', 2]]);
  });
});
