import { describe, expect, it } from 'vitest';
import { minimumVersion } from './min-version.js';

describe('minimumVersion', () => {
  it.each([
    ['~=1.1', '1.1'],
    ['~= 1.4.2', '1.4.2'],
    ['==2.0.*', '2.0.0'],
    ['==1.*,>=1.2', '1.2'],
    ['>=1.2,==1.*', '1.2'],
    ['~=2.2,!=2.3', '2.2'],
    ['>=4.1.1', undefined],
    ['>2.0', undefined],
    ['<3', undefined],
    ['', undefined],
    ['==5.*.*', undefined],
    ['==4.*.1', undefined],
    ['~=1.0,!=1.0', undefined],
    ['==2.0.*,!=2.0.*', undefined],
    ['!=0.18.3,!=0.20.1,>=0.18.2', undefined],
    ['~=not-a-version', undefined],
  ])('%j → %s', (spec, want) => expect(minimumVersion(spec)).toBe(want));
});
