import { describe, expect, it } from 'vitest';
import { pypiPurl } from '../../../core/purl.js';
import { isPep440Version, normalizePyName } from './names.js';

describe('PEP 503 names', () => {
  it.each([
    ['Django', 'django'],
    ['zope.interface', 'zope-interface'],
    ['Foo__Bar--baz', 'foo-bar-baz'],
    ['ruamel.yaml.clib', 'ruamel-yaml-clib'],
  ])('%s → %s', (n, want) => expect(normalizePyName(n)).toBe(want));
  it('purl uses the normalized name', () => expect(pypiPurl('Zope.Interface', '5.0')).toBe('pkg:pypi/zope-interface@5.0'));
  it.each([['1.0', true], ['2.0.0rc1', true], ['1.0.post1', true], ['1!2.0', true], ['1.0+local.1', true], ['1.*', false], ['>=1', false], ['', false]])(
    'PEP 440 %s → %s',
    (v, want) => expect(isPep440Version(v)).toBe(want),
  );
});
