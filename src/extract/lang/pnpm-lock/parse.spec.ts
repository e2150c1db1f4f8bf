import { describe, expect, it } from 'vitest';
import { parseKey } from './parse.js';

// Vectors from aquasecurity/trivy pkg/dependency/parser/nodejs/pnpm/parse_test.go (Test_parseDepPath).
describe('pnpm parseKey', () => {
  it.each([
    [5, '/lodash/4.17.10', 'lodash', '4.17.10'],
    [5, 'registry.npmjs.org/lodash/4.17.10', 'lodash', '4.17.10'],
    [5, 'private.npmjs.org/lodash/4.17.10', 'lodash', '4.17.10'],
    [5, '/@babel/generator/7.21.9', '@babel/generator', '7.21.9'],
    [5, 'registry.npmjs.org/@babel/generator/7.21.9', '@babel/generator', '7.21.9'],
    [5, '/@babel/helper-compilation-targets/7.21.5_@babel+core@7.21.8', '@babel/helper-compilation-targets', '7.21.5'],
    [5, '/lodash._baseclone/4.5.7_@babel+core@7.21.8', 'lodash._baseclone', '4.5.7'],
    [5, 'registry.npmjs.org/@babel/helper-compilation-targets/7.21.5_@babel+core@7.21.8', '@babel/helper-compilation-targets', '7.21.5'],
    [6, '/update-browserslist-db@1.0.11', 'update-browserslist-db', '1.0.11'],
    [6, 'registry.npmjs.org/lodash@4.17.10', 'lodash', '4.17.10'],
    [6, 'private.npmjs.org/lodash@4.17.10', 'lodash', '4.17.10'],
    [6, '/@babel/helper-annotate-as-pure@7.18.6', '@babel/helper-annotate-as-pure', '7.18.6'],
    [6, 'registry.npmjs.org/@babel/helper-annotate-as-pure@7.18.6', '@babel/helper-annotate-as-pure', '7.18.6'],
    [6, '/@babel/helper-compilation-targets@7.21.5(@babel/core@7.20.7)', '@babel/helper-compilation-targets', '7.21.5'],
    [6, 'registry.npmjs.org/@babel/helper-compilation-targets@7.21.5(@babel/core@7.20.7)', '@babel/helper-compilation-targets', '7.21.5'],
    [9, '@babel/helper-compilation-targets@7.21.5(@babel/core@7.20.7)', '@babel/helper-compilation-targets', '7.21.5'],
    [9, 'lodash@file:foo/bar/lodash.tgz', 'lodash', 'file:foo/bar/lodash.tgz'],
  ])('v%d %s', (major, key, name, version) => {
    expect(parseKey(key, major)).toEqual({ name, version });
  });
});
