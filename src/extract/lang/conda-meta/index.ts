/**
 * Extractor for installed conda packages: every `conda-meta/*.json` of an environment (a miniconda or anaconda
 * install, `envs/<name>/conda-meta/`). Ecosystem `conda`, purl `pkg:conda/<name>@<version>?build=…&channel=…&subdir=…`.
 *
 * No advisory feed covers conda: the matcher reports these packages as not checked (`no-advisory-data`), which
 * makes the scan incomplete, so the gate fails closed unless `--incomplete warn`. Python packages that conda
 * installed also have their dist-info METADATA in site-packages, which lang/python-installed reads as PyPI.
 */
import { condaPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { PackageSet } from '../../util/package-set.js';
import { parseFile } from '../../util/parse-file.js';
import { decodeText } from '../../util/text.js';
import { parseCondaMeta } from './parse.js';

export const ID = 'lang/conda-meta';

export const condaMetaExtractor: Extractor = {
  id: ID,
  version: 1,
  required(path: string): boolean {
    return /(^|\/)conda-meta\/[^/]+\.json$/.test(path);
  },
  extract(input: ExtractInput): ExtractOutput {
    const m = parseFile(input.path, () => parseCondaMeta(decodeText(input.content)));
    const set = new PackageSet('conda', ID, input.path);
    const q = { ...(m.build ? { build: m.build } : {}), ...(m.channel ? { channel: m.channel } : {}), ...(m.subdir ? { subdir: m.subdir } : {}) };
    set.add({ name: m.name, version: m.version, purl: () => condaPurl(m.name, m.version, q) });
    return set.output();
  },
};
