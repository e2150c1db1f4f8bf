import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { emptyTree, ids, run, runPeer } from '../../../../test/support/extract.js';
import { composerLockExtractor as ex } from './index.js';

describe('lang/composer-lock required', () => {
  it.each([
    ['composer.lock', true],
    ['a/composer.lock', true],
    ['composer.json', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

describe('lang/composer-lock on trivy fixtures', () => {
  // Transcribed from aquasecurity/trivy pkg/dependency/parser/php/composer/parse_test.go (composerPkgs):
  // name, version, dev, StartLine. The peer reads no composer.json here, so direct stays unknown.
  it('composer_happy.lock', async () => {
    const out = await runPeer(ex, 'trivy/pkg/dependency/parser/php/composer/testdata/composer_happy.lock');
    expect(out.packages.map((p) => [p.name, p.version, p.dev, p.locations[0]?.line])).toEqual([
      ['guzzlehttp/guzzle', '6.5.8', false, 9],
      ['guzzlehttp/promises', '1.5.2', false, 124],
      ['guzzlehttp/psr7', '1.9.0', false, 208],
      ['pear/log', '1.13.3', true, 660],
      ['pear/pear_exception', 'v1.0.2', true, 720],
      ['psr/http-message', '1.0.1', false, 318],
      ['ralouphie/getallheaders', '3.0.3', false, 371],
      ['symfony/polyfill-intl-idn', 'v1.27.0', false, 415],
      ['symfony/polyfill-intl-normalizer', 'v1.27.0', false, 502],
      ['symfony/polyfill-php72', 'v1.27.0', false, 584],
    ]);
    expect(out.packages[4]?.purl).toBe('pkg:composer/pear/pear_exception@v1.0.2');
    expect(out.packages.every((p) => p.ecosystem === 'Packagist' && p.direct === undefined)).toBe(true);
  });

  // aquasecurity/trivy integration/testdata/composer.lock.json.golden: guzzle 7.4.4 (direct, from the sibling
  // composer.json) and psr7 1.8.3 (indirect); packages-dev is empty.
  it('integration composer/composer.lock with its composer.json sibling', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/composer/composer.lock');
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.dev])).toEqual([
      ['guzzlehttp/guzzle', '7.4.4', true, false],
      ['guzzlehttp/psr7', '1.8.3', false, false],
    ]);
  });
});

describe('lang/composer-lock malformed', () => {
  it('truncated JSON → ParseError naming the path', async () => {
    await expect(run(ex, 'p/composer.lock', '{"packages": [{"name": "a/b", "vers')).rejects.toSatisfy(
      (e: unknown) => e instanceof ParseError && e.path === 'p/composer.lock',
    );
  });
  it('a JSON object without packages → ParseError', async () => {
    await expect(run(ex, 'composer.lock', '{"foo": 1}')).rejects.toBeInstanceOf(ParseError);
  });
  it('an entry without a version is dropped and recorded', async () => {
    const out = await run(ex, 'composer.lock', JSON.stringify({ packages: [{ name: 'a/b' }, { name: 'c/d', version: '1.0.0' }], 'packages-dev': null }), emptyTree);
    expect(ids(out)).toEqual(['c/d@1.0.0']);
    expect(out.problems).toHaveLength(1);
  });
});
