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

// Expected from aquasecurity/trivy pkg/dependency/parser/python/pip/parse_testcase.go. Trivy keeps names as
// written; we report PEP 503 names (Flask → flask, Jinja2 → jinja2).
describe('lang/python-requirements on trivy fixtures', () => {
  it.each([
    ['requirements_flask.txt', ['click@8.0.0', 'flask@2.0.0', 'itsdangerous@2.0.0', 'jinja2@3.0.0', 'markupsafe@2.0.0', 'werkzeug@2.0.0']],
    ['requirements_comments.txt', ['click@8.0.0', 'flask@2.0.0', 'jinja2@3.0.0', 'markupsafe@2.0.0']],
    ['requirements_spaces.txt', ['click@8.0.0', 'flask@2.0.0', 'itsdangerous@2.0.0', 'jinja2@3.0.0']],
    ['requirements_no_version.txt', ['flask@2.0.0']],
    ['requirements_operator.txt', ['django@2.3.4', 'someproject@5.4']],
    ['requirements_hash.txt', ['fooproject@1.2', 'jinja2@3.0.0']],
    ['requirements_hyphens.txt', ['oauth2-client@4.0.0', 'python-gitlab@2.0.0']],
    ['requirement_exstras.txt', ['celery@4.4.7', 'pyjwt@2.1.0']],
    ['requirements_utf16le.txt', ['attrs@20.3.0']],
    ['requirements_compatible.txt', []],
    ['requirements_with_templating_engine.txt', []],
  ])('%s', async (f, want) => {
    expect(ids((await run(f)).packages)).toEqual(want);
  });

  it('ranges are unresolved-version unknowns, never versions', async () => {
    const out = await run('requirements_operator.txt');
    expect(out.unknowns?.map((u) => u.package?.name)).toEqual(['keyring', 'coverage', 'mopidy-dirble', 'numpynew', 'numpy', 'requests']);
    expect(out.unknowns?.every((u) => u.kind === 'unresolved-version' && u.package?.version === undefined)).toBe(true);
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
