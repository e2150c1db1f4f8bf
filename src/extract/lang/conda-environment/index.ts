/**
 * Extractor for conda's `environment.yml` / `environment.yaml`: ecosystem `conda`, purl `pkg:conda/<name>@<version>`
 * (with `?build=` when the spec names one). Packages under `- pip:` are PyPI packages and are reported as such
 * (Trivy lists them as conda packages; they are pip installs, and PyPI has advisories).
 *
 * No advisory feed covers conda: the matcher reports conda packages as not checked (`no-advisory-data`), which
 * makes the scan incomplete, so the gate fails closed unless `--incomplete warn`. A spec that pins no exact version
 * (`numpy`, `libblas>=3.9`, `ld_impl=2.40.*`) is an `unresolved-version` unknown: `conda env export` pins them.
 */
import { condaPurl, pypiPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { PackageSet } from '../../util/package-set.js';
import { parseFile } from '../../util/parse-file.js';
import { baseName, decodeText } from '../../util/text.js';
import { parseCondaEnvironment } from './parse.js';

export const ID = 'lang/conda-environment';

export const condaEnvironmentExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['environment.yml', 'environment.yaml'] },
  required(path: string): boolean {
    const b = baseName(path);
    return b === 'environment.yml' || b === 'environment.yaml';
  },
  extract(input: ExtractInput): ExtractOutput {
    const specs = parseFile(input.path, () => parseCondaEnvironment(decodeText(input.content)));
    const conda = new PackageSet('conda', ID, input.path);
    const pypi = new PackageSet('PyPI', ID, input.path);
    for (const s of specs) {
      const set = s.installer === 'conda' ? conda : s.installer === 'pip' ? pypi : undefined;
      const at = s.line !== undefined ? `${input.path}:${s.line}` : input.path;
      if (!set) {
        conda.unknown({ kind: 'unsupported', message: `${at}: ${JSON.stringify(s.spec)} is installed by ${s.installer}, which Bulwark does not read`, package: { name: s.name } });
        continue;
      }
      // pip extras (`requests[socks]`) are not part of the name
      const name = set === pypi ? s.name.replace(/\[.*$/, '') : s.name;
      if (s.version === undefined) {
        set.unknown({ kind: 'unresolved-version', message: `${at}: ${JSON.stringify(s.spec)} pins no exact version (\`conda env export\` writes one)`, package: { name } });
        continue;
      }
      const version = s.version;
      const line = s.line !== undefined ? { line: s.line } : {};
      if (set === pypi) set.add({ name, version, purl: () => pypiPurl(name, version), ...line });
      else set.add({ name, version, purl: () => condaPurl(name, version, s.build !== undefined ? { build: s.build } : {}), ...line });
    }
    const a = conda.output();
    const b = pypi.output();
    const out: ExtractOutput = { packages: [...a.packages, ...b.packages] };
    const unknowns = [...(a.unknowns ?? []), ...(b.unknowns ?? [])];
    const problems = [...(a.problems ?? []), ...(b.problems ?? [])];
    if (unknowns.length > 0) out.unknowns = unknowns;
    if (problems.length > 0) out.problems = problems;
    return out;
  },
};
