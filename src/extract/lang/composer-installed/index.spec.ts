import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { run, runPeer } from '../../../../test/support/extract.js';
import { composerInstalledExtractor as ex } from './index.js';

describe('lang/composer-installed required', () => {
  it.each([
    ['vendor/composer/installed.json', true],
    ['app/vendor/composer/installed.json', true],
    ['installed.json', false],
    ['vendor/composer/installed.php', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

describe('lang/composer-installed', () => {
  // aquasecurity/trivy integration/testdata/composer.vendor.json.golden: three packages, StartLine 3, 116, 172.
  it('Composer 2 installed.json (trivy integration composer-vendor)', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/composer-vendor/installed.json');
    expect(out.packages.map((p) => [p.name, p.version, p.purl, p.locations[0]?.line, p.dev])).toEqual([
      ['guzzlehttp/psr7', '1.8.3', 'pkg:composer/guzzlehttp/psr7@1.8.3', 3, false],
      ['psr/http-message', '1.1', 'pkg:composer/psr/http-message@1.1', 116, false],
      ['ralouphie/getallheaders', '3.0.3', 'pkg:composer/ralouphie/getallheaders@3.0.3', 172, false],
    ]);
  });

  it('Composer 1 array; dev unknown', async () => {
    const text = '[\n  {\n    "name": "monolog/monolog",\n    "version": "1.25.1"\n  }\n]\n';
    const out = await run(ex, 'vendor/composer/installed.json', text);
    expect(out.packages).toEqual([
      {
        ecosystem: 'Packagist',
        name: 'monolog/monolog',
        version: '1.25.1',
        purl: 'pkg:composer/monolog/monolog@1.25.1',
        locations: [{ path: 'vendor/composer/installed.json', line: 2 }],
        foundBy: 'lang/composer-installed',
      },
    ]);
  });

  it('Composer 2 dev-package-names → dev', async () => {
    const text = JSON.stringify({ packages: [{ name: 'a/run', version: '1.0.0' }, { name: 'a/dev', version: '2.0.0' }], dev: true, 'dev-package-names': ['a/dev'] }, null, 2);
    const out = await run(ex, 'vendor/composer/installed.json', text);
    expect(out.packages.map((p) => [p.name, p.dev])).toEqual([
      ['a/dev', true],
      ['a/run', false],
    ]);
  });

  it('truncated JSON → ParseError', async () => {
    await expect(run(ex, 'vendor/composer/installed.json', '{"packages": [')).rejects.toBeInstanceOf(ParseError);
  });
  it('an object without packages → ParseError', async () => {
    await expect(run(ex, 'vendor/composer/installed.json', '{"dev": true}')).rejects.toBeInstanceOf(ParseError);
  });
});
