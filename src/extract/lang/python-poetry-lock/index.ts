import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { addIndexPackage, normalizePyName, PYPI_ECOSYSTEM } from '../python-common/names.js';
import { isTable, parseToml } from '../../formats/toml.js';
import { parsePoetryLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/python-poetry-lock';

/** Names the pyproject.toml declares (Poetry's tool table or PEP 621 [project]); undefined if unreadable. */
function declared(text: string): Set<string> | undefined {
  let t;
  try {
    t = parseToml(text);
  } catch {
    return undefined;
  }
  const names = new Set<string>();
  const tool = isTable(t['tool']) && isTable(t['tool']['poetry']) ? t['tool']['poetry'] : undefined;
  if (tool) {
    for (const k of ['dependencies', 'dev-dependencies']) if (isTable(tool[k])) for (const n of Object.keys(tool[k])) names.add(normalizePyName(n));
    if (isTable(tool['group'])) {
      for (const g of Object.values(tool['group'])) if (isTable(g) && isTable(g['dependencies'])) for (const n of Object.keys(g['dependencies'])) names.add(normalizePyName(n));
    }
  }
  const project = isTable(t['project']) ? t['project'] : undefined;
  const reqs: unknown[] = [];
  if (project && Array.isArray(project['dependencies'])) reqs.push(...project['dependencies']);
  if (project && isTable(project['optional-dependencies'])) for (const v of Object.values(project['optional-dependencies'])) if (Array.isArray(v)) reqs.push(...v);
  for (const r of reqs) {
    const m = typeof r === 'string' ? /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(r) : null;
    if (m?.[1]) names.add(normalizePyName(m[1]));
  }
  names.delete('python');
  return names;
}

/** poetry.lock v1/v2: dev from `category` (v1) or `groups` (v2); direct from the pyproject.toml beside it. */
export const pythonPoetryLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['poetry.lock'] },
  required: (path: string) => baseName(path) === 'poetry.lock',
  async extract(input: ExtractInput): Promise<ExtractOutput> {
    const lock = parseFile(input.path, () => parsePoetryLock(decodeText(input.content)));
    const dir = input.path.includes('/') ? input.path.slice(0, input.path.lastIndexOf('/') + 1) : '';
    const pyproject = await input.tree.read(`${dir}pyproject.toml`);
    const direct = pyproject ? declared(decodeText(pyproject)) : undefined;
    const set = new PackageSet(PYPI_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of lock.dropped) set.problem(d);
    for (const p of lock.packages) {
      if (p.source === 'directory' || p.source === 'file') continue; // local code
      addIndexPackage(set, p, { ...(p.dev === undefined ? {} : { dev: p.dev }), ...(direct ? { direct: direct.has(normalizePyName(p.name)) } : {}) });
    }
    return set.output();
  },
};
