import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { ids, run, runPeer } from '../../../../test/support/extract.js';
import { mixLockExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/hex/mix/testdata';

describe('lang/mix-lock required', () => {
  it.each([
    ['mix.lock', true],
    ['apps/web/mix.lock', true],
    ['mix.exs', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// aquasecurity/trivy pkg/dependency/parser/hex/mix/parse_test.go "happy path": bunt 0.2.0 (line 2), credo 1.6.6 (3),
// file_system 0.2.10 (4), jason 1.3.0 (5); the :git entry esaml is not a package (we report it as an unknown).
describe('lang/mix-lock on trivy fixtures', () => {
  it('happy.mix.lock', async () => {
    const out = await runPeer(ex, T, 'happy.mix.lock');
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line, p.purl])).toEqual([
      ['bunt', '0.2.0', 2, 'pkg:hex/bunt@0.2.0'],
      ['credo', '1.6.6', 3, 'pkg:hex/credo@1.6.6'],
      ['file_system', '0.2.10', 4, 'pkg:hex/file_system@0.2.10'],
      ['jason', '1.3.0', 5, 'pkg:hex/jason@1.3.0'],
    ]);
    expect(out.unknowns).toMatchObject([{ kind: 'unresolved-version', package: { name: 'esaml' } }]);
    expect(out.packages.every((p) => p.ecosystem === 'Hex')).toBe(true);
  });
  it('empty.mix.lock', async () => {
    expect((await runPeer(ex, T, 'empty.mix.lock')).packages).toEqual([]);
  });
  it('integration mixlock/mix.lock: every :hex line (counted by hand with grep -c ":hex,")', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/mixlock/mix.lock');
    expect(out.packages).toHaveLength(10);
    expect(ids(out)).toContain('phoenix@1.6.13');
  });
});

describe('lang/mix-lock formats', () => {
  it('an aliased hex package is reported under its Hex name', async () => {
    const out = await run(ex, 'mix.lock', '%{\n  "my_alias": {:hex, :real_pkg, "2.0.0", "ab", [:mix], [], "hexpm", "cd"},\n}\n');
    expect(ids(out)).toEqual(['real_pkg@2.0.0']);
  });
  it('not a map literal → ParseError', async () => {
    await expect(run(ex, 'mix.lock', '{"a": 1}')).rejects.toBeInstanceOf(ParseError);
  });
});
