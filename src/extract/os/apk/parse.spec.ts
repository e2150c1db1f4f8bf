import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { readPeerFixture } from '../../../../test/support/fixtures.js';
import { parseApkInstalled } from './parse.js';

const parse = (...p: string[]) => parseApkInstalled(readPeerFixture(...p), p.join('/'));

describe('parseApkInstalled on trivy testdata/apk (pkg/fanal/analyzer/pkg/apk/apk_test.go)', () => {
  const { records, problems } = parse('trivy/pkg/fanal/analyzer/pkg/apk/testdata/apk');

  it('reads all 15 packages in file order; the version-less stanza trivy also drops is a problem', () => {
    expect(problems).toEqual([{ line: 23, message: 'package invalidPackageWithoutAVersion: no V: (version)' }]);
    expect(records.map((r) => `${r.name}@${r.version}`)).toEqual([
      'musl@1.1.14-r10', 'busybox@1.24.2-r9', 'alpine-baselayout@3.0.3-r0', 'alpine-keys@1.1-r0', 'zlib@1.2.8-r2',
      'libcrypto1.0@1.0.2h-r1', 'libssl1.0@1.0.2h-r1', 'apk-tools@2.6.7-r0', 'scanelf@1.1.6-r0', 'musl-utils@1.1.14-r10',
      'libc-utils@0.7-r0', 'pkgconf@1.6.0-r0', 'sqlite-libs@3.26.0-r3', 'test@2.9.11_pre20061021-r2', 'ada-libs@2.7.4-r0',
    ]);
  });

  it.each([
    // name, origin (trivy SrcName), arch, raw L: field
    ['musl', 'musl', 'x86_64', 'MIT'],
    ['libcrypto1.0', 'openssl', 'x86_64', 'openssl'],
    ['scanelf', 'pax-utils', 'x86_64', 'GPL2'],
    ['musl-utils', 'musl', 'x86_64', 'MIT BSD GPL2+'],
    ['libc-utils', 'libc-dev', 'x86_64', 'GPL'],
    ['sqlite-libs', 'sqlite', 'x86_64', 'Public-Domain'],
    ['test', 'test-parent', 'x86_64', 'Public-Domain'],
    ['ada-libs', 'ada', 'x86_64', '( Apache-2.0 OR MIT ) AND MPL-2.0'],
  ])('%s: origin %s, arch %s', (name, origin, arch, license) => {
    const r = records.find((x) => x.name === name);
    expect([r?.origin, r?.arch]).toEqual([origin, arch]);
    expect(r?.license).toBe(license);
  });
});

describe('parseApkInstalled on syft fixtures (syft/pkg/cataloger/alpine)', () => {
  it('multiple-1', () => {
    const { records, problems } = parse('syft/syft/pkg/cataloger/alpine/testdata/multiple-1/lib/apk/db/installed');
    expect(problems).toEqual([]);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r.version).toMatch(/-r\d+$/);
  });
  it('multiple-2', () => {
    const { records, problems } = parse('syft/syft/pkg/cataloger/alpine/testdata/multiple-2/lib/apk/db/installed');
    expect(problems).toEqual([]);
    expect(records.length).toBeGreaterThan(1);
  });
});

describe('parseApkInstalled on damaged input', () => {
  it.each([
    ['empty', ''],
    ['whitespace', '\n\n'],
    ['binary', 'P:musl\u0000'],
    ['garbage', 'hello world\nthis is not apk\n'],
    ['records without names', 'V:1.0-r0\n\nV:2.0-r0\n'],
  ])('%s → ParseError with the path', (_, text) => {
    expect(() => parseApkInstalled(text, 'lib/apk/db/installed')).toThrow(ParseError);
    expect(() => parseApkInstalled(text, 'lib/apk/db/installed')).toThrow(/^lib\/apk\/db\/installed: /);
  });

  it('drops bad records, keeps the rest', () => {
    const text = 'P:a\nV:1.0-r0\no:aa\n\nP:b\n\nP:c\nV:not a version\n\nP:d\nV:2.0-r1\ngarbage line\n';
    const r = parseApkInstalled(text, 'x');
    expect(r.records.map((x) => [x.name, x.origin])).toEqual([['a', 'aa']]);
    expect(r.problems).toEqual([
      { line: 5, message: 'package b: no V: (version)' },
      { line: 7, message: 'package c: invalid version "not a version"' },
      { line: 10, message: 'package d: malformed line 12' },
    ]);
  });
});
