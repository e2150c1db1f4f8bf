/**
 * Conda `environment.yml` → records. Pure. YAML syntax by the `yaml` package.
 *
 * `dependencies:` is a list of conda match specs (`numpy=1.26.4`, `numpy 1.26.4 py39_0`, `numpy==1.26.4=h1_0`,
 * `libblas>=3.9`) and at most one mapping per installer (`- pip: [django==5.0.6]`). A spec is read the way Trivy
 * reads it (pkg/dependency/parser/conda/environment): `=`, `>`, `<` split it into fields; the first is the name, the
 * second a version only when it is one exact version (not a range, a wildcard or alternatives). Entries of another
 * type (a number, a mapping whose value is not a list of strings) make the file invalid, as in Trivy.
 */
import { newLineCounter, parseYamlDocument, yaml } from '../../formats/yaml.js';
import { FormatError } from '../../formats/error.js';

export interface CondaSpec {
  /** `conda` for conda specs, else the installer of a nested list (`pip`). */
  installer: string;
  name: string;
  /** The pinned version, when the spec pins exactly one. */
  version?: string;
  /** The build string of `name=version=build` / `name version build`. */
  build?: string;
  /** The spec as written. */
  spec: string;
  line?: number;
}

/** One exact version (go-version's syntax, as Trivy checks it): digits and dots, optional pre-release and build parts. */
const EXACT_VERSION = /^v?[0-9]+(\.[0-9]+)*(-?[0-9A-Za-z~-]+(\.[0-9A-Za-z~-]+)*)?(\+[0-9A-Za-z~-]+(\.[0-9A-Za-z~-]+)*)?$/;

/** Name, pinned version and build of one match spec; undefined for a spec without a name (`"="`). */
export function parseMatchSpec(spec: string): { name: string; version?: string; build?: string } | undefined {
  const fields = spec.replace(/>/g, ' >').replace(/</g, ' <').replace(/=/g, ' ').trim().split(/\s+/).filter((f) => f !== '');
  const name = fields[0];
  if (name === undefined) return undefined;
  const version = fields[1];
  if (version === undefined || !EXACT_VERSION.test(version)) return { name };
  const build = fields[2];
  return build !== undefined && !/^[<>!~]/.test(build) ? { name, version, build } : { name, version };
}

function typeName(v: unknown): string {
  const { isMap, isSeq, isScalar } = yaml();
  if (isMap(v)) return 'a mapping';
  if (isSeq(v)) return 'a list';
  if (isScalar(v)) return v.value === null ? 'null' : typeof v.value === 'string' ? 'a string' : `a ${typeof v.value}`;
  return 'an alias';
}

export function parseCondaEnvironment(text: string): CondaSpec[] {
  const { isMap, isSeq, isScalar } = yaml();
  const lineCounter = newLineCounter();
  const doc = parseYamlDocument(text, { lineCounter });
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return [];
  if (!isMap(root)) throw new FormatError(`top level is ${typeName(root)}, not a mapping`);
  const deps = root.get('dependencies', true);
  if (deps === undefined || deps === null || (isScalar(deps) && deps.value === null)) return [];
  if (!isSeq(deps)) throw new FormatError('`dependencies` is not a list');
  const lineOf = (node: { range?: [number, number, number] | null | undefined }): number | undefined =>
    node.range ? lineCounter.linePos(node.range[0]).line : undefined;
  const out: CondaSpec[] = [];
  const add = (installer: string, node: unknown): void => {
    if (!isScalar(node) || typeof node.value !== 'string') {
      const line = isScalar(node) || isMap(node) || isSeq(node) ? lineOf(node) : undefined;
      throw new FormatError(`unsupported dependency: ${typeName(node)}${line !== undefined ? ` on line ${line}` : ''}`);
    }
    const parsed = parseMatchSpec(node.value);
    if (!parsed) return;
    const line = lineOf(node);
    out.push({ installer, ...parsed, spec: node.value, ...(line !== undefined ? { line } : {}) });
  };
  for (const item of deps.items) {
    if (!isMap(item)) {
      add('conda', item);
      continue;
    }
    for (const pair of item.items) {
      const installer = isScalar(pair.key) ? String(pair.key.value) : '?';
      if (!isSeq(pair.value)) {
        const line = isScalar(pair.value) || isMap(pair.value) ? lineOf(pair.value) : undefined;
        throw new FormatError(`unsupported dependency: \`${installer}:\` holds ${typeName(pair.value)}, not a list${line !== undefined ? ` on line ${line}` : ''}`);
      }
      for (const dep of pair.value.items) add(installer, dep);
    }
  }
  return out;
}
