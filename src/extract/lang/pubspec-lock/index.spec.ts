import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { run, runPeer } from '../../../../test/support/extract.js';
import { pubspecLockExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/dart/pub/testdata';

describe('lang/pubspec-lock required', () => {
  it.each([
    ['pubspec.lock', true],
    ['app/pubspec.lock', true],
    ['pubspec.yaml', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// aquasecurity/trivy pkg/dependency/parser/dart/pub/parse_test.go "happy path": crypto 3.0.2 (direct),
// flutter_test 3.3.0 (direct), uuid 3.0.6 (indirect). flutter_test is an SDK package written as 0.0.0; the peer
// fills in 3.3.0 from `sdks.flutter: ^3.3.0`. We report it as an unresolved-version unknown instead.
describe('lang/pubspec-lock on trivy fixtures', () => {
  it('happy.lock', async () => {
    const out = await runPeer(ex, T, 'happy.lock');
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.dev, p.locations[0]?.line, p.purl])).toEqual([
      ['crypto', '3.0.2', true, false, 4, 'pkg:pub/crypto@3.0.2'],
      ['uuid', '3.0.6', false, false, 16, 'pkg:pub/uuid@3.0.6'],
    ]);
    expect(out.unknowns).toMatchObject([{ kind: 'unresolved-version', ecosystem: 'Pub', package: { name: 'flutter_test' } }]);
  });
  it('empty.lock', async () => {
    expect((await runPeer(ex, T, 'empty.lock')).packages).toEqual([]);
  });
  it('broken.lock → ParseError (the peer errors too)', async () => {
    await expect(runPeer(ex, T, 'broken.lock')).rejects.toBeInstanceOf(ParseError);
  });
  it('integration pubspec/pubspec.lock: http direct, shelf transitive', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/pubspec/pubspec.lock');
    expect(out.packages.map((p) => [p.name, p.version, p.direct])).toEqual([
      ['http', '0.13.2', true],
      ['shelf', '1.3.1', false],
    ]);
  });
});

describe('lang/pubspec-lock formats', () => {
  it('direct dev → dev; bad YAML → ParseError', async () => {
    const out = await run(ex, 'pubspec.lock', 'packages:\n  test:\n    dependency: "direct dev"\n    source: hosted\n    version: "1.24.0"\n');
    expect(out.packages).toMatchObject([{ name: 'test', version: '1.24.0', direct: true, dev: true, locations: [{ line: 2 }] }]);
    await expect(run(ex, 'pubspec.lock', 'packages:\n  a: [\n')).rejects.toBeInstanceOf(ParseError);
  });
});
