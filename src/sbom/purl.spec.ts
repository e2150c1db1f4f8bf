import { describe, expect, it } from 'vitest';
import { inventoryOfSbomText } from './index.js';
import { packageOfPurl } from '../core/purl.js';

describe('packageOfPurl', () => {
  it.each([
    ['pkg:npm/%40babel/core@7.0.0', { ecosystem: 'npm', name: '@babel/core', version: '7.0.0' }],
    ['pkg:pypi/Django_Rest@3.0', { ecosystem: 'PyPI', name: 'django-rest', version: '3.0' }],
    ['pkg:golang/github.com/gin-gonic/gin@v1.9.0', { ecosystem: 'Go', name: 'github.com/gin-gonic/gin', version: 'v1.9.0' }],
    ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' }],
    ['pkg:cargo/smallvec@1.6.0', { ecosystem: 'crates.io', name: 'smallvec', version: '1.6.0' }],
    ['pkg:gem/rack@2.0.0', { ecosystem: 'RubyGems', name: 'rack', version: '2.0.0' }],
    ['pkg:composer/guzzlehttp/guzzle@7.0.0', { ecosystem: 'Packagist', name: 'guzzlehttp/guzzle', version: '7.0.0' }],
    ['pkg:nuget/Newtonsoft.Json@12.0.1', { ecosystem: 'NuGet', name: 'Newtonsoft.Json', version: '12.0.1' }],
    ['pkg:pub/http@0.13.0', { ecosystem: 'Pub', name: 'http', version: '0.13.0' }],
    ['pkg:hex/plug@1.0.0', { ecosystem: 'Hex', name: 'plug', version: '1.0.0' }],
  ])('%s', (purl, expected) => {
    expect(packageOfPurl(purl)).toMatchObject(expected);
  });

  it('distro packages take their release from the distro qualifier', () => {
    expect(packageOfPurl('pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12')).toMatchObject({ ecosystem: 'Debian:12', name: 'libc6', arch: 'amd64' });
    expect(packageOfPurl('pkg:deb/debian/openssl@3.0.11-1?distro=bookworm&upstream=openssl')).toMatchObject({ ecosystem: 'Debian:12', source: { name: 'openssl' } });
    expect(packageOfPurl('pkg:deb/debian/tzdata@2021a-1?distro=debian-11&epoch=1')).toMatchObject({ version: '1:2021a-1', epoch: 1 });
    expect(packageOfPurl('pkg:deb/ubuntu/bash@5.1?distro=ubuntu-22.04')).toMatchObject({ ecosystem: 'Ubuntu:22.04:LTS' });
    expect(packageOfPurl('pkg:apk/alpine/musl@1.2.4-r1?distro=3.18.4')).toMatchObject({ ecosystem: 'Alpine:v3.18' });
    expect(packageOfPurl('pkg:apk/alpine/musl@1.2.4-r1')).toMatchObject({ ecosystem: 'apk' });
    expect(packageOfPurl('pkg:rpm/rocky/openssl@3.0.7?distro=rocky-9.2')).toMatchObject({ ecosystem: 'Rocky Linux:9' });
  });

  it('no version, an unknown type or no purl at all: undefined', () => {
    expect(packageOfPurl('pkg:npm/lodash')).toBeUndefined();
    expect(packageOfPurl('pkg:generic/thing@1.0')).toBeUndefined();
    expect(packageOfPurl('not a purl')).toBeUndefined();
  });
});

describe('inventoryOfSbomText', () => {
  it('CycloneDX: nested components, the OS component, components without purl as unknowns', () => {
    const inv = inventoryOfSbomText(
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        components: [
          { type: 'operating-system', name: 'debian', version: '12.4' },
          { type: 'library', name: 'lodash', version: '4.17.4', purl: 'pkg:npm/lodash@4.17.4', components: [{ type: 'library', name: 'x', version: '1', purl: 'pkg:npm/x@1' }] },
          { type: 'library', name: 'vendored', version: '0.1' },
        ],
      }),
      '/tmp/app.cdx.json',
    );
    expect(inv.target.kind).toBe('sbom');
    expect(inv.os).toMatchObject({ family: 'debian', version: '12.4' });
    expect(inv.packages.map((p) => p.purl).sort()).toEqual(['pkg:npm/lodash@4.17.4', 'pkg:npm/x@1']);
    expect(inv.packages[0]!.foundBy).toBe('sbom/cyclonedx');
    expect(inv.unknowns).toEqual([expect.objectContaining({ kind: 'unsupported', message: expect.stringContaining('vendored 0.1 has no purl') as unknown })]);
  });

  it('SPDX: packages with a purl external ref; the described root without one is skipped', () => {
    const inv = inventoryOfSbomText(
      JSON.stringify({
        spdxVersion: 'SPDX-2.3',
        documentDescribes: ['SPDXRef-root'],
        packages: [
          { SPDXID: 'SPDXRef-root', name: 'app' },
          { SPDXID: 'SPDXRef-1', name: 'requests', versionInfo: '2.19.0', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:pypi/requests@2.19.0' }] },
        ],
      }),
      '/tmp/app.spdx.json',
    );
    expect(inv.packages).toEqual([expect.objectContaining({ ecosystem: 'PyPI', name: 'requests', version: '2.19.0', foundBy: 'sbom/spdx' })]);
    expect(inv.unknowns).toEqual([]);
  });

  it('anything else is a parse error', () => {
    expect(() => inventoryOfSbomText('{"hello": 1}', 'x.json')).toThrow(/neither CycloneDX/);
    expect(() => inventoryOfSbomText('nope', 'x.json')).toThrow(/not a JSON SBOM/);
  });
});
