import { describe, expect, it } from 'vitest';
import { PEER_FIXTURES_DIR } from '../../../../test/support/fixtures.js';
import { extractFile, extractText, ids } from '../../../../test/support/extract.js';
import { pythonRequirementsExtractor as ex } from './index.js';

const DIR = 'trivy/pkg/dependency/parser/python/pip/testdata';
const run = (f: string) => extractFile(ex, PEER_FIXTURES_DIR, `${DIR}/${f}`);

describe('lang/python-requirements required()', () => {
  it.each([
    ['requirements.txt', true],
    ['app/requirements-dev.txt', true],
    ['requirements_flask.txt', true],
    ['test-requirements.txt', true],
    ['requirements/base.txt', true],
    ['constraints.txt', true],
    ['notes.txt', false],
    ['requirements.in', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// Provenance: aquasecurity/trivy pkg/dependency/parser/python/pip/parse_test.go + parse_testcase.go (TestParse).
// Trivy keeps names as written; we report PEP 503 names (Flask → flask, Jinja2 → jinja2). Trivy reads
// requirements_compatible.txt with useMinVersion and expects keyring 4.1.1 (`>= 4.1.1`), Mopidy-Dirble 1.1
// (`~= 1.1`) and python-gitlab 2.0.0 (`==2.0.*`); the stored test names nothing for the lines after those three.
// We report the minimum of ranges bounded to one release series (`~=`, `==X.*`, and `==1.*,>=1.2` → 1.2) but not
// of an open `>=` (keyring), which stays an unknown; for the same reason requirements_operator.txt gives
// mopidy-dirble 1.1 (`~= 1.1`) besides trivy's default-mode Django and SomeProject.
describe('lang/python-requirements on trivy fixtures', () => {
  it.each([
    ['requirements_flask.txt', ['click@8.0.0', 'flask@2.0.0', 'itsdangerous@2.0.0', 'jinja2@3.0.0', 'markupsafe@2.0.0', 'werkzeug@2.0.0']],
    ['requirements_comments.txt', ['click@8.0.0', 'flask@2.0.0', 'jinja2@3.0.0', 'markupsafe@2.0.0']],
    ['requirements_spaces.txt', ['click@8.0.0', 'flask@2.0.0', 'itsdangerous@2.0.0', 'jinja2@3.0.0']],
    ['requirements_no_version.txt', ['flask@2.0.0']],
    ['requirements_operator.txt', ['django@2.3.4', 'mopidy-dirble@1.1', 'someproject@5.4']],
    ['requirements_hash.txt', ['fooproject@1.2', 'jinja2@3.0.0']],
    ['requirements_hyphens.txt', ['oauth2-client@4.0.0', 'python-gitlab@2.0.0']],
    ['requirement_exstras.txt', ['celery@4.4.7', 'pyjwt@2.1.0']],
    ['requirements_utf16le.txt', ['attrs@20.3.0']],
    ['requirements_compatible.txt', ['mopidy-dirble@1.1', 'pyjwt@1.2', 'python-gitlab@2.0.0']],
    ['requirements_with_templating_engine.txt', []],
  ])('%s', async (f, want) => {
    expect(ids((await run(f)).packages)).toEqual(want);
  });

  it('ranges are unresolved-version unknowns; a bounded range also names the minimum it was reported at', async () => {
    const out = await run('requirements_operator.txt');
    expect(out.unknowns?.map((u) => [u.package?.name, u.package?.version])).toEqual([
      ['keyring', undefined],
      ['coverage', undefined],
      ['mopidy-dirble', '1.1'],
      ['numpynew', undefined],
      ['numpy', undefined],
      ['requests', undefined],
    ]);
    expect(out.unknowns?.every((u) => u.kind === 'unresolved-version')).toBe(true);
    expect(out.unknowns?.[2]?.message).toMatch(/reported at its minimum 1\.1, the installed version may be higher/);
  });

  it('requirements_compatible.txt: lines as trivy expects; invalid wildcards and open ranges are not guessed', async () => {
    const out = await run('requirements_compatible.txt');
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([
      ['mopidy-dirble', '1.1', 2],
      ['pyjwt', '1.2', 6],
      ['python-gitlab', '2.0.0', 3],
    ]);
    const bare = out.unknowns?.filter((u) => u.package?.version === undefined).map((u) => u.package?.name);
    expect(bare).toEqual(['keyring', 'django', 'django', 'eventlet']);
  });

  it('lines of multi-line (hash) requirements point at their first line', async () => {
    const out = await run('requirements_hash.txt');
    expect(out.packages.map((p) => p.locations[0]?.line)).toEqual([1, 4]);
    expect(out.packages[0]).toMatchObject({ ecosystem: 'PyPI', purl: 'pkg:pypi/fooproject@1.2', foundBy: 'lang/python-requirements' });
  });

  it('integration repo requirements.txt', async () => {
    const out = await extractFile(ex, PEER_FIXTURES_DIR, 'trivy/integration/testdata/fixtures/repo/pip/requirements.txt');
    expect(out.packages.length).toBeGreaterThan(0);
  });
});

describe('lang/python-requirements includes and references', () => {
  it('follows -r and -c, applies constraint pins, guards cycles', async () => {
    const files = {
      'req/base.txt': 'Django==4.2.1\n-r ../requirements.txt\n',
      'constraints.txt': 'requests==2.31.0\n',
    };
    const main = '-r req/base.txt\n-c constraints.txt\nrequests\nzope.interface===5.0 ; python_version < "3.8"\n';
    const out = await extractText(ex, 'requirements.txt', main, files);
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.path, p.locations[0]?.line])).toEqual([
      ['django', '4.2.1', 'req/base.txt', 1],
      ['requests', '2.31.0', 'requirements.txt', 3],
      ['zope-interface', '5.0', 'requirements.txt', 4],
    ]);
    expect(out.problems?.map((p) => p.message)).toEqual([expect.stringContaining('include cycle')]);
  });

  it('editables, URLs and name @ url are unknowns; missing includes are problems', async () => {
    const text = [
      '-e git+https://github.com/a/b.git#egg=bee',
      'https://example.com/pkg-1.0.tar.gz',
      'pkg @ https://example.com/pkg-1.0.whl',
      './local/dir',
      '--index-url https://pypi.example/simple',
      '-r missing.txt',
      'ok==1.0 \\',
      '    --hash=sha256:abc',
    ].join('\n');
    const out = await extractText(ex, 'requirements.txt', text);
    expect(ids(out.packages)).toEqual(['ok@1.0']);
    expect(out.unknowns?.map((u) => u.package?.name)).toEqual(['bee', undefined, 'pkg', undefined]);
    expect(out.problems?.map((p) => p.code)).toEqual(['BULWARK_E_IO']);
  });
});
