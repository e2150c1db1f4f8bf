import { describe, expect, it } from 'vitest';
import { compareGoVersions, stdlibVersion } from './version.js';

describe('go versions', () => {
  it.each([
    ['v1.0.0', 'v1.0.1', -1],
    ['v1.10.0', 'v1.9.0', 1],
    ['v0.0.0-20190308221718-c2843e01d9a2', 'v0.0.0-20200804184101-5ec99f83aff1', -1],
    ['v1.0.0-rc.1', 'v1.0.0', -1],
    ['v2.0.0+incompatible', 'v2.0.0', 0],
    ['v1.4.2-0.20190924003213-a8608b5b67c7', 'v1.4.1', 1],
  ])('%s vs %s', (a, b, want) => expect(compareGoVersions(a, b)).toBe(want));

  it.each([
    ['go1.21.3', 'v1.21.3'],
    ['go1.21', 'v1.21.0'],
    ['go1.22rc1', 'v1.22.0-rc.1'],
    ['go1.9beta2', 'v1.9.0-beta.2'],
    ['go1.21.3 X:boringcrypto', 'v1.21.3'],
    ['devel go1.22-abcdef', undefined],
  ])('stdlib %s → %s', (v, want) => expect(stdlibVersion(v)).toBe(want));
});
