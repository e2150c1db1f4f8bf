import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ids, run, runPeer } from '../../../../test/support/extract.js';
import { gemfileLockExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/ruby/bundler/testdata';

describe('lang/gemfile-lock required', () => {
  it.each([
    ['Gemfile.lock', true],
    ['app/gems.locked', true],
    ['Gemfile', false],
    ['Gemfile.lock.bak', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// Transcribed from aquasecurity/trivy pkg/dependency/parser/ruby/bundler/parse_test.go
// (NormalLibs, Bundler2Libs): name, version, direct (= !Indirect), StartLine.
describe('lang/gemfile-lock on trivy fixtures', () => {
  it.each([
    [
      'Gemfile_normal.lock',
      [
        ['coderay', '1.1.2', false, 4],
        ['concurrent-ruby', '1.1.5', false, 5],
        ['dotenv', '2.7.2', true, 6],
        ['faker', '1.9.3', true, 7],
        ['i18n', '1.6.0', false, 9],
        ['method_source', '0.9.2', false, 11],
        ['pry', '0.12.2', true, 12],
      ],
    ],
    [
      'Gemfile_bundler2.lock',
      [
        ['coderay', '1.1.3', false, 4],
        ['concurrent-ruby', '1.1.10', false, 5],
        ['dotenv', '2.7.6', true, 6],
        ['faker', '2.21.0', true, 7],
        ['i18n', '1.10.0', false, 9],
        ['json', '2.6.2', true, 11],
        ['method_source', '1.0.0', false, 12],
        ['pry', '0.14.1', true, 13],
      ],
    ],
  ] as const)('%s', async (file, want) => {
    const out = await runPeer(ex, T, file);
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.locations[0]?.line])).toEqual(want);
    expect(out.packages[0]?.purl).toBe(`pkg:gem/${want[0][0]}@${want[0][1]}`);
    expect(out.packages.every((p) => p.ecosystem === 'RubyGems')).toBe(true);
  });

  it('Gemfile_malformed.lock yields no packages (as in the peer) and a problem', async () => {
    const out = await runPeer(ex, T, 'Gemfile_malformed.lock');
    expect(out.packages).toEqual([]);
    expect(out.problems?.[0]?.path).toBe(`${T}/Gemfile_malformed.lock`);
  });
});

describe('lang/gemfile-lock formats', () => {
  const lock = [
    'GIT',
    '  remote: https://github.com/rails/rails.git',
    '  revision: abc',
    '  specs:',
    '    rails (7.1.0.alpha)',
    '      actionpack (= 7.1.0.alpha)',
    '',
    'GEM',
    '  remote: https://rubygems.org/',
    '  specs:',
    '    nokogiri (1.13.6-x86_64-linux)',
    '      racc (~> 1.4)',
    '    nokogiri (1.13.6-arm64-darwin)',
    '      racc (~> 1.4)',
    '    racc (1.6.0)',
    '',
    'PLATFORMS',
    '  arm64-darwin',
    '  x86_64-linux',
    '',
    'DEPENDENCIES',
    '  nokogiri (~> 1.13)',
    '  rails!',
    '',
    'BUNDLED WITH',
    '   2.4.10',
    '',
  ].join('\n');

  it('strips platform suffixes, merges per-platform entries, reads GIT specs and `name!`', async () => {
    const out = await run(ex, 'gems.locked', lock);
    expect(ids(out)).toEqual(['nokogiri@1.13.6', 'racc@1.6.0', 'rails@7.1.0.alpha']);
    const noko = out.packages[0];
    expect(noko?.direct).toBe(true);
    expect(noko?.locations).toEqual([
      { path: 'gems.locked', line: 11 },
      { path: 'gems.locked', line: 13 },
    ]);
    expect(out.packages[2]?.direct).toBe(true);
    expect(out.packages[1]?.direct).toBe(false);
  });

  it('CRLF line endings', async () => {
    expect(ids(await run(ex, 'Gemfile.lock', lock.replace(/\n/g, '\r\n')))).toHaveLength(3);
  });

  const real = '/usr/lib/ruby/gems/3.1.0/gems/rbs-2.1.0/steep/Gemfile.lock';
  it.skipIf(!fs.existsSync(real))('a real Gemfile.lock shipped by Debian ruby (rbs 2.1.0 steep/): 19 gems counted by hand, steep direct', async () => {
    const out = await run(ex, 'steep/Gemfile.lock', new Uint8Array(fs.readFileSync(real)));
    expect(out.packages).toHaveLength(19);
    expect(out.packages.filter((p) => p.direct).map((p) => p.name)).toEqual(['steep']);
  });
});
