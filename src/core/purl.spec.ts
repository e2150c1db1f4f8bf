import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PackageURL } from 'packageurl-js';
import {
  InvalidPurlError, cargoPurl, cocoapodsPurl, composerPurl, conanPurl, gemPurl, goPurl, hexPurl, mavenPurl, npmPurl, nugetPurl, osPurl, pubPurl,
  pypiPurl, swiftPurl, withDistro,
} from './purl.js';

describe('purl builders', () => {
  it.each([
    [npmPurl('lodash', '4.17.21'), 'pkg:npm/lodash@4.17.21'],
    [npmPurl('@babel/core', '7.24.0'), 'pkg:npm/%40babel/core@7.24.0'],
    [goPurl('github.com/foo/bar', 'v1.2.3'), 'pkg:golang/github.com/foo/bar@v1.2.3'],
    [goPurl('stdlib', 'v1.22.1'), 'pkg:golang/stdlib@v1.22.1'],
    [pypiPurl(' Django_REST.framework ', '3.15.1'), 'pkg:pypi/django-rest-framework@3.15.1'],
    [mavenPurl('org.apache.logging.log4j', 'log4j-core', '2.14.1'), 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'],
    [composerPurl('symfony/http-kernel', 'v5.4.1'), 'pkg:composer/symfony/http-kernel@v5.4.1'],
    [composerPurl('noslash', '1.0.0'), 'pkg:composer/noslash@1.0.0'],
    [nugetPurl('Newtonsoft.Json', '13.0.1'), 'pkg:nuget/Newtonsoft.Json@13.0.1'],
    [cargoPurl('serde', '1.0.200'), 'pkg:cargo/serde@1.0.200'],
    [gemPurl('rails', '7.1.3'), 'pkg:gem/rails@7.1.3'],
    [hexPurl('phoenix', '1.7.12'), 'pkg:hex/phoenix@1.7.12'],
    [pubPurl('http', '1.2.1'), 'pkg:pub/http@1.2.1'],
    [cocoapodsPurl('AFNetworking', '4.0.1'), 'pkg:cocoapods/AFNetworking@4.0.1'],
    [cocoapodsPurl('AppCenter/Analytics', '4.2.0'), 'pkg:cocoapods/AppCenter@4.2.0#Analytics'],
    [swiftPurl('github.com/apple/swift-nio', '2.65.0'), 'pkg:swift/github.com/apple/swift-nio@2.65.0'],
    [swiftPurl('mona.LinkedList', '1.1.0'), 'pkg:swift/mona/LinkedList@1.1.0'],
    [conanPurl('zlib', '1.3.1'), 'pkg:conan/zlib@1.3.1'],
    [conanPurl('openssl', '3.2.1', 'acme', 'stable'), 'pkg:conan/acme/openssl@3.2.1?channel=stable'],
    [osPurl('deb', 'curl', '7.88.1-10', { arch: 'amd64', epoch: undefined, upstream: '' }), 'pkg:deb/curl@7.88.1-10?arch=amd64'],
    [osPurl('apk', 'musl', '1.2.4-r2', {}), 'pkg:apk/musl@1.2.4-r2'],
  ])('%s', (got, want) => {
    expect(got).toBe(want);
  });

  it('withDistro adds the namespace and the distro qualifier, and leaves an unparsable purl alone', () => {
    expect(withDistro('pkg:deb/curl@7.88.1-10?arch=amd64', 'debian', 'debian-12')).toBe('pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12');
    expect(withDistro('pkg:apk/musl@1.2.4-r2', 'alpine', undefined)).toBe('pkg:apk/alpine/musl@1.2.4-r2');
    expect(withDistro('not a purl', 'debian', 'debian-12')).toBe('not a purl');
  });
});

describe('npmPurl without packageurl-js for plain names', () => {
  /** What packageurl-js writes (the slow path of npmPurl), computed here with the library itself. */
  function reference(name: string, version: string): string | Error {
    const slash = name.startsWith('@') ? name.indexOf('/') : -1;
    try {
      return slash > 0 ? new PackageURL('npm', name.slice(0, slash), name.slice(slash + 1), version).toString() : new PackageURL('npm', undefined, name, version).toString();
    } catch (e) {
      return e as Error;
    }
  }
  const chars = fc.constantFrom(...'abz09.-_~+@/AZ%: é!'.split(''));
  const text = fc.array(chars, { maxLength: 12 }).map((cs) => cs.join(''));

  it('writes what packageurl-js writes, or refuses what it refuses', () => {
    fc.assert(
      fc.property(fc.oneof(text, text.map((t) => `@${t}`), fc.constantFrom('lodash', '@babel/core', 'a.b_c~d-e')), fc.oneof(text, fc.constantFrom('1.2.3', '1.0.0-RC.1+build.5', '')), (name, version) => {
        const want = reference(name, version);
        if (want instanceof Error) expect(() => npmPurl(name, version)).toThrow(InvalidPurlError);
        else expect(npmPurl(name, version)).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('osPurl and withDistro without packageurl-js for plain names', () => {
  /** What packageurl-js writes (the slow path of both), computed here with the library itself. */
  function reference(type: string, namespace: string | undefined, name: string, version: string, qualifiers: Record<string, string>): string | Error {
    try {
      return new PackageURL(type, namespace, name, version, Object.keys(qualifiers).length > 0 ? qualifiers : undefined).toString();
    } catch (e) {
      return e as Error;
    }
  }
  const chars = fc.constantFrom(...'abz09.-_~+:@/AZ%?&=# é!*'.split(''));
  const text = fc.array(chars, { maxLength: 10 }).map((cs) => cs.join(''));
  const type = fc.constantFrom<'deb' | 'apk' | 'rpm'>('deb', 'apk', 'rpm');
  const name = fc.oneof(text, fc.constantFrom('libc6', 'g++-12', 'libstdc++6', 'Xorg', 'python3.11'));
  const version = fc.oneof(text, fc.constantFrom('1:2.36-9+deb12u4', '7.88.1-10~bpo12+1', '1.2.4-r2', '2.3.4-5.el9_2'));
  const value = fc.oneof(text, fc.constantFrom('amd64', 'x86_64', 'debian-12', 'alpine-3.18.4', '1', ''));
  const qualifiers = fc.dictionary(fc.oneof(fc.constantFrom('arch', 'epoch', 'upstream', 'Arch', '9lives', 'a~b'), text), value, { maxKeys: 3 });
  const nonEmpty = (q: Record<string, string>) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ''));

  it('osPurl writes what packageurl-js writes, or refuses what it refuses', () => {
    fc.assert(
      fc.property(type, name, version, qualifiers, (t, n, v, q) => {
        const want = reference(t, undefined, n, v, nonEmpty(q));
        if (want instanceof Error) expect(() => osPurl(t, n, v, q)).toThrow(InvalidPurlError);
        else expect(osPurl(t, n, v, q)).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });

  it('withDistro gives what packageurl-js gives for any purl osPurl writes', () => {
    fc.assert(
      fc.property(type, name, version, qualifiers, fc.constantFrom('debian', 'alpine', 'redhat', 'Ubuntu', 'a b'), fc.option(value, { nil: undefined }), (t, n, v, q, ns, distro) => {
        let purl: string;
        try {
          purl = osPurl(t, n, v, q);
        } catch {
          return;
        }
        let want: string | Error;
        try {
          const parsed = PackageURL.fromString(purl);
          want = reference(t, ns, parsed.name, parsed.version ?? '', { ...((parsed.qualifiers ?? {}) as Record<string, string>), ...(distro === undefined ? {} : { distro }) });
        } catch (e) {
          want = e as Error; // a purl packageurl-js cannot read back is left as it is
        }
        expect(withDistro(purl, ns, distro)).toBe(want instanceof Error ? purl : want);
      }),
      { numRuns: 3000 },
    );
  });
});
